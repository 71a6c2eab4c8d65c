// `faultline check <history...>`: re-check stored histories offline with a workload's checkers. One history
// prints its full summary; several (files, run directories or directories of histories) print one line each
// and a summary line, in one process with the linearizability workers started once.
import type { Command } from "commander";
import { dirname, join } from "node:path";
import { existsSync, readdirSync, statSync } from "node:fs";
import { HistoryError, setSourceLines, sourceLine } from "../../history/op.ts";
import { pairOperations } from "../../history/pairs.ts";
import { lookup, workloads } from "../../registry.ts";
import { exitCodeFor, runCheckersAsync, summarize, type Results } from "../../run/check.ts";
import { readJson, FILES } from "../../results/store.ts";
import type { CheckBudget, WorkloadOptions } from "../../run/types.ts";
import { detectFileFormat, FORMATS } from "../../history/formats/index.ts";
import { readAs } from "../../history/import.ts";
import { fromJepsen } from "../../history/formats/workloads.ts";
import { HISTORY } from "../../../checkers/fit.ts";
import { keyValues } from "../key-values.ts";
import { describeSpec, linearizableChecker } from "../../../checkers/linearizable/spec.ts";
import type { ModelSpec } from "../../../checkers/linearizable/models/index.ts";
import { MODELS } from "../../../checkers/linearizable/models/index.ts";
import {
  checkLinearizableParallel,
  defaultWorkers,
  LinearizablePool,
} from "../../../checkers/linearizable/parallel.ts";
import { chooseModel } from "../model-choice.ts";
import { UsageError } from "../../errors.ts";
import { exitCodeOf } from "../errors.ts";
import { worstExit } from "../worst-exit.ts";
import { inferTxnWorkload, TXN_WORKLOADS, validateTxnOps, type TxnWorkload } from "../../history/formats/jepsen-txn.ts";

interface CheckFlags {
  workload?: string;
  json?: boolean;
  format?: string;
  model?: string;
  initial?: string;
  nilRead?: string;
  workers?: string;
  timeout?: string;
  memory?: string;
  consistencyModels?: string;
  wopt: Record<string, unknown>;
}

export function register(program: Command): void {
  program
    .command("check <history...>")
    .description("check stored histories (history.jsonl files, run directories, or directories of histories) offline")
    .option(
      "--workload <name>",
      "workload whose checkers to use (default: the run's, from run.json beside the history); Jepsen's bank, counter, set, set-full and long-fork histories are read in faultline's conventions",
    )
    .option("--json", "print the results as JSON (several histories: one JSON object per line)")
    .option(
      "--consistency-models <list>",
      "list-append, rw-register: isolation models that decide the verdict, comma-separated (default: the run's, else strict-serializable)",
    )
    .option(
      "--format <name>",
      `history format: ${Object.keys(FORMATS).join(", ")} (default: detected from the content); without --workload, other formats are checked for linearizability`,
    )
    .option(
      "--model <name>",
      `check linearizability against this model: ${Object.keys(MODELS).join(", ")} (default: inferred from the ops' f)`,
    )
    .option("--initial <value>", "the model's initial state, JSON or EDN (e.g. 0, null, '{:x 0 :y 0}')")
    .option(
      "--nil-read <how>",
      "a read of nil/null is an 'unknown' read (Knossos) or means 'absent' (default: the format's)",
    )
    .option(
      "--workers <n>",
      `check linearizability with its keys on n worker threads, each with a hard heap limit (default: the CPU count, ${defaultWorkers()} here; 0: in this thread — faster on small machines, but no --timeout and no hard memory limit)`,
    )
    .option(
      "--timeout <s>",
      "wall-clock budget for the linearizability check in seconds; when it runs out the verdict is unknown (exit 2), naming the keys checked and not",
    )
    .option(
      "--memory <MB>",
      "heap for the linearizability workers in MB, shared between them (default: 3072 per worker, at most half the RAM); a search that needs more is unknown",
    )
    .option(
      "--wopt <key=value>",
      "workload option, repeatable (e.g. --wopt total=100 for a Jepsen bank history, --wopt group-size=3 for long-fork)",
      keyValues,
      {},
    )
    .addHelpText(
      "after",
      `
Several histories: one line each (linearizability witnesses are shrunk only with --json, which prints
them), then a summary; the exit code is the worst one's:
  3 (bad input) before 4 (infrastructure), then 1 (invalid), 2 (unknown), 0 (valid).
A directory holding history.jsonl is a run; any other directory stands for the histories in it
(by extension: .jsonl, .edn for jepsen-edn, .json for jepsen-json, .log for porcupine-etcd, .txt for porcupine-kv;
without --format, every such file, each read as the format its content shows).`,
    )
    .action(async (paths: string[], o: CheckFlags) => {
      const budget = checkBudget(o);
      if (o.format !== undefined && !FORMATS[o.format])
        throw new UsageError(
          `unknown format ${JSON.stringify(o.format)}; choose one of: ${Object.keys(FORMATS).join(", ")}`,
        );
      const files = paths.flatMap((p) => historiesAt(p, o.format));
      if (
        files.length === 1 &&
        !(existsSync(paths[0]) && statSync(paths[0]).isDirectory() && files[0] !== runHistory(paths[0]))
      ) {
        const { results, spec, txn } = await checkOne(files[0], o, budget);
        if (spec)
          process.stdout.write(
            o.json
              ? JSON.stringify({ ...results, model: spec }, null, 2) + "\n"
              : `checked as ${describeSpec(spec)}\n` + summarize(results),
          );
        else if (txn)
          process.stdout.write(
            o.json ? JSON.stringify(results, null, 2) + "\n" : `checked as ${txn} transactions\n` + summarize(results),
          );
        else process.stdout.write(o.json ? JSON.stringify(results, null, 2) + "\n" : summarize(results));
        process.exitCode = exitCodeFor(results.valid);
        return;
      }
      process.exitCode = await checkMany(files, o, budget);
    });
}

