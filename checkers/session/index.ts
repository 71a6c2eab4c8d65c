// Terry et al.'s four session guarantees (PDIS 1994), per session, and convergence, for data-independent
// register histories (every written value unique per key, so each read names exactly the write it saw).
//
// A session is a process (see ../causal/graph.ts). What a session "knows to be older" than a version is its
// causal past: the initial value, its own earlier writes, what it had read, and, transitively, what those
// writes' sessions had seen. Each guarantee is then a precise, sound question:
//   read-your-writes   — after its acknowledged write w of x, a session's read of x returns neither the initial
//                        value nor a version causally older than w (e.g. its own earlier write);
//   monotonic reads    — a session's read of x never returns a version causally older than one it already read;
//   monotonic writes   — a session that saw session T's write w1 never afterwards reads, on another key, a
//                        version older than T's earlier write w0 (so the store applied w1 without w0);
//   writes-follow-reads— a session that saw session S's write w never afterwards reads, on another key, a version
//                        older than one S had read before writing w.
// Same-key regressions after seeing another session's write are reported once, as monotonic reads.
// Convergence: after healing and the quiet period, every node's final read of a key returns the same version,
// and no acknowledged write is causally older than that final version (a lost write).
import type { Op } from "../../src/history/op.ts";
import type { Operation } from "../../src/history/pairs.ts";
import { graphFor } from "../causal/index.ts";
import { indexes, ms, secs, show, type Adapter, type CausalGraph, type CEvent } from "../causal/graph.ts";
import type { Anomaly, Verdict } from "../types.ts";

const isTuple = (v: unknown): v is [string, unknown] => Array.isArray(v) && v.length === 2 && typeof v[0] === "string";

/** Register ops as causal events: write [k, v], read [k, v], read-all [keys] → {k: v}. */
export const registerAdapter: Adapter = (op: Operation) => {
  if (op.f === "write" && isTuple(op.invoke.value)) return { writes: new Map([[op.invoke.value[0], op.invoke.value[1]]]) };
  if (op.f === "read" && isTuple(op.value)) return { reads: new Map([[op.value[0], op.value[1]]]) };
  if (op.f === "read-all" && op.value && typeof op.value === "object" && !Array.isArray(op.value)) return { reads: new Map(Object.entries(op.value as object)) };
  if (op.f === "read-all") return { reads: new Map() };
  return null;
};

export type Guarantee = "read-your-writes" | "monotonic-reads" | "monotonic-writes" | "writes-follow-reads";
export const GUARANTEES: Guarantee[] = ["read-your-writes", "monotonic-reads", "monotonic-writes", "writes-follow-reads"];

export interface SessionOptions { adapter?: Adapter; maxAnomalies?: number }

export function checkSession(history: readonly Op[], guarantee: Guarantee, options: SessionOptions = {}): Verdict {
  const g = graphFor(history, options.adapter ?? registerAdapter);
  if (g.problem) return { checker: guarantee, valid: "unknown", anomalies: [], reason: g.problem };
  const max = options.maxAnomalies ?? 50;
  const r = guarantee === "read-your-writes" ? ryw(g, max) : guarantee === "monotonic-reads" ? mr(g, max) : crossKey(g, guarantee, max);
  return { checker: guarantee, valid: r.anomalies.length === 0, anomalies: r.anomalies, stats: r.stats };
}

const at = (e: CEvent) => `at ${secs(e.op.invoke.time)}`;
function versionText(g: CausalGraph, f: number, k: string, session: number): string {
  if (f === -1) return "nothing (the initial value)";
  const w = g.events[f];
  const v = JSON.stringify(w.writes.get(k));
  return w.session === session ? `${v}, its own earlier write` : `${v}, written by session ${w.session} ${at(w)}`;
}

