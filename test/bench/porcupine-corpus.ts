// Child process: generates a corpus of small Jepsen etcd-style register logs (Porcupine's test_data/jepsen
// format: `INFO  jepsen.util - <process>\t:<type>\t:<f>\t<value>`) from seeded sim runs, for the whole-corpus
// row of porcupine-bench.ts: many small histories, each checked by both tools in one process. Like
// Porcupine's etcd logs: one register, 5 clients, ~100 ops, the kill nemesis (timed-out ops), and most of them
// not linearizable (the primary-async mode's stale reads); one in four from the linearizable mode.
// Usage: tsx test/bench/porcupine-corpus.ts <out dir> <count>
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { workloads } from "../../src/registry.ts";
import { resolveConfig } from "../../src/run/config.ts";
import { run } from "../../src/run/runner.ts";
import { toEtcdLog } from "./porcupine-format.ts";

const [out, countArg] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const original = await workloads.register();
workloads.register = async () => ({ ...original, checkers: () => [] });
for (let i = 0; i < Number(countArg ?? 102); i++) {
  const dir = mkdtempSync(join(out, "gen-"));
  const outcome = await run(
    await resolveConfig({
      name: "porcupine-corpus",
      target: "sim",
      mode: i % 4 === 0 ? "linearizable" : "primary-async",
      workload: "register",
      nemesis: ["kill", "partition"],
      ops: 100,
      concurrency: 5,
      keys: 1,
      nemesisInterval: 0.01,
      seed: `porcupine-corpus-${i}`,
      rate: 0,
      timeLimit: 1e7,
      resultsDir: dir,
    }),
  );
  const text = readFileSync(join(outcome.dir, "history.jsonl"), "utf8");
  writeFileSync(
    join(out, `etcd_${String(i).padStart(3, "0")}.log`),
    toEtcdLog(
      text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ),
  );
  rmSync(dir, { recursive: true, force: true });
}
