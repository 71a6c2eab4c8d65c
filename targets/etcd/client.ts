// Workload ops → etcd requests, and etcd failures → fail (certainly not applied) or info (may apply later).
//
// Keys and values: a register key `k` is the etcd key `k`, its value the JSON of the register's value. A set
// element x added to `k` is its own key `k/<json x>` (no read-modify-write, so concurrent adds never
// conflict), and a read of `k` returns the elements in the order etcd created them. Every op is one request:
//   read [k, null]         → txn{ range k ; range prefix k/ } (serializable ranges with read=serializable)
//   read-all [k1, k2, …]   → txn{ range k1 ; range k2 ; … }
//   write [k, v]           → put k v
//   cas [k, [old, new]]    → txn{ if value(k) = old (or k absent for null) then put k new }; the compare
//                            failing is a definite "compare-failed"
//   add [k, x]             → put k/<json x> x
//   txn [[f, k, v], …]     → rw-register transactions: a Txn of ranges, then a Txn comparing mod revisions (txn.ts)
import type { Completion } from "../../src/history/op.ts";
import type { Client, OpSpec } from "../../src/run/types.ts";
import { EtcdError, type EtcdGateway, type KeyValue, type TxnOp } from "./gateway.ts";
import { runEtcdTxn } from "./txn.ts";

export type EtcdRead = "linearizable" | "serializable";

/** The op f's this client understands. */
export const ETCD_OPS = ["read", "read-all", "write", "cas", "add", "txn"] as const;

/** Ops that change nothing: their failures are always definite (a read that did not answer had no effect). */
const READ_ONLY = new Set(["read", "read-all"]);

const encode = (v: unknown): string => JSON.stringify(v ?? null);
function decode(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** The etcd key of set element x under k. */
export const elementKey = (k: string, x: unknown): string => `${k}/${encode(x)}`;

/** A read's value from its two ranges: the set's elements if the key has any, else the register (or null). */
export function readValue(exact: KeyValue[] | undefined, elements: KeyValue[] | undefined): unknown {
  if (elements && elements.length) {
    return [...elements].sort((a, b) => a.createRevision - b.createRevision).map((kv) => decode(kv.value));
  }
  return exact && exact.length ? decode(exact[0].value) : null;
}

/** Turns an error from the gateway into the op's completion. */
export function completionForError(f: string, e: unknown): Completion {
  const err = e instanceof EtcdError ? e : new EtcdError((e as Error)?.message ?? String(e), false);
  const definite = err.definite || READ_ONLY.has(f);
  return { type: definite ? "fail" : "info", error: err.message };
}

export class EtcdClient implements Client {
  constructor(
    private readonly gw: EtcdGateway,
    private readonly read: EtcdRead = "linearizable",
  ) {}

  async invoke(op: OpSpec): Promise<Completion> {
    try {
      return await this.apply(op);
    } catch (e) {
      return completionForError(op.f, e);
    }
  }

  private async apply(op: OpSpec): Promise<Completion> {
    const serializable = this.read === "serializable";
    switch (op.f) {
      case "read": {
        const [k] = op.value as [string, unknown];
        const r = await this.gw.txn(
          [],
          [{ range: { key: k, serializable } }, { range: { key: `${k}/`, prefix: true, serializable } }],
        );
        return { type: "ok", value: [k, readValue(r.ranges[0], r.ranges[1])] };
      }
      case "read-all": {
        const keys = op.value as string[];
        const r = await this.gw.txn(
          [],
          keys.map((key): TxnOp => ({ range: { key, serializable } })),
        );
        return { type: "ok", value: Object.fromEntries(keys.map((k, i) => [k, readValue(r.ranges[i], undefined)])) };
      }
      case "write": {
        const [k, v] = op.value as [string, unknown];
        await this.gw.put(k, encode(v));
        return { type: "ok", value: op.value };
      }
      case "cas": {
        const [k, [expected, next]] = op.value as [string, [unknown, unknown]];
        const compare =
          expected === null || expected === undefined
            ? { key: k, absent: true as const }
            : { key: k, value: encode(expected) };
        const r = await this.gw.txn([compare], [{ put: { key: k, value: encode(next) } }]);
        return r.succeeded
          ? { type: "ok", value: op.value }
          : { type: "fail", value: op.value, error: "compare-failed" };
      }
      case "add": {
        const [k, x] = op.value as [string, unknown];
        await this.gw.put(elementKey(k, x), encode(x));
        return { type: "ok", value: op.value };
      }
      case "txn":
        return runEtcdTxn(this.gw, op.value, serializable);
      default:
        return { type: "fail", error: `unsupported op ${JSON.stringify(op.f)} on etcd` };
    }
  }

  async close(): Promise<void> {
    this.gw.close();
  }
}
