// Transactional histories (Elle's list-append and rw-register) in and out of other tools' formats, and their
// validation: an op `f: "txn"` whose value is a list of micro-ops [f, k, v], f one of "append" and "r"
// (list-append) or "w" and "r" (rw-register). Jepsen writes them `[[:append 3 7] [:r 3 [1 2 7]]]`.
// Bad input is a HistoryError naming the file, the line and the field: a malformed micro-op, a value
// written twice to one key (values are unique per key, or the checker cannot tell writes apart), or a list
// read that is not a list.
import { HistoryError, type Op } from "../op.ts";
import { jsonToEdn } from "./edn.ts";
import { show } from "../../format.ts";

export type TxnWorkload = "list-append" | "rw-register";
export const TXN_WORKLOADS: readonly string[] = ["list-append", "rw-register"];

const WRITE: Record<TxnWorkload, string> = { "list-append": "append", "rw-register": "w" };
const isKey = (k: unknown) => (typeof k === "number" && Number.isFinite(k)) || typeof k === "string";
const isScalar = (v: unknown) => (typeof v === "number" && Number.isFinite(v)) || typeof v === "string";

/** A transaction's value as Jepsen EDN: micro-op names as keywords. */
export function txnValueToEdn(value: unknown): string {
  if (!Array.isArray(value)) return jsonToEdn(value);
  return "[" + value.map((m) => (Array.isArray(m) && typeof m[0] === "string" ? `[:${m[0]} ${m.slice(1).map(jsonToEdn).join(" ")}]` : jsonToEdn(m))).join(" ") + "]";
}

/** Which transactional workload a history's micro-ops belong to: undefined when it has no transactions, or
 *  transactions of other micro-ops (Knossos' multi-register `[:read :x 1]`, checked for linearizability). */
export function inferTxnWorkload(ops: readonly { f: string; value: unknown }[]): TxnWorkload | undefined {
  let append = false, w = false, r = false;
  for (const o of ops) {
    if (o.f !== "txn" || !Array.isArray(o.value)) continue;
    for (const m of o.value) {
      if (!Array.isArray(m)) continue;
      if (m[0] === "append") append = true;
      else if (m[0] === "w") w = true;
      else if (m[0] === "r") r = true;
      else return undefined;
    }
  }
  return append ? "list-append" : w ? "rw-register" : r ? "list-append" : undefined;
}

/** Validates every `txn` op; `lineOf(i)` is the source line of ops[i]. Throws the first problem. */
export function validateTxnOps(ops: readonly { f: string; type: string; value: unknown }[], workload: TxnWorkload, file: string, lineOf: (i: number) => number): void {
  const write = WRITE[workload];
  const written = new Map<string, number>();   // "key\u0000value" → line of the first invoke writing it
  ops.forEach((o, i) => {
    if (o.f !== "txn") return;
    const line = lineOf(i);
    if (!Array.isArray(o.value)) throw new HistoryError(file, line, "value", `a ${workload} transaction must be a list of micro-ops, got ${show(o.value)}`);
    o.value.forEach((m, j) => {
      const field = `value[${j}]`;
      if (!Array.isArray(m) || m.length !== 3) throw new HistoryError(file, line, field, `a micro-op must be [f, key, value], got ${show(m)}`);
      const [f, k, v] = m;
      if (f !== "r" && f !== write) throw new HistoryError(file, line, field, `${workload} micro-ops are "r" and ${JSON.stringify(write)}, got ${show(f)}`);
      if (!isKey(k)) throw new HistoryError(file, line, `${field}.key`, `must be a number or a string, got ${show(k)}`);
      if (f === write) {
        if (!isScalar(v)) throw new HistoryError(file, line, `${field}.value`, `a written value must be a number or a string, got ${show(v)}`);
        if (o.type === "invoke") {
          const id = `${JSON.stringify(k)}\u0000${JSON.stringify(v)}`;
          const first = written.get(id);
          if (first !== undefined) throw new HistoryError(file, line, `${field}.value`, `${show(v)} is ${f === "w" ? "written to" : "appended to"} key ${show(k)} a second time (first at line ${first}); values must be unique per key`);
          written.set(id, line);
        }
      } else if (o.type === "ok" && workload === "list-append" && v !== null && !Array.isArray(v)) {
        throw new HistoryError(file, line, `${field}.value`, `a list-append read must give a list (or nil), got ${show(v)}`);
      } else if (o.type === "ok" && workload === "list-append" && Array.isArray(v) && !v.every(isScalar)) {
        throw new HistoryError(file, line, `${field}.value`, `a list read must hold numbers or strings, got ${show(v)}`);
      }
    });
  });
}

/** Validates a history's transactions when it holds any (for importers, whose ops carry a line). */
export function validateImportedTxns(ops: readonly (Op | { f: string; type: string; value: unknown; line: number })[], file: string): void {
  const w = inferTxnWorkload(ops);
  if (w) validateTxnOps(ops, w, file, (i) => ("line" in ops[i] ? (ops[i] as { line: number }).line : i + 1));
}
