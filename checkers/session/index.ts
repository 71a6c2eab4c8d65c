// Terry et al.'s four session guarantees (PDIS 1994), per session, and convergence, for data-independent
// register histories (every written value unique per key, so each read names exactly the write it saw).
//
// A session is a process (see ../causal/graph.ts). A version is *older* than another when it causally
// precedes it in co = (session order ∪ read-from)⁺: the initial value is older than every write. A session
// *observes* a write when it reads it, and its own acknowledged writes when it makes them. Client-centric
// (Terry et al.; Viotti & Vukolić 2016), each guarantee is a question about what a session observes:
//   read-your-writes   — after its acknowledged write w of x, a session's read of x returns neither the initial
//                        value nor a version older than w (e.g. its own earlier write);
//   monotonic reads    — a session's read of x never returns a version older than one it already read;
//   monotonic writes   — every session observes a session's writes in the order they were issued: after
//                        observing T's write w, a read of x returns nothing older than T's last write u of x
//                        before w — and, when w itself wrote x, not u either (T wrote x=1 then x=2: whoever
//                        saw x=2 never reads x=1 afterwards);
//   writes-follow-reads— a write is observed after the writes its session had read: after observing T's write
//                        w, a read of x returns nothing older than the version of x T had read before w — and,
//                        when w itself wrote x, not that version either.
// One read can break several guarantees (x=2 then x=1 above is a monotonic-reads regression too); it is
// reported under each, and each anomaly's details.breaks lists them all (details.readOp names the read), so
// every model counts it.
// On a cyclic causal order (a session reads its own future write) "older" stays "causally before": every
// event on a cycle precedes every other, but a version is never older than itself, so reading the very write
// a guarantee requires is no violation; the causal checkers report the cycle (CyclicCO).
// Convergence: after healing and the quiet period, every node's final read of a key returns the same version,
// and no acknowledged write is causally older than that final version (a lost write).
import type { Op } from "../../src/history/op.ts";
import type { Operation } from "../../src/history/pairs.ts";
import { graphFor } from "../causal/index.ts";
import { step, stepsEvidence, witnessEvidence } from "../evidence.ts";
import { indexes, ms, secs, show, type Adapter, type CausalGraph, type CEvent } from "../causal/graph.ts";
import type { Anomaly, Verdict } from "../types.ts";
import { noFinalReads } from "../convergence/final-agreement.ts";

const isTuple = (v: unknown): v is [string, unknown] => Array.isArray(v) && v.length === 2 && typeof v[0] === "string";

/** Register ops as causal events: write [k, v], read [k, v], read-all [keys] → {k: v}. */
export const registerAdapter: Adapter = (op: Operation) => {
  if (op.f === "write" && isTuple(op.invoke.value))
    return { writes: new Map([[op.invoke.value[0], op.invoke.value[1]]]) };
  if (op.f === "read" && isTuple(op.value)) return { reads: new Map([[op.value[0], op.value[1]]]) };
  if (op.f === "read-all" && op.value && typeof op.value === "object" && !Array.isArray(op.value))
    return { reads: new Map(Object.entries(op.value as object)) };
  if (op.f === "read-all") return { reads: new Map() };
  return null;
};

export type Guarantee = "read-your-writes" | "monotonic-reads" | "monotonic-writes" | "writes-follow-reads";
export const GUARANTEES: Guarantee[] = [
  "read-your-writes",
  "monotonic-reads",
  "monotonic-writes",
  "writes-follow-reads",
];

export interface SessionOptions {
  adapter?: Adapter;
  maxAnomalies?: number;
}

export function checkSession(history: readonly Op[], guarantee: Guarantee, options: SessionOptions = {}): Verdict {
  const g = graphFor(history, options.adapter ?? registerAdapter);
  if (g.problem) return { checker: guarantee, valid: "unknown", anomalies: [], reason: g.problem };
  const r = analyze(g, options.maxAnomalies ?? 50)[guarantee];
  return { checker: guarantee, valid: r.anomalies.length === 0, anomalies: r.anomalies, stats: r.stats };
}

