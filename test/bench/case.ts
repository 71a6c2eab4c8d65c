// Child process: checks one history and prints one JSON line of measurements (peak RSS is per process,
// so every case runs in its own). With workers > 0 the parallel checker (checkers/linearizable/parallel.ts)
// is timed instead: its check-ms is the whole parallel check — pairing and partitioning here, starting the
// workers, shipping the keys, searching, gathering.
// Usage: tsx test/bench/case.ts <history> <format> <model-spec JSON> [workers] [maxSteps]
import { readFileSync } from "node:fs";
import { checkLinearizable } from "../../checkers/linearizable/index.ts";
import { checkLinearizableParallel } from "../../checkers/linearizable/parallel.ts";
import { createModel } from "../../checkers/linearizable/models/index.ts";
import { FORMATS } from "../../src/history/formats/index.ts";
import { pairOperations } from "../../src/history/pairs.ts";

const [file, format, specJson, workersArg, maxStepsArg] = process.argv.slice(2);
const workers = Number(workersArg ?? 0);
const maxSteps = Number(maxStepsArg ?? 50_000_000);
const t0 = performance.now();
const history = FORMATS[format].parse(readFileSync(file, "utf8"), file);
const t1 = performance.now();
const v = workers > 0
  ? await checkLinearizableParallel(history, { spec: JSON.parse(specJson), workers, maxSteps, maxCacheBytes: 1 << 30 })
  : checkLinearizable(history, { model: createModel(JSON.parse(specJson)), maxSteps, maxCacheBytes: 1 << 30 });
const t2 = performance.now();
const pairs = pairOperations(history);
process.stdout.write(JSON.stringify({
  ops: pairs.length, crashed: pairs.filter((o) => o.type === "info").length, valid: v.valid,
  parseMs: t1 - t0, checkMs: t2 - t1, steps: v.stats?.steps ?? 0,
  peakRssMB: process.resourceUsage().maxRSS / 1024, reason: v.reason ?? "",
}) + "\n");
