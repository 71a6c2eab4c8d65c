// `faultline check <history>`: re-check a stored history offline with a workload's checkers.
import type { Command } from "commander";
import { dirname, join } from "node:path";
import { existsSync, statSync } from "node:fs";
import { readHistory } from "../../history/reader.ts";
import { pairOperations } from "../../history/pairs.ts";
import { lookup, workloads } from "../../registry.ts";
import { exitCodeFor, runCheckersAsync, summarize } from "../../run/check.ts";
import { readJson, FILES } from "../../results/store.ts";
import type { CheckBudget, WorkloadOptions } from "../../run/types.ts";
import { FORMATS } from "../../history/formats/index.ts";
import { readAs } from "../../history/import.ts";
import { chooseModel, describeSpec, linearizableChecker } from "../../../checkers/linearizable/spec.ts";
import { MODELS } from "../../../checkers/linearizable/models/index.ts";
import { checkLinearizableParallel, defaultWorkers } from "../../../checkers/linearizable/parallel.ts";
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
    .option("--workers <n>", `check linearizability with its keys on n worker threads, each with a hard heap limit (default: the CPU count, ${defaultWorkers()} here; 0: in this thread — faster on small machines, but no --timeout and no hard memory limit)`)
    .option("--timeout <s>", "wall-clock budget for the linearizability check in seconds; when it runs out the verdict is unknown (exit 2), naming the keys checked and not")
    .option("--memory <MB>", "heap for the linearizability workers in MB, shared between them (default: 3072 per worker, at most half the RAM); a search that needs more is unknown")
    .action(async (path: string, o: { workload?: string; json?: boolean; format?: string; model?: string; initial?: string; nilRead?: string; workers?: string; timeout?: string; memory?: string }) => {
      const budget = checkBudget(o);
      if (o.format !== undefined && !FORMATS[o.format]) throw new UsageError(`unknown format ${JSON.stringify(o.format)}; choose one of: ${Object.keys(FORMATS).join(", ")}`);
      if ((o.format && o.format !== "jsonl") || o.model || o.initial !== undefined || o.nilRead) {
        const format = o.format ?? "jsonl";
        if (!existsSync(path) || statSync(path).isDirectory()) throw new UsageError(`${path}: not a history file`);
        const history = readAs(path, format, TRUNCATED_END);
        pairOperations(history, { file: path });
        const spec = chooseModel(history, format, { model: o.model, initial: o.initial, nilRead: o.nilRead });
        const sync = linearizableChecker(spec);
        const results = await runCheckersAsync(history, [{ ...sync, checkAsync: (h, b) => checkLinearizableParallel(h, { spec, allAnomalies: true, ...b }) }], budget);
        process.stdout.write(o.json ? JSON.stringify({ ...results, model: spec }, null, 2) + "\n" : `checked as ${describeSpec(spec)}\n` + summarize(results));
        process.exitCode = exitCodeFor(results.valid);
        return;
      }
      const file = existsSync(path) && statSync(path).isDirectory() ? join(path, FILES.history) : path;
      const run = readJson<{ config?: { workload?: string; keys?: number; workloadOptions?: object }; nodes?: string[] }>(join(dirname(file), FILES.run));
      const name = o.workload ?? run?.config?.workload ?? "register";
      const workload = lookup("workload", workloads, name);
      const history = readHistory(file, TRUNCATED_END);
      pairOperations(history, { file }); // validate invoke/completion structure, with file:line errors
      const wopts: WorkloadOptions = { keys: run?.config?.keys ?? 3, seed: "", nodes: run?.nodes ?? [], ...(run?.config?.workloadOptions ?? {}) };
      const results = await runCheckersAsync(history, workload.checkers(wopts), budget);
      process.stdout.write(o.json ? JSON.stringify(results, null, 2) + "\n" : summarize(results));
      process.exitCode = exitCodeFor(results.valid);
    });
}

/** The same rule as `report`: a killed run's incomplete last line is left out, and said so. */
export const TRUNCATED_END = { dropTruncatedEnd: true, onNote: (n: string) => process.stderr.write(`faultline: ${n}\n`) };

function checkBudget(o: { workers?: string; timeout?: string; memory?: string }): CheckBudget {
  const budget: CheckBudget = {};
  if (o.workers !== undefined) {
    const n = Number(o.workers);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--workers must be a whole number ≥ 0, got ${JSON.stringify(o.workers)}`);
    budget.workers = n;
  }
  if (o.timeout !== undefined) {
    const s = Number(o.timeout);
    if (!(s > 0) || !Number.isFinite(s)) throw new UsageError(`--timeout must be a positive number of seconds, got ${JSON.stringify(o.timeout)}`);
    if (budget.workers === 0) throw new UsageError("--timeout needs worker threads: it cannot stop a search running in this thread (drop --workers 0)");
    budget.timeoutMs = s * 1000;
  }
  if (o.memory !== undefined) {
    const mb = Number(o.memory);
    if (!(mb >= 16) || !Number.isFinite(mb)) throw new UsageError(`--memory must be a number of MB ≥ 16, got ${JSON.stringify(o.memory)}`);
    budget.memoryMb = mb;
  }
  return budget;
}
