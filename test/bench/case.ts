// Child process: checks one history and prints one JSON line of measurements (peak RSS is per process,
// so every case runs in its own). Usage: tsx test/bench/case.ts <history> <format> <model-spec JSON> [maxSteps]
import { readFileSync } from "node:fs";
import { checkLinearizable } from "../../checkers/linearizable/index.ts";
import { createModel } from "../../checkers/linearizable/models/index.ts";
import { FORMATS } from "../../src/history/formats/index.ts";
import { pairOperations } from "../../src/history/pairs.ts";

const [file, format, specJson, maxSteps] = process.argv.slice(2);
const t0 = performance.now();
const history = FORMATS[format].parse(readFileSync(file, "utf8"), file);
const t1 = performance.now();
const model = createModel(JSON.parse(specJson));
const v = checkLinearizable(history, { model, maxSteps: Number(maxSteps ?? 50_000_000), maxCacheBytes: 1 << 30 });
const t2 = performance.now();
const pairs = pairOperations(history);
process.stdout.write(JSON.stringify({
  ops: pairs.length, crashed: pairs.filter((o) => o.type === "info").length, valid: v.valid,
  parseMs: t1 - t0, checkMs: t2 - t1, steps: v.stats?.steps ?? 0,
  peakRssMB: process.resourceUsage().maxRSS / 1024, reason: v.reason ?? "",
}) + "\n");