function ryw(g: CausalGraph, max: number) {
  const anomalies: Anomaly[] = [];
  let checked = 0, neverRead = 0;
  for (const [s, ids] of g.sessions) {
    const own = new Map<string, number[]>();
    let reads = 0;
    for (const id of ids) {
      const e = g.events[id];
      for (const [k, f] of e.from) {
        reads++;
        const mine = own.get(k);
        if (!mine || f === -2) continue;
        checked++;
        // Only the session's latest write of k matters: a version older than an earlier own write is older
        // than the latest one too (session order is part of causal order).
        const latest = mine[mine.length - 1];
        const missed = f !== latest && (f === -1 || g.before(f, latest)) ? latest : undefined;
        if (missed === undefined || anomalies.length >= max) continue;
        const w = g.events[missed];
        const ack = w.op.complete!.time;
        anomalies.push({
          kind: "read-your-writes", key: k, ops: indexes(w.op, e.op),
          explanation: `session ${s} wrote ${k}=${JSON.stringify(w.writes.get(k))} at ${secs(w.op.invoke.time)} (acknowledged at ${secs(ack)}); its read of ${k} ${at(e)}, ${ms(e.op.invoke.time - ack)} after the acknowledgement, returned ${versionText(g, f, k, s)}.`,
          details: { session: s, key: k, write: { index: w.op.invoke.index, value: w.writes.get(k), acknowledged: ack }, read: { index: e.op.invoke.index, value: f === -1 ? null : g.events[f].writes.get(k), time: e.op.invoke.time }, afterAckMs: (e.op.invoke.time - ack) / 1e6 },
        });
      }
      if (e.op.type === "ok") for (const k of e.writes.keys()) { let l = own.get(k); if (!l) own.set(k, (l = [])); l.push(id); }
    }
    if (reads === 0) neverRead++;
  }
  return { anomalies, stats: { sessions: g.sessions.size, readsAfterOwnWrite: checked, sessionsWithoutReads: neverRead } };
}

/** The versions of one key a session has read, kept as the causally maximal ones (with the read that saw
 *  each): a version older than anything seen is older than one of these, so each read costs the few maxima,
 *  not every version the session ever saw. */
class Seen {
  private maxima: [version: number, read: number][] = [];
  /** An earlier read's version that f is causally older than: [version, read], if any. */
  newerThan(g: CausalGraph, f: number): [number, number] | undefined {
    if (f === -2) return undefined;
    for (const m of this.maxima) if (m[0] !== f && m[0] !== -1 && (f === -1 || g.before(f, m[0]))) return m;
    return undefined;
  }
  add(g: CausalGraph, f: number, read: number): void {
    if (f === -2) return;
    const older = (a: number, b: number) => a !== b && (a === -1 || (b !== -1 && g.before(a, b)));
    if (this.maxima.some(([v]) => v === f || older(f, v))) return;
    this.maxima = this.maxima.filter(([v]) => !older(v, f));
    this.maxima.push([f, read]);
  }
}

function mr(g: CausalGraph, max: number) {
  const anomalies: Anomaly[] = [];
  let checked = 0;
  for (const [s, ids] of g.sessions) {
    const seen = new Map<string, Seen>();
    for (const id of ids) {
      const e = g.events[id];
      for (const [k, f] of e.from) {
        let prior = seen.get(k);
        if (prior) checked++;
        const reg = prior?.newerThan(g, f);
        if (reg && anomalies.length < max) {
          const [v, rid] = reg;
          const r1 = g.events[rid];
          anomalies.push({
            kind: "monotonic-reads", key: k, ops: indexes(g.events[v].op, r1.op, e.op),
            explanation: `session ${s} read ${k}=${JSON.stringify(g.events[v].writes.get(k))} ${at(r1)}, then read ${k} again ${at(e)} (${ms(e.op.invoke.time - r1.op.complete!.time)} later) and got ${versionText(g, f, k, s)} — an older version.`,
            details: { session: s, key: k, newer: { index: r1.op.invoke.index, write: g.events[v].op.invoke.index }, older: { index: e.op.invoke.index, write: f === -1 ? null : g.events[f].op.invoke.index } },
          });
        }
        if (!prior) seen.set(k, (prior = new Seen()));
        prior.add(g, f, id);
      }
    }
  }
  return { anomalies, stats: { sessions: g.sessions.size, repeatedReads: checked } };
}