/** The histories a path names: a file, a run directory's history.jsonl, or a directory's histories. */
function historiesAt(path: string, format: string | undefined): string[] {
  if (!existsSync(path)) return [path]; // reported as a missing file when it is checked
  if (!statSync(path).isDirectory()) return [path];
  const run = runHistory(path);
  if ((format === undefined || format === "jsonl") && existsSync(run)) return [run];
  const exts = format === undefined ? Object.values(EXTENSIONS) : [EXTENSIONS[format] ?? ""];
  const found = readdirSync(path)
    .sort()
    .map((n) => join(path, n))
    .filter((p) => exts.some((e) => p.endsWith(e)) && statSync(p).isFile());
  if (!found.length)
    throw new UsageError(
      `${path}: no ${format ?? "history"} files (${exts.map((e) => `*${e}`).join(", ")}) in this directory`,
    );
  return found;
}

const EXTENSIONS: Record<string, string> = {
  jsonl: ".jsonl",
  "jepsen-edn": ".edn",
  "jepsen-json": ".json",
  "porcupine-etcd": ".log",
  "porcupine-kv": ".txt",
};
const runHistory = (dir: string) => join(dir, FILES.history);

/** `witnesses`: shrink each linearizability anomaly to a witness (shown by the full summary and --json; a
 *  one-line-per-history listing shows neither, so it skips the shrinking, which costs more than the search on
 *  small histories). */
