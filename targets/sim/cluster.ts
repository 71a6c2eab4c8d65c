// The sim's replicated store: N nodes exchanging messages on the simulated network.
// Two replication families share the node state:
//   primary-based (linearizable, primary-async, sticky-session, failover-lossy): one primary orders every
//     change in a log and ships it to replicas, which apply it in order;
//   multi-master (causal, eventual-lww): every node writes locally and ships its own log to the others,
//     which merge by last-writer-wins, after causal dependencies (causal) or on arrival (eventual-lww).
import type { Completion } from "../../src/history/op.ts";
import type { Rng } from "../../src/run/rng.ts";
import type { SimClock } from "./clock.ts";
import type { SimMode } from "./modes.ts";
import { Requests, type Req, type SimNetwork } from "./network.ts";
import { apply, Data, isReadOnly } from "./store.ts";

type Stamp = [number, string]; // (time or Lamport clock, node): a total order for last-writer-wins
const later = (a: Stamp, b: Stamp | undefined) => !b || a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);

interface LogEntry {
  seq: number;
  writes: [string, unknown][];
  stamp?: Stamp;
  vc?: Record<string, number>;
}

const HEARTBEAT = 10,
  FAILOVER_AFTER = 300,
  RETRANSMIT = 20;

class SimNode {
  data: Data = new Data();
  stamps = new Map<string, Stamp>();
  clockOffset = 0;
  // primary-based
  primary: string;
  epoch = 0;
  log: LogEntry[] = []; // entries logBase+1 ..
  logBase = 0;
  applied = 0; // replicas: entries applied; primary: last seq
  match = new Map<string, number>();
  pending: { seq: number; done: () => void }[] = []; // waiting for a majority (linearizable)
  waiting: { seq: number; done: () => void }[] = []; // waiting until applied (sticky-session)
  lastHeard = new Map<string, number>();
  // multi-master
  own: LogEntry[] = [];
  delivered = new Map<string, number>();
  buffered: (LogEntry & { origin: string })[] = [];
  lamport = 0;
  peerAck = new Map<string, number>();

  constructor(
    readonly name: string,
    firstPrimary: string,
  ) {
    this.primary = firstPrimary;
  }
}

export class SimCluster {
  readonly nodes: Map<string, SimNode>;
  private names: string[];
  private readonly requests: Requests;

  constructor(
    names: string[],
    readonly mode: SimMode,
    private net: SimNetwork,
    private clock: SimClock,
    private rng: Rng,
  ) {
    this.names = names;
    this.requests = new Requests(net);
    this.nodes = new Map(names.map((n) => [n, new SimNode(n, names[0])]));
    for (const n of names) net.listen(n, (from, msg) => this.receive(this.nodes.get(n)!, from, msg as Msg));
    this.tick();
  }

  /** Preloads data on every node, as if replicated before the run. */
  load(entries: [string, unknown][]): void {
    for (const node of this.nodes.values())
      for (const [k, v] of entries) {
        node.data.set(k, v);
        node.stamps.set(k, [0, ""]);
      }
  }

  /** A client endpoint sends one op to a node and resolves with the node's reply (or never, if lost). */
  call(client: string, node: string, f: string, value: unknown): Promise<Completion> {
    return this.requests.call(client, node, f, value);
  }

  primaryName(): string | undefined {
    if (this.mode === "causal" || this.mode === "eventual-lww") return undefined;
    // The primary of the highest epoch that is up.
    let best: SimNode | undefined;
    for (const n of this.nodes.values())
      if (n.primary === n.name && !this.net.down.has(n.name) && (!best || n.epoch > best.epoch)) best = n;
    return best?.name;
  }

  crash(name: string): void {
    const n = this.nodes.get(name)!;
    this.net.down.add(name);
    n.pending = [];
    n.waiting = [];
    n.buffered = []; // volatile: requests in flight are lost
  }
  restart(name: string): void {
    this.net.down.delete(name);
  }
  setClockOffset(name: string, ms: number): void {
    this.nodes.get(name)!.clockOffset = ms;
  }

  private alive(n: SimNode) {
    return !this.net.down.has(n.name) && !this.net.isPaused(n.name);
  }
  private multiMaster() {
    return this.mode === "causal" || this.mode === "eventual-lww";
  }
  private reply(n: SimNode, req: Req, c: Completion) {
    if (req.via && req.via !== n.name) this.net.send(n.name, req.via, { t: "fwd-resp", req, completion: c });
    else this.net.send(n.name, req.client, { t: "resp", id: req.id, completion: c });
  }

  private receive(n: SimNode, from: string, m: Msg): void {
    switch (m.t) {
      case "req":
        return this.onRequest(n, m);
      case "fwd":
        return this.execute(n, m.req);
      case "fwd-resp":
        return this.finishForward(n, m.req, m.completion, m.seq);
      case "append":
        return this.onAppend(n, from, m);
      case "ack":
        return this.onAck(n, from, m.epoch, m.upto);
      case "snapshot-req":
        if (n.primary === n.name) this.sendSnapshot(n, from);
        return;
      case "snapshot":
        return this.onSnapshot(n, m);
      case "hb":
        return this.onHeartbeat(n, from, m.epoch, m.primary);
      case "mm":
        return this.onMultiMaster(n, from, m.origin, m.entries);
      case "mm-ack":
        n.peerAck.set(from, Math.max(n.peerAck.get(from) ?? 0, m.upto));
        return;
    }
  }

