// Child process: generates one seeded sim history for the benchmark (register workload, linearizable mode)
// and writes it to the given path. The run's own checkers are switched off: the benchmark times the check.
// Usage: tsx test/bench/generate.ts <out.jsonl> <ops> <concurrency> <keys> <crash: 0|1>
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { workloads } from "../../src/registry.ts";
import { resolveConfig } from "../../src/run/config.ts";
import { run } from "../../src/run/runner.ts";

const [out, ops, concurrency, keys, crash] = process.argv.slice(2);
workloads.register = { ...workloads.register, checkers: () => [] };
const dir = mkdtempSync(join(dirname(out), "gen-"));
const outcome = await run(resolveConfig({
  name: "bench", target: "sim", mode: "linearizable", workload: "register",
  nemesis: crash === "1" ? ["kill"] : [], rate: 0, ops: Number(ops), timeLimit: 1e7,
  concurrency: Number(concurrency), keys: Number(keys), seed: `bench-${ops}-${concurrency}-${keys}-${crash}`, resultsDir: dir,
}));
copyFileSync(join(outcome.dir, "history.jsonl"), out);
rmSync(dir, { recursive: true, force: true });
