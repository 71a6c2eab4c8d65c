// Builds small transactional histories for the isolation checker's tests: each step is an invocation or a
// completion, 1 ms apart, so real-time order is exactly the order the steps are written in.
import type { Op } from "../../src/history/op.ts";

export type M = [string, unknown, unknown];

export class TxnHistory {
  readonly ops: Op[] = [];
  private open = new Map<number | "nemesis", M[]>();
  private at(): number {
    return this.ops.length * 1e6;
  }
  private push(o: Omit<Op, "index" | "time">): this {
    this.ops.push({ index: this.ops.length, time: this.at(), ...o });
    return this;
  }
  /** Invoke a txn on process p; its reads carry null until it completes. */
  begin(p: number, mops: M[]): this {
    this.open.set(p, mops);
    return this.push({
      process: p,
      type: "invoke",
      f: "txn",
      value: mops.map(([f, k, v]) => [f, k, f === "r" ? null : v]),
    });
  }
  /** Complete process p's open txn: ok with the values read, or fail / info. */
  end(p: number, type: "ok" | "fail" | "info" = "ok"): this {
    const mops = this.open.get(p)!;
    this.open.delete(p);
    return this.push({
      process: p,
      type,
      f: "txn",
      value: type === "ok" ? mops : mops.map(([f, k, v]) => [f, k, f === "r" ? null : v]),
    });
  }
  /** A transaction that runs alone: invoke then completion. */
  txn(p: number, mops: M[], type: "ok" | "fail" | "info" = "ok"): this {
    return this.begin(p, mops).end(p, type);
  }
  nemesis(f: string, value: unknown = null): this {
    return this.push({ process: "nemesis", type: "info", f, value });
  }
}