  // ---- requests -------------------------------------------------------------------------------------
  private onRequest(n: SimNode, req: Req): void {
    if (this.multiMaster()) return this.localWrite(n, req);
    const localRead = isReadOnly(req.f) && (this.mode === "primary-async" || this.mode === "sticky-session");
    if (localRead || n.primary === n.name) return this.execute(n, req);
    this.net.send(n.name, n.primary, { t: "fwd", req: { ...req, via: n.name } });
  }

  /** Runs an op on this node: the primary for changes (and for reads in the primary-read modes), any node for local reads. */
  private execute(n: SimNode, req: Req): void {
    if (!isReadOnly(req.f) && n.primary !== n.name) return; // stale forward to a deposed primary: dropped, the client times out
    const r = apply(n.data, req.f, req.value);
    const completion: Completion = r.error
      ? { type: r.type, value: r.value, error: r.error }
      : { type: r.type, value: r.value };
    if (isReadOnly(req.f) && n.primary !== n.name) return this.reply(n, req, completion);
    if (r.writes.length === 0 && this.mode !== "linearizable") return this.reply(n, req, completion);
    for (const [k, v] of r.writes) n.data.set(k, v);
    const seq = ++n.applied;
    n.log.push({ seq, writes: r.writes });
    this.ship(n);
    if (this.mode === "linearizable") {
      n.pending.push({ seq, done: () => this.reply(n, req, completion) });
      this.checkCommit(n);
    } else if (this.mode === "sticky-session" && req.via && req.via !== n.name) {
      this.net.send(n.name, req.via, { t: "fwd-resp", req, completion, seq });
    } else {
      this.reply(n, req, completion);
    }
  }

  private finishForward(n: SimNode, req: Req, c: Completion, seq?: number): void {
    const send = () => this.net.send(n.name, req.client, { t: "resp", id: req.id, completion: c });
    if (seq !== undefined && n.applied < seq) n.waiting.push({ seq, done: send });
    else send();
  }

  // ---- primary-based replication ---------------------------------------------------------------------
  private ship(p: SimNode): void {
    for (const r of this.names) {
      if (r === p.name) continue;
      const from = p.match.get(r) ?? p.logBase;
      const entries = p.log.slice(Math.max(0, from - p.logBase), from - p.logBase + 64);
      if (entries.length) this.net.send(p.name, r, { t: "append", epoch: p.epoch, entries });
    }
  }

  private onAppend(n: SimNode, from: string, m: { epoch: number; entries: LogEntry[] }): void {
    if (m.epoch < n.epoch) return;
    if (m.epoch > n.epoch || n.primary !== from) {
      this.follow(n, from, m.epoch);
      return;
    }
    for (const e of m.entries) {
      if (e.seq !== n.applied + 1) continue;
      for (const [k, v] of e.writes) n.data.set(k, v);
      n.applied = e.seq;
      n.log.push(e);
    }
    this.net.send(n.name, from, { t: "ack", epoch: n.epoch, upto: n.applied });
    n.waiting = n.waiting.filter((w) => (w.seq <= n.applied ? (w.done(), false) : true));
  }

  private onAck(p: SimNode, from: string, epoch: number, upto: number): void {
    if (epoch !== p.epoch || p.primary !== p.name) return;
    p.match.set(from, Math.max(p.match.get(from) ?? 0, upto));
    this.checkCommit(p);
  }

  private checkCommit(p: SimNode): void {
    const majority = Math.floor(this.names.length / 2) + 1;
    const acked = (seq: number) => 1 + [...p.match.values()].filter((m) => m >= seq).length;
    p.pending = p.pending.filter((w) => (acked(w.seq) >= majority ? (w.done(), false) : true));
  }

  /** Adopt `primary` for `epoch`: a replica that may have diverged asks for a full snapshot. */
  private follow(n: SimNode, primary: string, epoch: number): void {
    n.epoch = epoch;
    n.primary = primary;
    n.pending = [];
    this.net.send(n.name, primary, { t: "snapshot-req" });
  }

  private sendSnapshot(p: SimNode, to: string): void {
    p.match.set(to, p.applied);
    this.net.send(p.name, to, { t: "snapshot", epoch: p.epoch, data: [...p.data], seq: p.applied });
  }

  private onSnapshot(n: SimNode, m: { epoch: number; data: [string, unknown][]; seq: number }): void {
    if (m.epoch !== n.epoch) return;
    n.data = Data.copy(m.data);
    n.applied = m.seq;
    n.log = [];
    n.logBase = m.seq;
    n.waiting = n.waiting.filter((w) => (w.seq <= n.applied ? (w.done(), false) : true));
  }

