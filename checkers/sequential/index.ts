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
import { indexes, secs, show, vkey, type Adapter, type CausalGraph } from "../causal/graph.ts";
import { registerAdapter } from "../session/index.ts";
import { searchSequential } from "./search.ts";
import { step, stepsEvidence, witnessEvidence } from "../evidence.ts";

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
  const budget = new Budget(options.shrinkSteps ?? 1_000_000);
  const violated = (proof: { events: number[]; minimal: boolean }, stats: Record<string, number>): Verdict => ({
    checker: "sequential",
    valid: false,
    anomalies: [explain(g, proof.events, proof.minimal)],
    stats: { ...stats, proofOps: proof.events.length, shrinkSteps: budget.used },
  });
  const base = { events: g.events.length, sessions: g.sessions.size };
  const air = g.events.find((e) => e.op.type === "ok" && [...e.from.values()].includes(-2));
  if (air)
    return {
      checker: "sequential",
      valid: false,
      anomalies: [thinAir(g, air.id)],
      stats: { ...base, steps: 0, states: 0 },
    };
  // One session alone has exactly one order, so checking each costs one pass, and catches the commonest
  // breaks (read-your-writes, monotonic reads) before any search.
  const alone = new Budget(Infinity, Infinity).firstViolated(g, sessionsAlone(g)); // linear: no budget needed
  if (alone) return violated(budget.minimize(g, alone), { ...base, steps: 0, states: 0 });
  const r = searchSequential(g, undefined, options.maxSteps ?? 2_000_000);
  const stats = { ...base, steps: r.steps, states: r.states };
  if (r.result === "ordered") return { checker: "sequential", valid: true, anomalies: [], stats };
  // A small part with no order is a proof on its own and cheap to find; it also settles a search that ran
  // out of budget.
  const windowed = budget.firstViolated(g, timeWindows(g, frontier(g, r.frontier)));
  if (windowed) return violated(budget.minimize(g, windowed), stats);
  if (r.result === "violated") return violated(budget.minimize(g, new Set(g.events.map((e) => e.id))), stats);
  return {
    checker: "sequential",
    valid: "unknown",
    anomalies: [],
    stats,
    reason: `no order found within ${r.steps} search steps (placed at most ${r.longest} of ${g.events.length} operations), and no small part of the history was found without one; sequential consistency is NP-complete to check in general`,
  };
}

function thinAir(g: CausalGraph, id: number): Anomaly {
  const e = g.events[id];
  const [k] = [...e.from].find(([, w]) => w === -2)!;
  const val = e.reads.get(k);
  return {
    kind: "thin-air-read",
    key: k,
    ops: indexes(e.op),
    explanation: `Session ${e.session} read ${k}=${show(val)} at ${secs(e.op.invoke.time)}, a value no successful write wrote${g.failed.has(vkey(k, val)) ? " (its write had failed)" : ""}: no order of the history can explain it.`,
    evidence: witnessEvidence(indexes(e.op), "the read"),
  };
}

/** Search steps spent looking for and shrinking a proof, shared by every trial. */
class Budget {
  used = 0;
  inconclusive = false;
  constructor(
    private readonly total: number,
    private readonly perTrial = 250_000,
  ) {}

  /** true only when the candidate certainly has no order. */
  violated(g: CausalGraph, candidate: ReadonlySet<number>): boolean {
    if (this.used >= this.total) {
      this.inconclusive = true;
      return false;
    }
    const r = searchSequential(g, candidate, Math.min(this.perTrial, this.total - this.used));
    this.used += r.steps;
    if (r.result === "unknown") this.inconclusive = true;
    return r.result === "violated";
  }

  firstViolated(g: CausalGraph, candidates: Iterable<Set<number>>): Set<number> | undefined {
    for (const c of candidates) if (this.violated(g, c)) return c;
    return undefined;
  }

