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
import { FORMATS, readHistoryAs } from "../../history/formats/index.ts";
import { chooseModel, describeSpec, linearizableChecker } from "../../../checkers/linearizable/spec.ts";
import { MODELS } from "../../../checkers/linearizable/models/index.ts";
import { UsageError } from "../../registry.ts";

export function register(program: Command): void {
  program.command("check <history>")
    .description("check a stored history (history.jsonl, or a run directory) offline")
    .option("--workload <name>", "workload whose checkers to use (default: the run's, from run.json beside the history)")
    .option("--json", "print the results as JSON")
    .option("--format <name>", `history format: ${Object.keys(FORMATS).join(", ")} (default jsonl); other formats are checked for linearizability`)
    .option("--model <name>", `check linearizability against this model: ${Object.keys(MODELS).join(", ")} (default: inferred from the ops' f)`)
    .option("--initial <value>", "the model's initial state, JSON or EDN (e.g. 0, null, '{:x 0 :y 0}')")
    .option("--nil-read <how>", "a read of nil/null is an 'unknown' read (Knossos) or means 'absent' (default: the format's)")
    .action(async (path: string, o: { workload?: string; json?: boolean; format?: string; model?: string; initial?: string; nilRead?: string }) => {
      if (o.format !== undefined && !FORMATS[o.format]) throw new UsageError(`unknown format ${JSON.stringify(o.format)}; choose one of: ${Object.keys(FORMATS).join(", ")}`);
      if ((o.format && o.format !== "jsonl") || o.model || o.initial !== undefined || o.nilRead) {
        const format = o.format ?? "jsonl";
        if (!existsSync(path) || statSync(path).isDirectory()) throw new UsageError(`${path}: not a history file`);
        const history = readHistoryAs(path, format);
        pairOperations(history, { file: path });
        const spec = chooseModel(history, format, { model: o.model, initial: o.initial, nilRead: o.nilRead });
        const results = runCheckers(history, [linearizableChecker(spec)]);
        process.stdout.write(o.json ? JSON.stringify({ ...results, model: spec }, null, 2) + "\n" : `checked as ${describeSpec(spec)}\n` + summarize(results));
        process.exitCode = exitCodeFor(results.valid);
        return;
      }
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
