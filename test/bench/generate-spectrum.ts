// Child process: generates one seeded sim history for the spectrum benchmark (its own checkers off) and
// writes it to the given path.
// Usage: tsx test/bench/generate-spectrum.ts <out.jsonl> <workload> <mode> <ops> [keys]
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { workloads } from "../../src/registry.ts";
import { resolveConfig } from "../../src/run/config.ts";
import { run } from "../../src/run/runner.ts";

const [out, workload, mode, ops, keys] = process.argv.slice(2);
workloads[workload] = { ...workloads[workload], checkers: () => [] };
const dir = mkdtempSync(join(dirname(out), "gen-"));
const outcome = await run(resolveConfig({
  name: "bench", target: "sim", mode, workload, nemesis: ["partition"], rate: 0, ops: Number(ops), timeLimit: 1e7,
  concurrency: 10, seed: `spectrum-${ops}`, resultsDir: dir, ...(keys ? { keys: Number(keys) } : {}),
}));
copyFileSync(join(outcome.dir, "history.jsonl"), out);
rmSync(dir, { recursive: true, force: true });
