// Builds small hand-written histories for tests: h.invoke(p, f, v) / h.ok(p, f, v) ...
import type { Op, OpType } from "../src/history/op.ts";

export function historyBuilder() {
  const ops: Op[] = [];
  const add = (type: OpType) => (process: number | "nemesis", f: string, value: unknown = null, extra: Partial<Op> = {}) => {
    const op: Op = { index: ops.length, time: ops.length * 1_000_000, process, type, f, value, ...extra };
    ops.push(op);
    return op.index;
  };
  return { ops, invoke: add("invoke"), ok: add("ok"), fail: add("fail"), info: add("info") };
}
