// Words for transactions and edges, in the reader's terms.
import type { Mop, Txn } from "./txns.ts";
import { show } from "./txns.ts";

export const mopText = (m: Mop) =>
  m[0] === "r"
    ? `read ${show(m[1])} → ${show(m[2])}`
    : m[0] === "append"
      ? `append ${show(m[2])} to ${show(m[1])}`
      : `write ${show(m[1])} = ${show(m[2])}`;

/** "process 3, ops 12–15: [append 8 to 255, read 255 → [1,8]]". */
export function txnText(t: Txn): string {
  const o = t.op;
  const span = o.complete ? `ops ${o.invoke.index}–${o.complete.index}` : `op ${o.invoke.index}, never completed`;
  const status = o.type === "ok" ? "" : o.type === "fail" ? ", failed" : ", indeterminate";
  return `process ${o.process}, ${span}${status}: [${t.mops.map(mopText).join(", ")}]`;
}

export { millis as ms } from "../../src/format.ts";

/** History indexes of a transaction's events. */
export const opsOf = (...ts: Txn[]) =>
  [
    ...new Set(ts.flatMap((t) => (t.op.complete ? [t.op.invoke.index, t.op.complete.index] : [t.op.invoke.index]))),
  ].sort((a, b) => a - b);

/** The history index that names a transaction in evidence: its completion, or its invocation if it has none. */
export const idx = (t: Txn) => (t.op.complete ?? t.op.invoke).index;