const at = (e: CEvent) => `at ${secs(e.op.invoke.time)}`;
function versionText(g: CausalGraph, f: number, k: string, session: number): string {
  if (f === -1) return "nothing (the initial value)";
  const w = g.events[f];
  const v = JSON.stringify(w.writes.get(k));
  return w.session === session ? `${v}, its own earlier write` : `${v}, written by session ${w.session} ${at(w)}`;
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

/** After observing `because` (a write of session T), reads of this key must return nothing older than `need`
 *  (a write T made or read before `because`), and not `need` itself when `inclusive` (`because` overwrote it). */
interface Requirement {
  need: number;
  inclusive: boolean;
  via: number;
  because: number;
}

/** Per key, the causally maximal requirements: one older than another adds nothing. */
class Required {
  private byKey = new Map<string, Requirement[]>();
  add(g: CausalGraph, k: string, need: number, inclusive: boolean, via: number, because: number): void {
    const l = this.byKey.get(k) ?? [];
    if (l.some((q) => (q.need === need ? q.inclusive || !inclusive : g.before(need, q.need)))) return;
    const kept = l.filter((q) => !(q.need === need ? inclusive : g.before(q.need, need)));
    kept.push({ need, inclusive, via, because });
    this.byKey.set(k, kept);
  }
  /** The requirement a read of k returning f breaks, if any. */
  broken(g: CausalGraph, k: string, f: number): Requirement | undefined {
    if (f === -2) return undefined;
    return this.byKey.get(k)?.find((q) => (f === -1 ? true : f === q.need ? q.inclusive : g.before(f, q.need)));
  }
  has(k: string): boolean {
    return this.byKey.has(k);
  }
}

type Result = { anomalies: Anomaly[]; stats: Record<string, number> };
const analyses = new WeakMap<CausalGraph, Map<number, Record<Guarantee, Result>>>();

/** All four guarantees in one pass over each session (a read's anomaly must name every guarantee it breaks),
 *  cached per graph: the four checkers of a run share it. */
function analyze(g: CausalGraph, max: number): Record<Guarantee, Result> {
  let m = analyses.get(g);
  if (!m) analyses.set(g, (m = new Map()));
  let r = m.get(max);
  if (!r) m.set(max, (r = analyzeAll(g, max)));
  return r;
}

function analyzeAll(g: CausalGraph, max: number): Record<Guarantee, Result> {
  const out = Object.fromEntries(GUARANTEES.map((x) => [x, [] as Anomaly[]])) as Record<Guarantee, Anomaly[]>;
  const deps = {
    "monotonic-writes": dependencies(g, "monotonic-writes"),
    "writes-follow-reads": dependencies(g, "writes-follow-reads"),
  };
  let readsAfterOwnWrite = 0,
    neverRead = 0,
    repeatedReads = 0,
    mwChecked = 0,
    wfrChecked = 0;
  for (const [s, ids] of g.sessions) {
    const own = new Map<string, number>(); // key → the session's latest acknowledged write
    const seen = new Map<string, Seen>();
    const required = { "monotonic-writes": new Required(), "writes-follow-reads": new Required() };
    const observed = new Set<number>(); // a write observed again adds nothing
    const observe = (w: number, via: number) => {
      if (observed.has(w)) return;
      observed.add(w);
      for (const x of ["monotonic-writes", "writes-follow-reads"] as const) {
        for (const [k, d] of deps[x][w] ?? []) required[x].add(g, k, d, g.events[w].writes.has(k), via, w);
      }
    };
    let reads = 0;
    for (const id of ids) {
      const e = g.events[id];
      for (const [k, f] of e.from) {
        reads++;
        const found: [Guarantee, () => Anomaly][] = [];
        const mine = own.get(k);
        if (mine !== undefined && f !== -2) {
          readsAfterOwnWrite++;
          // Only the latest own write of k matters: older than an earlier one is older than it too.
          if (f !== mine && (f === -1 || g.before(f, mine)))
            found.push(["read-your-writes", () => rywAnomaly(g, s, e, k, f, mine)]);
        }
        const prior = seen.get(k);
        if (prior) repeatedReads++;
        const reg = prior?.newerThan(g, f);
        if (reg) found.push(["monotonic-reads", () => mrAnomaly(g, s, e, k, f, reg)]);
        for (const x of ["monotonic-writes", "writes-follow-reads"] as const) {
          if (!required[x].has(k) || f === -2) continue;
          if (x === "monotonic-writes") mwChecked++;
          else wfrChecked++;
          const bad = required[x].broken(g, k, f);
          if (bad) found.push([x, () => crossAnomaly(g, x, s, e, k, f, bad)]);
        }
        const breaks = found.map(([x]) => x);
        for (const [x, make] of found) {
          if (out[x].length >= max) continue;
          const a = make();
          a.details = { ...(a.details as object), breaks, readOp: e.op.invoke.index };
          if (breaks.length > 1)
            a.explanation += ` This read also breaks ${breaks
              .filter((b) => b !== x)
              .map((b) => b.replace(/-/g, " "))
              .join(" and ")}.`;
          out[x].push(a);
        }
      }
      for (const [k, f] of e.from) {
        if (f < 0) continue;
        let sk = seen.get(k);
        if (!sk) seen.set(k, (sk = new Seen()));
        sk.add(g, f, id);
        observe(f, id);
      }
      if (e.op.type === "ok" && e.writes.size) {
        for (const k of e.writes.keys()) own.set(k, id);
        observe(id, id);
      }
    }
    if (reads === 0) neverRead++;
  }
  const S = g.sessions.size;
  return {
    "read-your-writes": {
      anomalies: out["read-your-writes"],
      stats: { sessions: S, readsAfterOwnWrite, sessionsWithoutReads: neverRead },
    },
    "monotonic-reads": { anomalies: out["monotonic-reads"], stats: { sessions: S, repeatedReads } },
    "monotonic-writes": { anomalies: out["monotonic-writes"], stats: { sessions: S, readsChecked: mwChecked } },
    "writes-follow-reads": { anomalies: out["writes-follow-reads"], stats: { sessions: S, readsChecked: wfrChecked } },
  };
}

/** For each write: the versions its session had written (MW: the latest per key) or read (WFR: the causally
 *  maximal ones per key) before it. */
function dependencies(
  g: CausalGraph,
  guarantee: "monotonic-writes" | "writes-follow-reads",
): ([string, number][] | undefined)[] {
  const deps: ([string, number][] | undefined)[] = new Array(g.events.length);
  for (const ids of g.sessions.values()) {
    const running = new Map<string, number[]>();
    let snap: [string, number][] | undefined; // shared by consecutive writes while running is unchanged
    for (const id of ids) {
      const x = g.events[id];
      if (guarantee === "writes-follow-reads")
        for (const [k, f] of x.from) {
          if (f < 0 || x.writes.has(k)) continue;
          const l = running.get(k) ?? [];
          if (l.some((v) => v === f || g.before(f, v))) continue;
          running.set(k, [...l.filter((v) => !g.before(v, f)), f]);
          snap = undefined;
        }
      if (x.writes.size && running.size) {
        if (!snap) {
          snap = [];
          for (const [k, vs] of running) for (const v of vs) snap.push([k, v]);
        }
        deps[id] = snap;
      }
      if (guarantee === "monotonic-writes" && x.op.type === "ok")
        for (const k of x.writes.keys()) {
          running.set(k, [id]);
          snap = undefined;
        }
    }
  }
  return deps;
}

function rywAnomaly(g: CausalGraph, s: number, e: CEvent, k: string, f: number, missed: number): Anomaly {
  const w = g.events[missed];
  const ack = w.op.complete!.time;
  return {
    kind: "read-your-writes",
    key: k,
    ops: indexes(w.op, e.op),
    explanation: `session ${s} wrote ${k}=${JSON.stringify(w.writes.get(k))} at ${secs(w.op.invoke.time)} (acknowledged at ${secs(ack)}); its read of ${k} ${at(e)}, ${ms(e.op.invoke.time - ack)} after the acknowledgement, returned ${versionText(g, f, k, s)}.`,
    details: {
      session: s,
      key: k,
      write: { index: w.op.invoke.index, value: w.writes.get(k), acknowledged: ack },
      read: { index: e.op.invoke.index, value: f === -1 ? null : g.events[f].writes.get(k), time: e.op.invoke.time },
      afterAckMs: (e.op.invoke.time - ack) / 1e6,
    },
    evidence: stepsEvidence([
      step(
        w.op.invoke.index,
        e.op.invoke.index,
        "not seen by",
        `session ${s}'s own write of ${k}, acknowledged ${ms(e.op.invoke.time - ack)} before its read began, is missing from what the read returned`,
      ),
    ]),
  };
}

function mrAnomaly(g: CausalGraph, s: number, e: CEvent, k: string, f: number, [v, rid]: [number, number]): Anomaly {
  const r1 = g.events[rid];
  return {
    kind: "monotonic-reads",
    key: k,
    ops: indexes(g.events[v].op, r1.op, e.op),
    explanation: `session ${s} read ${k}=${JSON.stringify(g.events[v].writes.get(k))} ${at(r1)}, then read ${k} again ${at(e)} (${ms(e.op.invoke.time - r1.op.complete!.time)} later) and got ${versionText(g, f, k, s)} — an older version.`,
    details: {
      session: s,
      key: k,
      newer: { index: r1.op.invoke.index, write: g.events[v].op.invoke.index },
      older: { index: e.op.invoke.index, write: f === -1 ? null : g.events[f].op.invoke.index },
    },
    evidence: stepsEvidence([
      step(g.events[v].op.invoke.index, r1.op.invoke.index, "read by", `session ${s} read this version of ${k}`),
      step(
        r1.op.invoke.index,
        e.op.invoke.index,
        "then",
        `and later in the same session read ${k} again and got an older version`,
      ),
    ]),
  };
}

function crossAnomaly(
  g: CausalGraph,
  guarantee: "monotonic-writes" | "writes-follow-reads",
  s: number,
  e: CEvent,
  k: string,
  f: number,
  r: Requirement,
): Anomaly {
  const w1 = g.events[r.because],
    via = g.events[r.via],
    need = g.events[r.need];
  const [wk, wv] = [...w1.writes][0];
  const saw =
    w1.session === s && r.via === r.because
      ? `session ${s} wrote ${wk}=${JSON.stringify(wv)} ${at(w1)}`
      : `session ${s} read ${wk}=${JSON.stringify(wv)} ${at(via)}, written by session ${w1.session}`;
  const writer = w1.session === s ? "it" : `session ${w1.session}`;
  const why =
    guarantee === "monotonic-writes"
      ? `which ${writer} wrote after its own write ${k}=${JSON.stringify(need.writes.get(k))} (acknowledged at ${secs(need.op.complete!.time)})`
      : `which ${writer} wrote after reading ${k}=${JSON.stringify(need.writes.get(k))}`;
  const what =
    r.inclusive && f === r.need
      ? "— the version that write had overwritten, so the writes were observed out of order"
      : "— older than that";
  return {
    kind: guarantee,
    key: k,
    ops: indexes(need.op, w1.op, via.op, e.op),
    explanation: `${saw}, ${why}; yet session ${s}'s read of ${k} ${at(e)} returned ${versionText(g, f, k, s)} ${what}.`,
    details: {
      session: s,
      key: k,
      required: need.op.invoke.index,
      through: w1.op.invoke.index,
      sawAt: via.op.invoke.index,
      read: e.op.invoke.index,
      sameKey: r.inclusive,
    },
    evidence: stepsEvidence(
      [
        step(
          need.op.invoke.index,
          w1.op.invoke.index,
          guarantee === "monotonic-writes" ? "written before" : "read before",
          `${writer === "it" ? `session ${s}` : writer} ${guarantee === "monotonic-writes" ? "wrote" : "read"} ${k} before writing ${wk}`,
        ),
        ...(r.via !== r.because
          ? [step(w1.op.invoke.index, via.op.invoke.index, "read by", `session ${s} read ${wk}=${JSON.stringify(wv)}`)]
          : []),
        step(
          via.op.invoke.index,
          e.op.invoke.index,
          "then",
          `then session ${s}'s read of ${k} returned ${versionText(g, f, k, s)} ${what}`,
        ),
      ].filter((x) => x.from !== x.to),
    ),
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
    if (e.writes.size) {
      writer.add(e.session);
      cutoff = Math.max(cutoff, e.op.complete?.time ?? e.op.invoke.time);
    }
    if (!firstInvoke.has(e.session)) firstInvoke.set(e.session, e.op.invoke.time);
  }
  return g.events.filter(
    (e) => e.op.type === "ok" && e.reads.size && !writer.has(e.session) && firstInvoke.get(e.session)! > cutoff,
  );
}

export function checkConvergence(history: readonly Op[], options: SessionOptions = {}): Verdict {
  const g = graphFor(history, options.adapter ?? registerAdapter);
  if (g.problem) return { checker: "convergence", valid: "unknown", anomalies: [], reason: g.problem };
  const finals = finalReads(g, history);
  if (finals.length === 0) return noFinalReads();
  const max = options.maxAnomalies ?? 50;
  const anomalies: Anomaly[] = [];
  const last = new Map<string, Map<string, CEvent>>(); // key → node → last final read
  for (const e of finals)
    for (const k of e.from.keys()) {
      let m = last.get(k);
      if (!m) last.set(k, (m = new Map()));
      m.set(e.op.node ?? `process ${e.session}`, e);
    }
  let lost = 0,
    diverged = 0;
  for (const [k, byNode] of last) {
    const versions = new Map<number, string[]>();
    for (const [node, e] of byNode) {
      const f = e.from.get(k)!;
      versions.set(f, [...(versions.get(f) ?? []), node]);
    }
    if (versions.size > 1) {
      diverged++;
      const parts = [...versions].map(
        ([f, nodes]) =>
          `${nodes.join(", ")} return${nodes.length === 1 ? "s" : ""} ${f === -1 ? "nothing" : f === -2 ? "an unknown value" : JSON.stringify(g.events[f].writes.get(k))}`,
      );
      anomalies.push({
        kind: "divergent",
        key: k,
        ops: indexes(...[...byNode.values()].map((e) => e.op)),
        explanation: `Key ${k} never converged: after healing and the quiet period, ${parts.join("; ")}.`,
        evidence: witnessEvidence(
          [...byNode.values()].map((e) => e.op.invoke.index),
          "the final reads that disagree",
        ),
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
        kind: "lost-write",
        key: k,
        ops: indexes(we.op, ...finalOps),
        explanation: `Acknowledged write lost: session ${we.session} wrote ${k}=${JSON.stringify(we.writes.get(k))} (acknowledged at ${secs(we.op.complete!.time)}), but every node finally returns ${f === -1 ? "nothing" : `${JSON.stringify(g.events[f].writes.get(k))}, a version that write had already superseded${g.events[f].session === we.session ? " (the same session's earlier write)" : ""}`}.`,
        details: { write: we.op.invoke.index, final: f === -1 ? null : g.events[f].op.invoke.index },
        evidence: stepsEvidence(
          finalOps
            .slice(0, 8)
            .map((o) =>
              step(
                we.op.invoke.index,
                o.invoke.index,
                "lost by",
                `the final read on ${o.node ?? `process ${o.process}`} does not return it`,
              ),
            ),
        ),
      });
    }
  }
  return {
    checker: "convergence",
    valid: anomalies.length === 0,
    anomalies,
    stats: { finalReads: finals.length, keys: last.size, divergentKeys: diverged, lostWrites: lost },
  };
}

export { show };