async function checkOne(
  path: string,
  o: CheckFlags,
  budget: CheckBudget,
  witnesses = true,
): Promise<{ results: Results; spec?: ModelSpec; txn?: TxnWorkload }> {
  if (!existsSync(path)) throw new UsageError(`no such file or directory: ${path}`);
  const file = statSync(path).isDirectory() ? join(path, FILES.history) : path;
  // Without --format: a run directory is faultline's JSONL; a file is detected from its first lines.
  let format = o.format;
  if (format === undefined && file !== path) format = "jsonl";
  if (format === undefined) {
    const d = detectFileFormat(file);
    format = d.format;
    if (format !== "jsonl")
      process.stderr.write(`faultline: ${file}: read as ${format} (detected: ${d.why}; --format to choose another)\n`);
  }
  const notes: string[] = [];
  if (!o.workload && (format !== "jsonl" || o.model || o.initial !== undefined || o.nilRead)) {
    const history = rebase(() => readAs(file, format, TRUNCATED_END, notes), file);
    for (const n of notes) process.stderr.write(`faultline: note: ${n}\n`);
    pairOperations(history, { file });
    // Elle's transactional histories are checked for isolation, the rest for linearizability.
    const txn = o.model ? undefined : inferTxnWorkload(history);
    if (txn && TXN_WORKLOADS.includes(txn)) {
      const wopts: WorkloadOptions = {
        keys: 0,
        seed: "",
        ...(o.consistencyModels ? { "consistency-models": o.consistencyModels } : {}),
      };
      return {
        results: await runCheckersAsync(
          history,
          (await lookup("workload", workloads, txn)).checkers(wopts),
          budgetFor(history, budget),
        ),
        txn,
      };
    }
    const spec = chooseModel(history, format, { model: o.model, initial: o.initial, nilRead: o.nilRead });
    const sync = linearizableChecker(spec);
    const results = await runCheckersAsync(
      history,
      [
        {
          ...sync,
          checkAsync: (h, b) => checkLinearizableParallel(h, { spec, allAnomalies: true, shrink: witnesses, ...b }),
        },
      ],
      budgetFor(history, budget),
    );
    return { results, spec };
  }
  if (o.model || o.initial !== undefined || o.nilRead)
    throw new UsageError(
      "--model, --initial and --nil-read choose a linearizability model; with --workload the workload's checkers judge the history (drop one)",
    );
  const run = readJson<{ config?: { workload?: string; keys?: number; workloadOptions?: object }; nodes?: string[] }>(
    join(dirname(file), FILES.run),
  );
  const ownRun = format === "jsonl" && run?.config !== undefined;
  const name = o.workload ?? run?.config?.workload ?? "register";
  const workload = await lookup("workload", workloads, name);
  // Jepsen's workload conventions (bank :read, counter :add, plain set elements) → faultline's.
  const read = rebase(() => readAs(file, format, TRUNCATED_END, notes), file);
  const history = fromJepsen(read, name, notes);
  setSourceLines(history, (i) => sourceLine(read, i)); // one op per position: the file's lines carry over
  for (const n of notes) process.stderr.write(`faultline: note: ${n}\n`);
  pairOperations(history, { file }); // validate invoke/completion structure, with file:line errors
  if (format === "jsonl" && TXN_WORKLOADS.includes(name))
    validateTxnOps(history, name as TxnWorkload, file, (i) => sourceLine(history, i));
  const wopts: WorkloadOptions = {
    keys: run?.config?.keys ?? 3,
    seed: "",
    nodes: run?.nodes ?? [],
    ...(ownRun ? {} : { imported: true }),
    ...(run?.config?.workloadOptions ?? {}),
    ...o.wopt,
    ...(o.consistencyModels ? { "consistency-models": o.consistencyModels } : {}),
  };
  return {
    results: await rebaseAsync(
      () => runCheckersAsync(history, workload.checkers(wopts), budgetFor(history, budget)),
      file,
    ),
  };
}

/** A checker's HistoryError names the history it was given as HISTORY; name the file instead. */
function rebase<T>(f: () => T, file: string): T {
  try {
    return f();
  } catch (e) {
    throw renamed(e, file);
  }
}
async function rebaseAsync<T>(f: () => Promise<T>, file: string): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw renamed(e, file);
  }
}
function renamed(e: unknown, file: string): unknown {
  return e instanceof HistoryError && e.file === HISTORY ? new HistoryError(file, e.line, e.field, e.problem) : e;
}

/** Below this many events a history is checked in this thread unless --workers, --timeout or --memory asks
 *  otherwise: starting a worker thread costs more than checking it, and the search's own cache budget
 *  still ends a pathological one with "unknown". */
const IN_THREAD_EVENTS = 2_000;

function budgetFor(history: readonly unknown[], budget: CheckBudget): CheckBudget {
  const asked = budget.workers !== undefined || budget.timeoutMs !== undefined || budget.memoryMb !== undefined;
  return !asked && history.length <= IN_THREAD_EVENTS ? { workers: 0 } : budget;
}