interface Requirement { need: number; key: string; via: number; because: number }

/** Monotonic writes / writes-follow-reads: what a session must see on other keys after reading a write. */
function crossKey(g: CausalGraph, guarantee: "monotonic-writes" | "writes-follow-reads", max: number) {
  const anomalies: Anomaly[] = [];
  let checked = 0;
  // For each write event: the versions its session had written (MW) or read (WFR) before it, latest per key.
  const deps = new Map<number, Map<string, number>>();
  const depsOf = (w: number): Map<string, number> => {
    const d = deps.get(w);
    if (d) return d;
    // One pass over the writer's session snapshots the running map at each of its writes.
    const running = new Map<string, number>();
    for (const id of g.sessions.get(g.events[w].session)!) {
      const x = g.events[id];
      if (guarantee === "writes-follow-reads") for (const [k, f] of x.from) if (f >= 0) running.set(k, f);
      if (x.writes.size) deps.set(id, new Map(running));
      if (guarantee === "monotonic-writes" && x.op.type === "ok") for (const k of x.writes.keys()) running.set(k, id);
    }
    return deps.get(w) ?? new Map();
  };
  for (const [s, ids] of g.sessions) {
    const required = new Map<string, Requirement[]>();   // per key, the causally maximal requirements
    const seen = new Map<string, Seen>();
    for (const id of ids) {
      const e = g.events[id];
      for (const [k, f] of e.from) {
        const reqs = required.get(k);
        if (reqs && f !== -2) {
          checked++;
          const regressed = seen.get(k)?.newerThan(g, f) !== undefined;   // that is monotonic reads' to report
          const bad = regressed ? undefined : reqs.find((r) => f !== r.need && (f === -1 || g.before(f, r.need)));
          if (bad && anomalies.length < max) anomalies.push(explainCross(g, guarantee, s, e, k, f, bad));
        }
      }
      for (const [k, f] of e.from) {
        if (f < 0) continue;
        let m = seen.get(k);
        if (!m) seen.set(k, (m = new Seen()));
        m.add(g, f, id);
        if (g.events[f].session === s) continue;
        for (const [k0, need] of depsOf(f)) {
          if (k0 === k) continue;
          let l = required.get(k0);
          if (!l) required.set(k0, (l = []));
          // A requirement causally older than another adds nothing: anything older than it is older than that one.
          if (l.some((r) => r.need === need || g.before(need, r.need))) continue;
          const kept = l.filter((r) => !g.before(r.need, need));
          kept.push({ need, key: k, via: id, because: f });
          required.set(k0, kept);
        }
      }
    }
  }
  return { anomalies, stats: { sessions: g.sessions.size, readsChecked: checked } };
}

function explainCross(g: CausalGraph, guarantee: string, s: number, e: CEvent, k: string, f: number, r: Requirement): Anomaly {
  const w1 = g.events[r.because], via = g.events[r.via], need = g.events[r.need];
  const saw = `session ${s} read ${r.key}=${JSON.stringify(w1.writes.get(r.key))} ${at(via)}, written by session ${w1.session}`;
  const why = guarantee === "monotonic-writes"
    ? `which session ${w1.session} wrote after its own write ${k}=${JSON.stringify(need.writes.get(k))} (acknowledged at ${secs(need.op.complete!.time)})`
    : `which session ${w1.session} wrote after reading ${k}=${JSON.stringify(need.writes.get(k))}`;
  return {
    kind: guarantee, key: k, ops: indexes(need.op, w1.op, via.op, e.op),
    explanation: `${saw}, ${why}; yet session ${s}'s read of ${k} ${at(e)} returned ${versionText(g, f, k, s)} — older than that.`,
    details: { session: s, key: k, required: need.op.invoke.index, through: w1.op.invoke.index, sawAt: via.op.invoke.index, read: e.op.invoke.index },
  };
}

