// The sim's transactional modes: a primary (n1) that runs Elle-style transactions under one concurrency
// control per mode, and (txn-replica-snapshot) replicas that serve read-only transactions. Each mode sits on
// one boundary between isolation models:
//   txn-strict-serializable  every transaction runs atomically at one instant between its invoke and completion;
//   txn-serializable         read-write transactions as above; read-only ones read a consistent but stale
//                            prefix of the commit order (a snapshot up to `stale-ms` old);
//   txn-snapshot             each transaction reads the snapshot taken when it began and commits unless another
//                            transaction committed a write to one of its written keys since (first committer
//                            wins): no lost update, but write skew (G2-item);
//   txn-read-committed       each read sees the latest committed data at that moment; writes are buffered and
//                            installed at commit without any conflict check (G-single, lost update);
//   txn-replica-snapshot     read-write transactions atomic on the primary; read-only transactions read a
//                            replica's state at one instant. Replicas apply commits asynchronously, and
//                            commits that share no key in their own orders, so two replicas can see two
//                            independent commits in opposite orders (long fork, G-nonadjacent).
// Transactions take time (`step-ms` per micro-op) in the modes that interleave them, so they overlap.
import type { Completion } from "../../src/history/op.ts";
import type { Rng } from "../../src/run/rng.ts";
import type { SimClock } from "./clock.ts";
import { Requests, type Req, type SimNetwork } from "./network.ts";
import { applyTxnAtomically, isReadOnlyTxn, TxnBuffer, type MicroOp } from "./txn-ops.ts";

export const TXN_MODES = [
  "txn-strict-serializable",
  "txn-serializable",
  "txn-snapshot",
  "txn-read-committed",
  "txn-replica-snapshot",
] as const;
export type TxnMode = (typeof TXN_MODES)[number];
export const isTxnMode = (m: string): m is TxnMode => (TXN_MODES as readonly string[]).includes(m);

interface Commit {
  seq: number;
  writes: [string, unknown][];
  deps: number[];
}
type Msg =
  | Req
  | { t: "fwd"; req: Req }
  | { t: "fwd-resp"; req: Req; completion: Completion }
  | { t: "commits"; commits: Commit[] }
  | { t: "ack"; upto: number };

const RETRANSMIT = 20,
  LOCK_TIMEOUT = 30;

/** Committed versions of every key: (commit seq, value), oldest first. */
class Versions {
  private byKey = new Map<string, [number, unknown][]>();
  latest(k: string): unknown {
    const v = this.byKey.get(k);
    return v ? v[v.length - 1][1] : null;
  }
  latestSeq(k: string): number {
    const v = this.byKey.get(k);
    return v ? v[v.length - 1][0] : 0;
  }
  /** The value as of commit `seq` (the newest version at or before it). */
  at(k: string, seq: number): unknown {
    const v = this.byKey.get(k);
    if (!v) return null;
    for (let i = v.length - 1; i >= 0; i--) if (v[i][0] <= seq) return v[i][1];
    return null;
  }
  install(seq: number, writes: [string, unknown][]): void {
    for (const [k, val] of writes) {
      let v = this.byKey.get(k);
      if (!v) this.byKey.set(k, (v = []));
      v.push([seq, val]);
    }
  }
}

class Replica {
  constructor(readonly index: number) {}
  data = new Map<string, unknown>();
  applied = new Set<number>();
  contiguous = 0; // every commit up to here is applied
  pending = new Map<number, Commit>();
  due = new Set<number>(); // pending commits whose own apply delay has passed
}

export class SimTxnCluster {
  private primary: string;
  private versions = new Versions();
  private seq = 0;
  private commitTimes: number[] = [0]; // commitTimes[s]: when commit s happened
  private log: Commit[] = [];
  private lastWrite = new Map<string, number>();
  private acked = new Map<string, number>();
  private replicas = new Map<string, Replica>();
  private locks = new Set<string>();
  private stepMs: number;
  private staleMs: number;
  private replicaDelayMs: number;
  running = true;
  private readonly requests: Requests;

  constructor(
    private names: string[],
    readonly mode: TxnMode,
    private net: SimNetwork,
    private clock: SimClock,
    private rng: Rng,
    options: Record<string, unknown> = {},
  ) {
    this.requests = new Requests(net);
    this.primary = names[0];
    this.stepMs = Number(options["step-ms"] ?? 1);
    this.staleMs = Number(options["stale-ms"] ?? 50);
    this.replicaDelayMs = Number(options["replica-delay-ms"] ?? 50);
    for (const n of names) {
      if (n !== this.primary) this.replicas.set(n, new Replica(this.replicas.size));
      net.listen(n, (from, msg) => this.receive(n, from, msg as Msg));
    }
    this.tick();
  }