/** Checks each history in turn, one line (or JSON object) each, then a summary; returns the worst exit code. */
async function checkMany(files: string[], o: CheckFlags, budget: CheckBudget): Promise<number> {
  const t0 = performance.now();
  const pool =
    budget.workers === 0 ? undefined : new LinearizablePool({ workers: budget.workers, memoryMb: budget.memoryMb });
  const codes: number[] = [];
  const counts = { valid: 0, invalid: 0, unknown: 0, error: 0 };
  try {
    for (const file of files) {
      const started = performance.now();
      try {
        const { results, spec } = await checkOne(file, o, { ...budget, ...(pool ? { pool } : {}) }, o.json === true);
        const code = exitCodeFor(results.valid);
        codes.push(code);
        counts[results.valid === true ? "valid" : results.valid === false ? "invalid" : "unknown"]++;
        const ms = performance.now() - started;
        if (o.json)
          process.stdout.write(
            JSON.stringify({ file, exitCode: code, ms: Math.round(ms), ...results, ...(spec ? { model: spec } : {}) }) +
              "\n",
          );
        else process.stdout.write(`${file}: ${oneLine(results)}\n`);
      } catch (e) {
        const err = e as Error & { code?: string; path?: string };
        const message =
          err?.code === "ENOENT" && err.path ? `no such file or directory: ${err.path}` : (err?.message ?? String(e));
        const code = exitCodeOf(e);
        codes.push(code);
        counts.error++;
        if (o.json) process.stdout.write(JSON.stringify({ file, exitCode: code, error: message }) + "\n");
        else process.stdout.write(`${file}: ERROR (exit ${code}) ${message}\n`);
      }
    }
  } finally {
    await pool?.close();
  }
  const worst = worstExit(codes);
  const seconds = ((performance.now() - t0) / 1000).toFixed(2);
  const summary = { histories: files.length, ...counts, exitCode: worst, seconds: Number(seconds) };
  if (o.json) process.stdout.write(JSON.stringify({ summary }) + "\n");
  else
    process.stdout.write(
      `${files.length} histories: ${counts.valid} valid, ${counts.invalid} invalid, ${counts.unknown} unknown, ${counts.error} error(s) in ${seconds} s; exit ${worst}\n`,
    );
  return worst;
}

function oneLine(r: Results): string {
  const word = r.valid === true ? "VALID" : r.valid === false ? "INVALID" : "UNKNOWN";
  const parts = Object.entries(r.checkers).map(([name, v]) => {
    const n = v.anomalies.length;
    return `${name} ${v.valid === true ? "valid" : v.valid === false ? `invalid${n ? ` (${n} anomal${n === 1 ? "y" : "ies"})` : ""}` : `unknown${v.reason ? ` (${v.reason})` : ""}`}`;
  });
  return `${word} · ${parts.join(", ")}`;
}

/** The same rule as `report`: a killed run's incomplete last line is left out, and said so. */
export const TRUNCATED_END = {
  dropTruncatedEnd: true,
  onNote: (n: string) => process.stderr.write(`faultline: ${n}\n`),
};

function checkBudget(o: { workers?: string; timeout?: string; memory?: string }): CheckBudget {
  const budget: CheckBudget = {};
  if (o.workers !== undefined) {
    const n = Number(o.workers);
    if (!Number.isInteger(n) || n < 0)
      throw new UsageError(`--workers must be a whole number ≥ 0, got ${JSON.stringify(o.workers)}`);
    budget.workers = n;
  }
  if (o.timeout !== undefined) {
    const s = Number(o.timeout);
    if (!(s > 0) || !Number.isFinite(s))
      throw new UsageError(`--timeout must be a positive number of seconds, got ${JSON.stringify(o.timeout)}`);
    if (budget.workers === 0)
      throw new UsageError(
        "--timeout needs worker threads: it cannot stop a search running in this thread (drop --workers 0)",
      );
    budget.timeoutMs = s * 1000;
  }
  if (o.memory !== undefined) {
    const mb = Number(o.memory);
    if (!(mb >= 16) || !Number.isFinite(mb))
      throw new UsageError(`--memory must be a number of MB ≥ 16, got ${JSON.stringify(o.memory)}`);
    budget.memoryMb = mb;
  }
  return budget;
}
