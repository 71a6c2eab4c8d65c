// Child process: checks one history with the parallel checker (checkers/linearizable/parallel.ts) on n worker
// threads and prints one JSON line of measurements, as case.ts does. check-ms is the whole parallel check:
// pairing and partitioning here, starting the workers, shipping the keys, searching, gathering.
// Usage: tsx test/bench/parallel-case.ts <history> <format> <model-spec JSON> <workers> [maxSteps]
import { readFileSync } from "node:fs";
import { checkLinearizableParallel } from "../../checkers/linearizable/parallel.ts";
import { FORMATS } from "../../src/history/formats/index.ts";
import { pairOperations } from "../../src/history/pairs.ts";

const [file, format, specJson, workers, maxSteps] = process.argv.slice(2);
const t0 = performance.now();
const history = FORMATS[format].parse(readFileSync(file, "utf8"), file);
const t1 = performance.now();
const v = await checkLinearizableParallel(history, { spec: JSON.parse(specJson), workers: Number(workers), maxSteps: Number(maxSteps ?? 50_000_000), maxCacheBytes: 1 << 30 });
const t2 = performance.now();
const pairs = pairOperations(history);
process.stdout.write(JSON.stringify({
  ops: pairs.length, crashed: pairs.filter((o) => o.type === "info").length, valid: v.valid,
  parseMs: t1 - t0, checkMs: t2 - t1, steps: v.stats?.steps ?? 0,
  peakRssMB: process.resourceUsage().maxRSS / 1024, reason: v.reason ?? "",
}) + "\n");
