// Transactions from a history: each client op with f "txn" and a value that is a list of micro-ops, Jepsen's
// shape — ["append", k, v] / ["r", k, [v…] | null] for list-append, ["w", k, v] / ["r", k, v | null] for
// rw-register. The invoke carries null reads; an ok completion carries what was read.
import { HistoryError, type Op } from "../../src/history/op.ts";
import { pairOperations, type Operation } from "../../src/history/pairs.ts";
import { show as showValue } from "../../src/format.ts";

export type Workload = "list-append" | "rw-register";
export type Mop = [f: string, k: unknown, v: unknown];

export interface Txn {
  /** Graph node (ok and indeterminate transactions), or -1 for a failed one. */
  node: number;
  op: Operation;
  mops: Mop[];
}

const isScalar = (x: unknown) => typeof x === "number" || typeof x === "string";

/** The first thing wrong with a transaction's value, as [field, problem], or undefined. */
export function txnProblem(value: unknown, workload: Workload, completed: boolean): [string, string] | undefined {
  if (!Array.isArray(value)) return ["value", `a txn's value must be a list of micro-ops, got ${show(value)}`];
  for (let i = 0; i < value.length; i++) {
    const m = value[i];
    const at = `value[${i}]`;
    if (!Array.isArray(m) || m.length !== 3) return [at, `a micro-op must be [f, key, value], got ${show(m)}`];
    const [f, k, v] = m;
    if (!isScalar(k)) return [at, `key must be a number or a string, got ${show(k)}`];
    const write = workload === "list-append" ? "append" : "w";
    if (f === write) {
      if (!isScalar(v)) return [at, `${f} value must be a number or a string, got ${show(v)}`];
      // Transactions are short: a scan of the earlier micro-ops beats allocating a set per transaction.
      for (let j = 0; j < i; j++) { const o = value[j]; if (o[0] === f && o[1] === k && o[2] === v) return [at, `value ${show(v)} is written to key ${show(k)} twice in one transaction`]; }
    } else if (f === "r") {
      if (v === null) continue;
      if (!completed) continue;
      if (workload === "list-append") {
        if (!Array.isArray(v)) return [at, `a list-append read must be a list or null, got ${show(v)}`];
        for (const x of v) if (!isScalar(x)) return [at, `a read list's elements must be numbers or strings, got ${show(x)}`];
      } else if (!isScalar(v)) return [at, `a rw-register read must be a number, a string or null, got ${show(v)}`];
    } else return [at, `unknown micro-op ${show(f)} for ${workload} (use ${JSON.stringify(write)} or "r")`];
  }
  return undefined;
}

/** Checks every txn op of a history: malformed micro-ops and a value written twice to one key are
 *  `file:line: field: problem` errors (HistoryError). */
export function validateTxnHistory(history: readonly Op[], workload: Workload, file = "<history>"): void {
  const writers = new Map<unknown, Map<unknown, number>>();
  for (const op of history) {
    // fail and info completions may carry anything (their invocation was checked)
    if (op.process === "nemesis" || op.f !== "txn" || op.type === "fail" || op.type === "info") continue;
    const p = txnProblem(op.value, workload, op.type === "ok");
    if (p) throw new HistoryError(file, op.index + 1, p[0], p[1]);
    if (op.type !== "invoke") continue;
    const write = workload === "list-append" ? "append" : "w";
    for (const [f, k, v] of op.value as Mop[]) {
      if (f !== write) continue;
      let m = writers.get(k);
      if (!m) writers.set(k, (m = new Map()));
      const prev = m.get(v);
      if (prev !== undefined && prev !== op.index) throw new HistoryError(file, op.index + 1, "value", `value ${show(v)} is written to key ${show(k)} again (first at line ${prev + 1}); values must be unique per key`);
      m.set(v, op.index);
    }
  }
}

/** Pairs the history and parses its transactions: ok and info ones get graph nodes in invocation order. */
export function readTxns(history: readonly Op[], workload: Workload): { txns: Txn[]; failed: Txn[] } {
  const txns: Txn[] = [], failed: Txn[] = [];
  for (const op of pairOperations(history)) {
    if (op.f !== "txn") continue;
    // A completion may drop the micro-ops (fail/info often carry the invoke's value): use the invoke's then.
    const value = op.type === "ok" ? op.value : op.invoke.value;
    const p = txnProblem(value, workload, op.type === "ok");
    if (p) throw new HistoryError("<history>", (op.type === "ok" ? op.complete!.index : op.invoke.index) + 1, p[0], p[1]);
    const t: Txn = { node: -1, op, mops: value as Mop[] };
    if (op.type === "fail") failed.push(t);
    else { t.node = txns.length; txns.push(t); }
  }
  return { txns, failed };
}

/** A value in an explanation: JSON, at most 60 characters. */
export const show = (v: unknown): string => showValue(v, 60);
