// `faultline check <history>`: re-check a stored history offline with a workload's checkers.
import type { Command } from "commander";
import { dirname, join } from "node:path";
import { existsSync, statSync } from "node:fs";
import { readHistory } from "../../history/reader.ts";
import { pairOperations } from "../../history/pairs.ts";
import { lookup, workloads } from "../../registry.ts";
import { exitCodeFor, runCheckers, summarize } from "../../run/check.ts";
import { readJson, FILES } from "../../results/store.ts";
import type { WorkloadOptions } from "../../run/types.ts";

export function register(program: Command): void {
  program.command("check <history>")
    .description("check a stored history (history.jsonl, or a run directory) offline")
    .option("--workload <name>", "workload whose checkers to use (default: the run's, from run.json beside the history)")
    .option("--json", "print the results as JSON")
    .action(async (path: string, o: { workload?: string; json?: boolean }) => {
      const file = existsSync(path) && statSync(path).isDirectory() ? join(path, FILES.history) : path;
      const run = readJson<{ config?: { workload?: string; keys?: number; workloadOptions?: object }; nodes?: string[] }>(join(dirname(file), FILES.run));
      const name = o.workload ?? run?.config?.workload ?? "register";
      const workload = lookup("workload", workloads, name);
      const history = readHistory(file);
      pairOperations(history, { file }); // validate invoke/completion structure, with file:line errors
      const wopts: WorkloadOptions = { keys: run?.config?.keys ?? 3, seed: "", nodes: run?.nodes ?? [], ...(run?.config?.workloadOptions ?? {}) };
      const results = runCheckers(history, workload.checkers(wopts));
      process.stdout.write(o.json ? JSON.stringify(results, null, 2) + "\n" : summarize(results));
      process.exitCode = exitCodeFor(results.valid);
    });
}
