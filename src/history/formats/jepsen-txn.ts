// Transactional histories (Elle's list-append and rw-register) in and out of other tools' formats, and their
// validation: an op `f: "txn"` whose value is a list of micro-ops [f, k, v], f one of "append" and "r"
// (list-append) or "w" and "r" (rw-register). Jepsen writes them `[[:append 3 7] [:r 3 [1 2 7]]]`.
// The rules a transaction must keep are the history layer's (../txn.ts), shared with the isolation checker.
import type { Op } from "../op.ts";
import { validateTxnOps, type TxnWorkload } from "../txn.ts";
import { jsonToEdn } from "./edn.ts";

export { TXN_WORKLOADS, validateTxnOps, type TxnWorkload } from "../txn.ts";

/** A transaction's value as Jepsen EDN: micro-op names as keywords. */
export function txnValueToEdn(value: unknown): string {
  if (!Array.isArray(value)) return jsonToEdn(value);
  return (
    "[" +
    value
      .map((m) =>
        Array.isArray(m) && typeof m[0] === "string"
          ? `[:${m[0]} ${m.slice(1).map(jsonToEdn).join(" ")}]`
          : jsonToEdn(m),
      )
      .join(" ") +
    "]"
  );
}

/** Which transactional workload a history's micro-ops belong to: undefined when it has no transactions, or
 *  transactions of other micro-ops (Knossos' multi-register `[:read :x 1]`, checked for linearizability). */
export function inferTxnWorkload(ops: readonly { f: string; value: unknown }[]): TxnWorkload | undefined {
  let append = false,
    w = false,
    r = false;
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

/** Validates a history's transactions when it holds any (for importers, whose ops carry a line). */
export function validateImportedTxns(
  ops: readonly (Op | { f: string; type: string; value: unknown; line: number })[],
  file: string,
): void {
  const w = inferTxnWorkload(ops);
  if (w) validateTxnOps(ops, w, file, (i) => ("line" in ops[i] ? (ops[i] as { line: number }).line : i + 1));
}
