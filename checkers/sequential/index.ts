// Sequential consistency (Lamport 1979) for data-independent register histories: the history is sequentially
// consistent iff one total order of all its operations keeps every session's own order and gives every read
// the latest write before it. Unlike linearizability, real time does not constrain the order — a read may be
// stale — but every session must see the same single history of writes, in an order consistent with what
// each session itself did. The search is in ./search.ts.
//
// Sequential consistency is not compositional: the whole history, every key at once, is one search. When it
// fails, the proof is shrunk like a linearizability witness — whole sessions, then whole keys, then single
// operations are left out while what is left still has no order (a sub-history of a sequentially consistent
// history is sequentially consistent, so what is left is a proof on its own).
import type { Op } from "../../src/history/op.ts";
import type { Anomaly, Verdict } from "../types.ts";
import { graphFor } from "../causal/index.ts";
import { indexes, secs, show, type Adapter, type CausalGraph } from "../causal/graph.ts";
import { registerAdapter } from "../session/index.ts";
import { searchSequential, type SearchResult } from "./search.ts";

export interface SequentialOptions {
  adapter?: Adapter;
  /** Events placed and undone before the answer is "unknown" (default 2,000,000). */
  maxSteps?: number;
  /** Total steps spent shrinking the proof (default 1,000,000); then the proof is reported as not minimal. */
  shrinkSteps?: number;
}

export function checkSequential(history: readonly Op[], options: SequentialOptions = {}): Verdict {
  const g = graphFor(history, options.adapter ?? registerAdapter);
  if (g.problem) return { checker: "sequential", valid: "unknown", anomalies: [], reason: g.problem };
  const r = searchSequential(g, undefined, options.maxSteps ?? 2_000_000);
  const stats = { events: g.events.length, sessions: g.sessions.size, steps: r.steps, states: r.states };
  if (r.result === "ordered") return { checker: "sequential", valid: true, anomalies: [], stats };
  if (r.result === "unknown") {
    return { checker: "sequential", valid: "unknown", anomalies: [], stats, reason: `no order found within ${r.steps} search steps (placed at most ${r.longest.length} of ${g.events.length} operations); sequential consistency is NP-complete to check in general` };
  }
  if (r.thinAir !== undefined) return { checker: "sequential", valid: false, anomalies: [thinAir(g, r.thinAir)], stats };
  const proof = shrink(g, options.shrinkSteps ?? 1_000_000);
  return { checker: "sequential", valid: false, anomalies: [explain(g, proof.events, proof.minimal, r)], stats: { ...stats, proofOps: proof.events.length, shrinkSteps: proof.steps } };
}

function thinAir(g: CausalGraph, id: number): Anomaly {
  const e = g.events[id];
  const [k, v] = [...e.from].find(([, w]) => w === -2)!;
  const val = e.reads.get(k);
  return {
    kind: "thin-air-read",
    key: k,
    ops: indexes(e.op),
    explanation: `Session ${e.session} read ${k}=${show(val)} at ${secs(e.op.invoke.time)}, a value no successful write wrote${v === -2 && g.failed.has(`${k}\u0000${JSON.stringify(val)}`) ? " (its write had failed)" : ""}: no order of the history can explain it.`,
  };
}

/** Finds a small set of events with no order, then leaves out sessions, keys and single events (with the
 *  reads of their writes) while what is left still has none. Small candidates come first — one session on its
 *  own (read-your-writes and monotonic-reads breaks), then windows of events close in time — because proving
 *  that a large history has no order can cost the whole budget, and a small one costs almost nothing. */
function shrink(g: CausalGraph, budget: number): { events: number[]; minimal: boolean; steps: number } {
  let kept = new Set(g.events.map((e) => e.id));
  let steps = 0, minimal = true;
  const stillViolated = (candidate: Set<number>): boolean => {
    if (steps >= budget) { minimal = false; return false; }
    const r: SearchResult = searchSequential(g, candidate, Math.min(250_000, budget - steps));
    steps += r.steps;
    if (r.result === "unknown") minimal = false;
    return r.result === "violated";
  };
  for (const c of smallCandidates(g)) if (c.size < kept.size && stillViolated(c)) { kept = c; minimal = true; break; }
  const without = (drop: (id: number) => boolean) => new Set([...kept].filter((id) => !drop(id)));
  for (const session of g.sessions.keys()) {
    const c = without((id) => g.events[id].session === session);
    if (c.size < kept.size && stillViolated(c)) kept = c;
  }
  for (const k of g.writesByKey.keys()) {
    const c = without((id) => g.events[id].writes.has(k) || g.events[id].reads.has(k));
    if (c.size < kept.size && stillViolated(c)) kept = c;
  }
  // Then halves, quarters, ... down to single events (delta debugging's complement step).
  for (let chunk = Math.max(1, kept.size >> 1); ; chunk = Math.max(1, chunk >> 1)) {
    const ids = [...kept];
    for (let i = ids.length - chunk; i > -chunk; i -= chunk) {
      const drop = new Set(ids.slice(Math.max(0, i), i + chunk));
      const c = without((id) => drop.has(id));
      if (c.size < kept.size && stillViolated(c)) kept = c;
    }
    if (chunk === 1) break;
  }
  return { events: [...kept].sort((a, b) => a - b), minimal, steps };
}

/** Each session on its own, then windows of 16, 64, 256 and 1,024 events by invocation time (half-overlapping). */
function* smallCandidates(g: CausalGraph): Generator<Set<number>> {
  for (const ids of g.sessions.values()) yield new Set(ids);
  const byTime = g.events.map((e) => e.id).sort((a, b) => g.events[a].op.invoke.time - g.events[b].op.invoke.time);
  for (let w = 16; w < byTime.length * 2 && w <= 1024; w *= 4) {
    for (let i = 0; i < byTime.length; i += w >> 1) yield new Set(byTime.slice(i, i + w));
  }
}

function explain(g: CausalGraph, events: number[], minimal: boolean, r: { longest: number[] }): Anomaly {
  const bySession = new Map<number, number[]>();
  for (const id of events) {
    const s = g.events[id].session;
    let l = bySession.get(s);
    if (!l) bySession.set(s, (l = []));
    l.push(id);
  }
  const did = (id: number): string => {
    const e = g.events[id];
    const parts = [...[...e.writes.keys()].map((k) => `wrote ${k}=${JSON.stringify(e.writes.get(k))}`), ...[...e.reads.keys()].map((k) => `read ${k}=${show(e.reads.get(k))}`)];
    return `${parts.join(", ")} (${secs(e.op.invoke.time)})`;
  };
  const lines = events.length <= 16
    ? [...bySession].map(([s, ids]) => `session ${s}: ${ids.map(did).join(", then ")}`)
    : [`${events.length} operations in ${bySession.size} sessions (listed with this anomaly)`];
  const keys = new Set(events.flatMap((id) => [...g.events[id].writes.keys(), ...g.events[id].reads.keys()]));
  return {
    kind: "not-sequential",
    key: keys.size === 1 ? [...keys][0] : undefined,
    ops: indexes(...events.map((id) => g.events[id].op)),
    explanation:
      `No single order of the operations keeps each session's own order and gives every read the latest write before it: ` +
      `the sessions did not all see one history of writes. ${minimal ? "The smallest set of operations that shows it" : "A small set of operations that shows it"} ` +
      `(${events.length} of ${g.events.length}): ${lines.join("; ")}.`,
    details: {
      sessions: [...bySession].map(([session, ids]) => ({ session, ops: ids.map((id) => g.events[id].op.invoke.index) })),
      minimal,
      longestOrder: r.longest.length,
    },
  };
}
