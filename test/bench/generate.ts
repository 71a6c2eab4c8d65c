// Child process: generates one seeded sim history for a benchmark and writes it to the given path. The
// workload's own checkers are switched off: the benchmarks time the checks themselves.
// Usage: tsx test/bench/generate.ts <out.jsonl> '<run config as JSON>'   (merged over target sim, --rate 0)
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { workloads } from "../../src/registry.ts";
import { resolveConfig, type RunConfig } from "../../src/run/config.ts";
import { run } from "../../src/run/runner.ts";

const [out, json] = process.argv.slice(2);
const config = JSON.parse(json) as Partial<RunConfig>;
const workload = config.workload ?? "register";
const original = await workloads[workload]();
workloads[workload] = async () => ({ ...original, checkers: () => [] });
const dir = mkdtempSync(join(dirname(out), "gen-"));
const outcome = await run(
  await resolveConfig({ name: "bench", target: "sim", rate: 0, timeLimit: 1e7, ...config, resultsDir: dir }),
);
copyFileSync(join(outcome.dir, "history.jsonl"), out);
rmSync(dir, { recursive: true, force: true });
