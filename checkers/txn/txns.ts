// Transactions from a history: each client op with f "txn" and a value that is a list of micro-ops, Jepsen's
// shape; the rules a transaction must keep are the history layer's (src/history/txn.ts).
import { HistoryError, sourceLine, type Op } from "../../src/history/op.ts";
import { pairOperations, type Operation } from "../../src/history/pairs.ts";
import { txnProblem, validateTxnOps, type Mop, type TxnWorkload } from "../../src/history/txn.ts";
import { show as showValue } from "../../src/format.ts";

export type Workload = TxnWorkload;
export type { Mop };

export interface Txn {
  /** Graph node (ok and indeterminate transactions), or -1 for a failed one. */
  node: number;
  op: Operation;
  mops: Mop[];
}

/** Checks every txn op of a history: malformed micro-ops and a value written twice to one key are
 *  `file:line: field: problem` errors (HistoryError) naming the op's line in its file. */
export function validateTxnHistory(history: readonly Op[], workload: Workload, file = "<history>"): void {
  validateTxnOps(history, workload, file, (i) => sourceLine(history, i));
}

/** Pairs the history and parses its transactions: ok and info ones get graph nodes in invocation order. */
export function readTxns(history: readonly Op[], workload: Workload): { txns: Txn[]; failed: Txn[] } {
  const txns: Txn[] = [],
    failed: Txn[] = [];
  for (const op of pairOperations(history)) {
    if (op.f !== "txn") continue;
    // A completion may drop the micro-ops (fail/info often carry the invoke's value): use the invoke's then.
    const value = op.type === "ok" ? op.value : op.invoke.value;
    const p = txnProblem(value, workload, op.type === "ok");
    if (p)
      throw new HistoryError("<history>", (op.type === "ok" ? op.complete!.index : op.invoke.index) + 1, p[0], p[1]);
    const t: Txn = { node: -1, op, mops: value as Mop[] };
    if (op.type === "fail") failed.push(t);
    else {
      t.node = txns.length;
      txns.push(t);
    }
  }
  return { txns, failed };
}

/** A value in an explanation: JSON, at most 60 characters. */
export const show = (v: unknown): string => showValue(v, 60);