  /** A client endpoint sends one op to a node and resolves with the node's reply (or never, if lost). */
  call(client: string, node: string, f: string, value: unknown): Promise<Completion> {
    return this.requests.call(client, node, f, value);
  }

  primaryName(): string {
    return this.primary;
  }

  private reply(node: string, req: Req, c: Completion): void {
    if (req.via && req.via !== node) this.net.send(node, req.via, { t: "fwd-resp", req, completion: c });
    else this.net.send(node, req.client, { t: "resp", id: req.id, completion: c });
  }

  private receive(node: string, from: string, m: Msg): void {
    switch (m.t) {
      case "req":
        return this.onRequest(node, m);
      case "fwd":
        return this.execute(node, m.req);
      case "fwd-resp":
        return this.net.send(node, m.req.client, { t: "resp", id: m.req.id, completion: m.completion });
      case "commits":
        return this.onCommits(node, m.commits);
      case "ack":
        this.acked.set(from, Math.max(this.acked.get(from) ?? 0, m.upto));
        return;
    }
  }

  private onRequest(node: string, req: Req): void {
    if (req.f !== "txn")
      return this.reply(node, req, {
        type: "fail",
        value: req.value,
        error: `the sim's txn-* modes run only transactions (f "txn": list-append, rw-register), not ${JSON.stringify(req.f)}`,
      });
    if (!Array.isArray(req.value) || !req.value.every((m) => Array.isArray(m) && m.length === 3))
      return this.reply(node, req, { type: "fail", value: req.value, error: "malformed transaction" });
    if (node !== this.primary && this.mode === "txn-replica-snapshot" && isReadOnlyTxn(req.value))
      return this.readOnReplica(node, req);
    if (node === this.primary) return this.execute(node, req);
    this.net.send(node, this.primary, { t: "fwd", req: { ...req, via: node } });
  }

  private commit(writes: [string, unknown][], touched: string[]): void {
    if (!writes.length) return;
    const seq = ++this.seq;
    this.versions.install(seq, writes);
    this.commitTimes.push(this.clock.now());
    // A replica applies a commit after the last commit that wrote any key it read or wrote (so it never shows
    // a transaction without one it observed), but not after earlier readers of the keys it writes.
    const deps = [...new Set(touched.map((k) => this.lastWrite.get(k) ?? 0).filter((s) => s > 0))];
    for (const [k] of writes) this.lastWrite.set(k, seq);
    if (this.mode === "txn-replica-snapshot") {
      const c: Commit = { seq, writes, deps };
      this.log.push(c);
      for (const r of this.replicas.keys()) this.net.send(this.primary, r, { t: "commits", commits: [c] });
    }
  }

  /** Runs a transaction on the primary under the mode's concurrency control. */
  private execute(node: string, req: Req): void {
    const ops = req.value as MicroOp[];
    const done = (value: MicroOp[]) => this.reply(node, req, { type: "ok", value });
    switch (this.mode) {
      case "txn-strict-serializable":
      case "txn-replica-snapshot": {
        const r = applyTxnAtomically(ops, (k) => this.versions.latest(k));
        this.commit(r.writes, touchedKeys(ops));
        return done(r.value);
      }
      case "txn-serializable": {
        if (isReadOnlyTxn(ops)) {
          // A consistent prefix of the commit order, as of a moment up to stale-ms ago.
          const asOf = this.clock.now() - this.rng.exp(this.staleMs / 2);
          let s = this.seq;
          while (s > 0 && this.commitTimes[s] > asOf) s--;
          return done(applyTxnAtomically(ops, (k) => this.versions.at(k, s)).value);
        }
        const r = applyTxnAtomically(ops, (k) => this.versions.latest(k));
        this.commit(r.writes, touchedKeys(ops));
        return done(r.value);
      }
      case "txn-snapshot":
      case "txn-read-committed":
        return this.interleaved(node, req, ops);
    }
  }