// ---- convergence ----------------------------------------------------------------------------------------

/** The final reads: ok reads by processes that only read and began after every write and fault ended. */
export function finalReads(g: CausalGraph, history: readonly Op[]): CEvent[] {
  let cutoff = 0;
  for (const op of history) if (op.process === "nemesis") cutoff = Math.max(cutoff, op.time);
  const firstInvoke = new Map<number, number>();
  const writer = new Set<number>();
  for (const e of g.events) {
    if (e.writes.size) { writer.add(e.session); cutoff = Math.max(cutoff, e.op.complete?.time ?? e.op.invoke.time); }
    if (!firstInvoke.has(e.session)) firstInvoke.set(e.session, e.op.invoke.time);
  }
  return g.events.filter((e) => e.op.type === "ok" && e.reads.size && !writer.has(e.session) && firstInvoke.get(e.session)! > cutoff);
}

export function checkConvergence(history: readonly Op[], options: SessionOptions = {}): Verdict {
  const g = graphFor(history, options.adapter ?? registerAdapter);
  if (g.problem) return { checker: "convergence", valid: "unknown", anomalies: [], reason: g.problem };
  const finals = finalReads(g, history);
  if (finals.length === 0) return { checker: "convergence", valid: "unknown", anomalies: [], reason: "no final reads after the faults were healed: convergence cannot be judged" };
  const max = options.maxAnomalies ?? 50;
  const anomalies: Anomaly[] = [];
  const last = new Map<string, Map<string, CEvent>>();   // key → node → last final read
  for (const e of finals) for (const k of e.from.keys()) {
    let m = last.get(k);
    if (!m) last.set(k, (m = new Map()));
    m.set(e.op.node ?? `process ${e.session}`, e);
  }
  let lost = 0, diverged = 0;
  for (const [k, byNode] of last) {
    const versions = new Map<number, string[]>();
    for (const [node, e] of byNode) { const f = e.from.get(k)!; versions.set(f, [...(versions.get(f) ?? []), node]); }
    if (versions.size > 1) {
      diverged++;
      const parts = [...versions].map(([f, nodes]) => `${nodes.join(", ")} return${nodes.length === 1 ? "s" : ""} ${f === -1 ? "nothing" : f === -2 ? "an unknown value" : JSON.stringify(g.events[f].writes.get(k))}`);
      anomalies.push({
        kind: "divergent", key: k, ops: indexes(...[...byNode.values()].map((e) => e.op)),
        explanation: `Key ${k} never converged: after healing and the quiet period, ${parts.join("; ")}.`,
      });
      continue;
    }
    const f = [...versions.keys()][0];
    if (f === -2) continue;
    const finalOps = [...byNode.values()].map((e) => e.op);
    for (const w of g.writesByKey.get(k) ?? []) {
      const we = g.events[w];
      if (w === f || we.op.type !== "ok" || !(f === -1 || g.before(f, w))) continue;
      lost++;
      if (anomalies.length >= max) continue;
      anomalies.push({
        kind: "lost-write", key: k, ops: indexes(we.op, ...finalOps),
        explanation: `Acknowledged write lost: session ${we.session} wrote ${k}=${JSON.stringify(we.writes.get(k))} (acknowledged at ${secs(we.op.complete!.time)}), but every node finally returns ${f === -1 ? "nothing" : `${JSON.stringify(g.events[f].writes.get(k))}, a version that write had already superseded${g.events[f].session === we.session ? " (the same session's earlier write)" : ""}`}.`,
        details: { write: we.op.invoke.index, final: f === -1 ? null : g.events[f].op.invoke.index },
      });
    }
  }
  return { checker: "convergence", valid: anomalies.length === 0, anomalies, stats: { finalReads: finals.length, keys: last.size, divergentKeys: diverged, lostWrites: lost } };
}

export { show };
