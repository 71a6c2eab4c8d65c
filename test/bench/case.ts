// Child process: checks one history and prints one JSON line of measurements (peak RSS is per process,
// so every case runs in its own). check-ms is checkLinearizable without witness shrinking; shrink-ms is
// shrinking each anomaly's witness as the checker does by default (within its budget, shrinkBudget of the
// search's steps), timed apart. With workers > 0 the parallel checker (checkers/linearizable/parallel.ts) is
// timed instead: its check-ms is the whole parallel check — pairing and partitioning here, starting the
// workers, shipping the keys, searching, gathering, shrinking — and shrink-ms is not measured.
// Usage: tsx test/bench/case.ts <history> <format> <model-spec JSON> [workers] [maxSteps]
import { readFileSync } from "node:fs";
import { checkLinearizable, partitionHistory, shrinkBudget } from "../../checkers/linearizable/index.ts";
import { checkLinearizableParallel } from "../../checkers/linearizable/parallel.ts";
import { createModel } from "../../checkers/linearizable/models/index.ts";
import { searchLinearization } from "../../checkers/linearizable/wgl.ts";
import { shrinkWitness } from "../../checkers/linearizable/witness.ts";
import { FORMATS } from "../../src/history/formats/index.ts";
import { pairOperations } from "../../src/history/pairs.ts";

const [file, format, specJson, workersArg, maxStepsArg] = process.argv.slice(2);
const workers = Number(workersArg ?? 0);
const maxSteps = Number(maxStepsArg ?? 50_000_000);
const t0 = performance.now();
const history = FORMATS[format].parse(readFileSync(file, "utf8"), file);
const t1 = performance.now();
const model = createModel(JSON.parse(specJson));
const v =
  workers > 0
    ? await checkLinearizableParallel(history, {
        spec: JSON.parse(specJson),
        workers,
        maxSteps,
        maxCacheBytes: 1 << 30,
        allAnomalies: true,
      })
    : checkLinearizable(history, { model, maxSteps, maxCacheBytes: 1 << 30, allAnomalies: true, shrink: false });
const t2 = performance.now();
let shrinkMs: number | null = null;
if (workers === 0 && v.valid === false) {
  shrinkMs = 0;
  const keys = new Set(v.anomalies.map((a) => a.key ?? ""));
  for (const p of partitionHistory(history, model)) {
    if (!keys.has(p.key)) continue;
    const r = searchLinearization(model, p.search, { maxCacheBytes: 1 << 30 });
    const blockedReturn = r.blocked.length ? p.search[r.blocked[0]].ret : undefined;
    const s0 = performance.now();
    shrinkWitness(model, p.search, { maxSteps: shrinkBudget(r.steps), blockedReturn });
    shrinkMs += performance.now() - s0;
  }
}
const pairs = pairOperations(history);
process.stdout.write(
  JSON.stringify({
    ops: pairs.length,
    crashed: pairs.filter((o) => o.type === "info").length,
    valid: v.valid,
    parseMs: t1 - t0,
    checkMs: t2 - t1,
    shrinkMs,
    steps: v.stats?.steps ?? 0,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    reason: v.reason ?? "",
  }) + "\n",
);
