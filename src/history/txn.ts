// The shape of a transaction, Jepsen's (Elle's list-append and rw-register): an op with f "txn" whose value
// is a list of micro-ops [f, key, value] — ["append", k, v] / ["r", k, [v…] | null] for list-append, ["w", k, v] /
// ["r", k, v | null] for rw-register. The invoke carries null reads; an ok completion carries what was read.
// One set of rules for every reader (JSONL, Jepsen EDN and JSON, the isolation checker): bad input is a
// HistoryError naming the file, the line and the field.
import { HistoryError } from "./op.ts";
import { show as showValue } from "../format.ts";

export type TxnWorkload = "list-append" | "rw-register";
export const TXN_WORKLOADS: readonly string[] = ["list-append", "rw-register"];
export type Mop = [f: string, k: unknown, v: unknown];

/** The micro-op that writes, per workload. */
export const TXN_WRITE: Record<TxnWorkload, string> = { "list-append": "append", "rw-register": "w" };

const isScalar = (v: unknown) => (typeof v === "number" && Number.isFinite(v)) || typeof v === "string";
const show = (v: unknown) => showValue(v, 60);

/** The first thing wrong with a transaction's value, as [field, problem], or undefined. `completed`: the value
 *  of an ok completion, whose reads must hold what was read (an invocation's reads are null). */
export function txnProblem(value: unknown, workload: TxnWorkload, completed: boolean): [string, string] | undefined {
  if (!Array.isArray(value))
    return ["value", `a ${workload} transaction must be a list of micro-ops, got ${show(value)}`];
  const write = TXN_WRITE[workload];
  for (let j = 0; j < value.length; j++) {
    const m = value[j];
    const at = `value[${j}]`;
    if (!Array.isArray(m) || m.length !== 3) return [at, `a micro-op must be [f, key, value], got ${show(m)}`];
    const [f, k, v] = m;
    if (f !== "r" && f !== write)
      return [at, `${workload} micro-ops are "r" and ${JSON.stringify(write)}, got ${show(f)}`];
    if (!isScalar(k)) return [`${at}.key`, `must be a number or a string, got ${show(k)}`];
    if (f === write) {
      if (!isScalar(v)) return [`${at}.value`, `a written value must be a number or a string, got ${show(v)}`];
    } else if (completed && v !== null) {
      if (workload === "rw-register") {
        if (!isScalar(v))
          return [`${at}.value`, `a rw-register read must give a number, a string or nil, got ${show(v)}`];
      } else if (!Array.isArray(v))
        return [`${at}.value`, `a list-append read must give a list (or nil), got ${show(v)}`];
      else if (!v.every(isScalar)) return [`${at}.value`, `a list read must hold numbers or strings, got ${show(v)}`];
    }
  }
  return undefined;
}

/** Checks every txn op: each value's shape (txnProblem) and that no value is written to a key twice (values are
 *  unique per key, or no checker can tell writes apart). `lineOf(i)` is the source line of ops[i]. Nemesis ops
 *  are skipped, and so are fail and info completions: they may carry anything, their invocation was checked. */
export function validateTxnOps(
  ops: readonly { f: string; type: string; value: unknown; process?: unknown }[],
  workload: TxnWorkload,
  file: string,
  lineOf: (i: number) => number,
): void {
  const write = TXN_WRITE[workload];
  const written = new Map<string, number>(); // "key\u0000value" → line of the first invoke writing it
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i];
    if (o.f !== "txn" || o.process === "nemesis" || o.type === "fail" || o.type === "info") continue;
    const line = lineOf(i);
    const p = txnProblem(o.value, workload, o.type === "ok");
    if (p) throw new HistoryError(file, line, p[0], p[1]);
    if (o.type !== "invoke") continue;
    (o.value as Mop[]).forEach(([f, k, v], j) => {
      if (f !== write) return;
      const id = `${JSON.stringify(k)}\u0000${JSON.stringify(v)}`;
      const first = written.get(id);
      if (first !== undefined)
        throw new HistoryError(
          file,
          line,
          `value[${j}].value`,
          `${show(v)} is ${f === "w" ? "written to" : "appended to"} key ${show(k)} a second time (first at line ${first}); values must be unique per key`,
        );
      written.set(id, line);
    });
  }
}