  /** Snapshot isolation or read committed: the micro-ops run one step apart, so transactions overlap. */
  private interleaved(node: string, req: Req, ops: MicroOp[]): void {
    const snapshot = this.seq;
    const rc = this.mode === "txn-read-committed";
    const get = (k: string) => (rc ? this.versions.latest(k) : this.versions.at(k, snapshot));
    const b = new TxnBuffer();
    const out: MicroOp[] = [];
    const mine = new Set<string>();
    const release = () => {
      for (const k of mine) this.locks.delete(k);
    };
    let waited = 0;
    const next = (i: number) => {
      if (i < ops.length) {
        // Read committed: a write locks its key until commit, as PostgreSQL's row locks do, so a transaction's
        // reads of its own appends agree with what it commits. A long wait is a deadlock: abort.
        const k = JSON.stringify(ops[i][1]);
        if (rc && ops[i][0] !== "r" && !mine.has(k)) {
          if (this.locks.has(k)) {
            if ((waited += this.stepMs) > LOCK_TIMEOUT) {
              release();
              return this.reply(node, req, { type: "fail", value: ops, error: "deadlock-detected" });
            }
            this.clock.at(this.stepMs, () => next(i));
            return;
          }
          this.locks.add(k);
          mine.add(k);
        }
        out.push(b.step(ops[i], get));
        this.clock.at(this.rng.exp(this.stepMs), () => next(i + 1));
        return;
      }
      if (!rc && b.writeKeys.some((k) => this.versions.latestSeq(k) > snapshot))
        return this.reply(node, req, {
          type: "fail",
          value: ops,
          error: "serialization-failure: a concurrent transaction committed a write to a key this one wrote",
        });
      this.commit(
        b.result((k) => this.versions.latest(k)),
        touchedKeys(ops),
      );
      release();
      this.reply(node, req, { type: "ok", value: out });
    };
    this.clock.at(this.rng.exp(this.stepMs), () => next(0));
  }

  // ---- replicas (txn-replica-snapshot) ----------------------------------------------------------------
  private readOnReplica(node: string, req: Req): void {
    const r = this.replicas.get(node)!;
    this.reply(node, req, { type: "ok", value: applyTxnAtomically(req.value, (k) => r.data.get(k) ?? null).value });
  }

  private onCommits(node: string, commits: Commit[]): void {
    const r = this.replicas.get(node);
    if (!r) return;
    for (const c of commits) {
      if (r.applied.has(c.seq) || r.pending.has(c.seq)) continue;
      r.pending.set(c.seq, c);
      // Parallel apply: each replica's apply workers take commits at their own pace, one worker per class of
      // keys. Replica j is slow (replica-delay-ms behind) on the keys of class j and quick on the others, so two
      // replicas see two independent commits in opposite orders. Every commit still waits for the earlier
      // commits it shares a key with, so each replica's state is a consistent snapshot.
      const fast = !c.writes.some(([k]) => keyClass(k, this.replicas.size) === r.index);
      this.clock.at(this.rng.exp(1) + (fast ? 0 : this.replicaDelayMs), () => {
        r.due.add(c.seq);
        this.applyReady(r);
      });
    }
    this.net.send(node, this.primary, { t: "ack", upto: r.contiguous });
  }

  private applyReady(r: Replica): void {
    let progress = true;
    while (progress) {
      progress = false;
      for (const c of [...r.pending.values()].sort((a, b) => a.seq - b.seq)) {
        if (!r.due.has(c.seq) || !c.deps.every((d) => r.applied.has(d))) continue;
        for (const [k, v] of c.writes) r.data.set(k, v);
        r.applied.add(c.seq);
        r.pending.delete(c.seq);
        r.due.delete(c.seq);
        while (r.applied.has(r.contiguous + 1)) r.contiguous++;
        progress = true;
        break;
      }
    }
  }

  private tick(): void {
    this.clock.at(RETRANSMIT, () => {
      if (this.mode === "txn-replica-snapshot" && !this.net.down.has(this.primary)) {
        for (const r of this.replicas.keys()) {
          const from = this.acked.get(r) ?? 0;
          const missing = this.log.slice(from, from + 64);
          if (missing.length) this.net.send(this.primary, r, { t: "commits", commits: missing });
        }
      }
      if (this.running) this.tick();
    });
  }
}

const keyClass = (k: string, n: number) => {
  let h = 0;
  for (const ch of k) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % n;
};
const touchedKeys = (ops: MicroOp[]) => [...new Set(ops.map((m) => JSON.stringify(m[1])))];
