// Elle-style rw-register transactions on etcd, through its Txn API with optimistic concurrency:
//   1. one Txn of ranges reads every key the transaction touches (etcd key `txn/<k>`), with their mod revisions;
//   2. the micro-ops run locally against that snapshot (reads see the transaction's own earlier writes);
//   3. a transaction that writes commits as one Txn: if every touched key's mod revision is unchanged, put the
//      writes and read the keys again (the reads must still hold at the commit revision); else it did
//      nothing: a definite fail ("conflict").
// A read-only transaction is step 1 alone: one Txn, so one revision of the whole store. With
// read=serializable those ranges are served by the member's own state, possibly stale: serializable, not
// strict serializable. Writes are always checked against the leader's revisions.
import type { Completion } from "../../src/history/op.ts";
import type { EtcdGateway, KeyValue } from "./gateway.ts";

type MicroOp = [string, unknown, unknown];

const etcdKey = (k: unknown) => `txn/${JSON.stringify(k)}`;
const decode = (kvs: KeyValue[] | undefined): unknown => (kvs && kvs.length ? JSON.parse(kvs[0].value) : null);

export async function runEtcdTxn(gw: EtcdGateway, value: unknown, serializable: boolean): Promise<Completion> {
  const ops = value as MicroOp[];
  if (!ops.every((m) => m[0] === "r" || m[0] === "w"))
    return { type: "fail", value, error: "etcd runs rw-register transactions only (micro-ops r and w)" };
  const keys = [...new Set(ops.map((m) => etcdKey(m[1])))];
  const writes = ops.some((m) => m[0] === "w");
  let snap;
  try {
    snap = await gw.txn(
      [],
      keys.map((key) => ({ range: { key, serializable: serializable && !writes } })),
    );
  } catch (e) {
    return { type: "fail", value, error: (e as Error).message }; // only reads were sent: nothing happened
  }
  const state = new Map(keys.map((k, i) => [k, decode(snap.ranges[i])]));
  const out: MicroOp[] = [];
  const puts = new Map<string, unknown>();
  for (const [f, k, v] of ops) {
    const key = etcdKey(k);
    if (f === "w") {
      puts.set(key, v);
      state.set(key, v);
      out.push([f, k, v]);
    } else out.push([f, k, state.get(key) ?? null]);
  }
  if (!writes) return { type: "ok", value: out };
  const compare = keys.map((key, i) => ({ key, modRevision: snap.ranges[i]?.[0]?.modRevision ?? 0 }));
  const r = await gw.txn(
    compare,
    [...puts].map(([key, v]) => ({ put: { key, value: JSON.stringify(v) } })),
  );
  return r.succeeded
    ? { type: "ok", value: out }
    : { type: "fail", value, error: "conflict: a key changed since the transaction read it" };
}
