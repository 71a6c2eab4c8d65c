// Child process of porcupine-bench.ts: checks one history the way the side-by-side table times it and prints
// one JSON line. cold-ms: the first checkLinearizable call in this fresh process (no witness shrinking: that
// is shrink-ms, timed apart, as in case.ts); warm-ms: the median of `reps` more calls on the same history.
// Usage: tsx test/bench/porcupine-case.ts <history> <format> <model-spec JSON> <reps>
import { readFileSync } from "node:fs";
import { checkLinearizable, partitionHistory, shrinkBudget } from "../../checkers/linearizable/index.ts";
import { createModel } from "../../checkers/linearizable/models/index.ts";
import { searchLinearization } from "../../checkers/linearizable/wgl.ts";
import { shrinkWitness } from "../../checkers/linearizable/witness.ts";
import { FORMATS } from "../../src/history/formats/index.ts";

const [file, format, specJson, repsArg] = process.argv.slice(2);
const history = FORMATS[format].parse(readFileSync(file, "utf8"), file);
const model = createModel(JSON.parse(specJson));
const check = () =>
  checkLinearizable(history, {
    model,
    maxSteps: 50_000_000,
    maxCacheBytes: 1 << 30,
    allAnomalies: true,
    shrink: false,
  });
let t = performance.now();
const v = check();
const coldMs = performance.now() - t;
const warm: number[] = [];
for (let i = 0; i < Number(repsArg ?? 0); i++) {
  t = performance.now();
  check();
  warm.push(performance.now() - t);
}
warm.sort((a, b) => a - b);
let shrinkMs: number | null = null;
if (v.valid === false) {
  shrinkMs = 0;
  const keys = new Set(v.anomalies.map((a) => a.key ?? ""));
  for (const p of partitionHistory(history, model)) {
    if (!keys.has(p.key)) continue;
    const r = searchLinearization(model, p.search, { maxCacheBytes: 1 << 30 });
    const s0 = performance.now();
    shrinkWitness(model, p.search, {
      maxSteps: shrinkBudget(r.steps),
      blockedReturn: r.blocked.length ? p.search[r.blocked[0]].ret : undefined,
    });
    shrinkMs += performance.now() - s0;
  }
}
process.stdout.write(
  JSON.stringify({
    valid: v.valid,
    coldMs,
    warmMs: warm.length ? warm[warm.length >> 1] : null,
    shrinkMs,
    steps: v.stats?.steps ?? 0,
  }) + "\n",
);