  // ---- failover (failover-lossy) ---------------------------------------------------------------------
  private onHeartbeat(n: SimNode, from: string, epoch: number, primary: string): void {
    n.lastHeard.set(from, this.clock.now());
    if (epoch > n.epoch) this.follow(n, primary, epoch);
  }

  private considerFailover(n: SimNode): void {
    const now = this.clock.now();
    if (n.primary === n.name) return;
    const heard = (x: string) => now - (n.lastHeard.get(x) ?? 0) < FAILOVER_AFTER;
    if (now < FAILOVER_AFTER || heard(n.primary)) return;
    const reachable = this.names.filter((x) => x === n.name || heard(x));
    if (reachable.length < Math.floor(this.names.length / 2) + 1) return;
    const candidate = reachable.filter((x) => x !== n.primary).sort()[0];
    if (candidate !== n.name) return;
    n.epoch += 1;
    n.primary = n.name;
    n.match.clear();
    n.log = [];
    n.logBase = n.applied;
  }

  // ---- multi-master ---------------------------------------------------------------------------------
  private localWrite(n: SimNode, req: Req): void {
    const r = apply(n.data, req.f, req.value);
    if (r.writes.length) {
      const stamp: Stamp = this.mode === "causal" ? [++n.lamport, n.name] : [this.clock.now() + n.clockOffset, n.name];
      const entry: LogEntry = { seq: n.own.length + 1, writes: r.writes, stamp };
      if (this.mode === "causal") entry.vc = { ...Object.fromEntries(n.delivered), [n.name]: entry.seq };
      for (const [k, v] of r.writes)
        if (later(stamp, n.stamps.get(k))) {
          n.data.set(k, v);
          n.stamps.set(k, stamp);
        }
      n.own.push(entry);
      n.delivered.set(n.name, entry.seq);
      for (const peer of this.names)
        if (peer !== n.name) this.net.send(n.name, peer, { t: "mm", origin: n.name, entries: [entry] });
    }
    this.net.send(n.name, req.client, {
      t: "resp",
      id: req.id,
      completion: r.error ? { type: r.type, value: r.value, error: r.error } : { type: r.type, value: r.value },
    });
  }

  private onMultiMaster(n: SimNode, from: string, origin: string, entries: LogEntry[]): void {
    for (const e of entries)
      if (e.seq > (n.delivered.get(origin) ?? 0) && !n.buffered.some((b) => b.origin === origin && b.seq === e.seq))
        n.buffered.push({ ...e, origin });
    let progress = true;
    while (progress) {
      progress = false;
      for (let i = 0; i < n.buffered.length; i++) {
        const e = n.buffered[i];
        if (e.seq !== (n.delivered.get(e.origin) ?? 0) + 1) continue;
        if (e.vc && Object.entries(e.vc).some(([o, c]) => o !== e.origin && c > (n.delivered.get(o) ?? 0))) continue;
        n.buffered.splice(i, 1);
        n.delivered.set(e.origin, e.seq);
        n.lamport = Math.max(n.lamport, e.stamp![0]);
        for (const [k, v] of e.writes)
          if (later(e.stamp!, n.stamps.get(k))) {
            n.data.set(k, v);
            n.stamps.set(k, e.stamp!);
          }
        progress = true;
        break;
      }
    }
    this.net.send(n.name, from, { t: "mm-ack", upto: n.delivered.get(origin) ?? 0 });
  }

  // ---- periodic work: heartbeats, retransmission, failover -------------------------------------------
  private tick(): void {
    this.clock.at(HEARTBEAT, () => {
      const now = this.clock.now();
      for (const n of this.nodes.values()) {
        if (!this.alive(n)) continue;
        if (this.multiMaster()) {
          if (Math.floor(now / HEARTBEAT) % (RETRANSMIT / HEARTBEAT) !== 0) continue;
          for (const peer of this.names) {
            if (peer === n.name) continue;
            const acked = n.peerAck.get(peer) ?? 0;
            const entries = n.own.slice(acked, acked + 64);
            if (entries.length) this.net.send(n.name, peer, { t: "mm", origin: n.name, entries });
          }
          continue;
        }
        if (this.mode === "failover-lossy") {
          for (const peer of this.names)
            if (peer !== n.name) this.net.send(n.name, peer, { t: "hb", epoch: n.epoch, primary: n.primary });
          this.considerFailover(n);
        }
        if (n.primary === n.name) this.ship(n);
      }
      if (this.running) this.tick();
    });
  }

  running = true;
}

type Msg =
  | Req
  | { t: "fwd"; req: Req }
  | { t: "fwd-resp"; req: Req; completion: Completion; seq?: number }
  | { t: "append"; epoch: number; entries: LogEntry[] }
  | { t: "ack"; epoch: number; upto: number }
  | { t: "snapshot-req" }
  | { t: "snapshot"; epoch: number; data: [string, unknown][]; seq: number }
  | { t: "hb"; epoch: number; primary: string }
  | { t: "mm"; origin: string; entries: LogEntry[] }
  | { t: "mm-ack"; upto: number };