  /** Leaves out whole sessions, whole keys, then chunks down to single events (with the reads of their writes)
   *  while what is left still has no order; minimal unless some trial ran out of budget. */
  minimize(g: CausalGraph, start: Set<number>): { events: number[]; minimal: boolean } {
    this.inconclusive = false;
    let kept = start;
    const tryDrop = (drop: (id: number) => boolean) => {
      const c = new Set([...kept].filter((id) => !drop(id)));
      if (c.size < kept.size && this.violated(g, c)) kept = c;
    };
    for (const session of g.sessions.keys()) tryDrop((id) => g.events[id].session === session);
    for (const k of g.writesByKey.keys()) tryDrop((id) => g.events[id].writes.has(k) || g.events[id].reads.has(k));
    for (let chunk = Math.max(1, kept.size >> 1); ; chunk = Math.max(1, chunk >> 1)) {
      // delta debugging's complements
      const ids = [...kept];
      for (let i = ids.length - chunk; i > -chunk; i -= chunk) {
        const drop = new Set(ids.slice(Math.max(0, i), i + chunk));
        tryDrop((id) => drop.has(id));
      }
      if (chunk === 1) break;
    }
    return { events: [...kept].sort((a, b) => a - b), minimal: !this.inconclusive };
  }
}

function* sessionsAlone(g: CausalGraph): Generator<Set<number>> {
  for (const ids of g.sessions.values()) yield new Set(ids);
}

/** When the first operation the search could not place was invoked: where the contradiction is likely to be. */
function frontier(g: CausalGraph, firstUnplaced: readonly number[]): number | undefined {
  let t: number | undefined;
  for (const id of firstUnplaced)
    if (t === undefined || g.events[id].op.invoke.time < t) t = g.events[id].op.invoke.time;
  return t;
}

/** Windows of events by invocation time: first around the search's frontier (16 to 4,096 events, the frontier a
 *  quarter, half and three quarters in), then, for histories of up to 20,000 events, windows of 16, 64, 256 and
 *  1,024 events sweeping the whole history, half-overlapping. */
function* timeWindows(g: CausalGraph, focus: number | undefined): Generator<Set<number>> {
  const byTime = g.events.map((e) => e.id).sort((a, b) => g.events[a].op.invoke.time - g.events[b].op.invoke.time);
  if (focus !== undefined) {
    let at = 0;
    while (at < byTime.length && g.events[byTime[at]].op.invoke.time < focus) at++;
    for (let w = 16; w <= 4096 && w < byTime.length; w *= 4)
      for (const q of [3, 2, 1]) {
        const start = Math.max(0, at - Math.floor((w * q) / 4));
        yield new Set(byTime.slice(start, start + w));
      }
  }
  if (byTime.length > 20_000) return;
  for (let w = 16; w < byTime.length && w <= 1024; w *= 4) {
    for (let i = 0; i < byTime.length; i += w >> 1) yield new Set(byTime.slice(i, i + w));
  }
}

function explain(g: CausalGraph, events: number[], minimal: boolean): Anomaly {
  const bySession = new Map<number, number[]>();
  for (const id of events) {
    const s = g.events[id].session;
    let l = bySession.get(s);
    if (!l) bySession.set(s, (l = []));
    l.push(id);
  }
  const did = (id: number): string => {
    const e = g.events[id];
    const parts = [
      ...[...e.writes.keys()].map((k) => `wrote ${k}=${JSON.stringify(e.writes.get(k))}`),
      ...[...e.reads.keys()].map((k) => `read ${k}=${show(e.reads.get(k))}`),
    ];
    return `${parts.join(", ")} (${secs(e.op.invoke.time)})`;
  };
  const lines =
    events.length <= 16
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
      sessions: [...bySession].map(([session, ids]) => ({
        session,
        ops: ids.map((id) => g.events[id].op.invoke.index),
      })),
      minimal,
    },
    // Each session's own order; no single order of writes fits all of them.
    evidence: stepsEvidence(
      [...bySession]
        .flatMap(([s, ids]) =>
          ids
            .slice(1)
            .map((id, i) =>
              step(
                g.events[ids[i]].op.invoke.index,
                g.events[id].op.invoke.index,
                "session",
                `session ${s}: ${did(ids[i])}, then ${did(id)}`,
              ),
            ),
        )
        .slice(0, 64),
      {
        witness: indexes(...events.map((id) => g.events[id].op)),
        witnessText: `${minimal ? "the smallest set" : "a small set"} of operations with no single order`,
      },
    ),
  };
}
