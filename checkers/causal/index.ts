// Causal consistency for data-independent histories, by the bad patterns of Bouajjani, Enea, Guerraoui and
// Hamza, "On Verifying Causal Consistency" (POPL 2017). With unique written values the read-from relation is
// known, and a history is
//   CC  (causal consistency)  iff it has none of CyclicCO, WriteCOInitRead, ThinAirRead, WriteCORead;
//   CCv (causal convergence)  iff it is CC and has no CyclicCF (no total arbitration order extends co).
// Each check is polynomial: co is one bitset per event (see graph.ts). Causal memory (CM: WriteHBInitRead,
// CyclicHB) needs a happens-before relation per read and is not checked.
import type { Op } from "../../src/history/op.ts";
import type { Anomaly, Verdict } from "../types.ts";
import { buildGraph, describeWrite, indexes, secs, show, type Adapter, type CausalGraph } from "./graph.ts";

export type CausalModel = "CC" | "CCv";

export interface CausalOptions {
  model?: CausalModel;          // default CC
  maxAnomalies?: number;        // default 50
}

// One graph per (history, adapter): the session and causal checkers of a run share it.
const cache = new WeakMap<readonly Op[], Map<Adapter, CausalGraph>>();
export function graphFor(history: readonly Op[], adapt: Adapter): CausalGraph {
  let m = cache.get(history);
  if (!m) cache.set(history, (m = new Map()));
  let g = m.get(adapt);
  if (!g) m.set(adapt, (g = buildGraph(history, adapt)));
  return g;
}

export function checkCausal(history: readonly Op[], adapt: Adapter, options: CausalOptions = {}): Verdict {
  const model = options.model ?? "CC";
  const name = model === "CC" ? "causal" : "causal-convergence";
  const g = graphFor(history, adapt);
  if (g.problem) return { checker: name, valid: "unknown", anomalies: [], reason: g.problem };
  const anomalies = badPatterns(g, options.maxAnomalies ?? 50);
  if (model === "CCv" && anomalies.length === 0) {
    const cf = cyclicCF(g);
    if (cf) anomalies.push(cf);
  }
  const reads = g.events.reduce((n, e) => n + e.reads.size, 0);
  return {
    checker: name,
    valid: anomalies.length === 0,
    anomalies,
    stats: { events: g.events.length, sessions: g.sessions.size, reads, keys: g.writesByKey.size },
  };
}

/** The CC bad patterns: CyclicCO, ThinAirRead, WriteCOInitRead, WriteCORead. */
export function badPatterns(g: CausalGraph, max: number): Anomaly[] {
  const out: Anomaly[] = [];
  const ev = g.events;
  for (const comp of g.cyclic) {
    if (out.length >= max) return out;
    const shown = comp.slice(0, 6).map((id) => `session ${ev[id].session} op ${ev[id].op.invoke.index} (${ev[id].op.f})`);
    out.push({
      kind: "CyclicCO",
      ops: indexes(...comp.map((id) => ev[id].op)),
      explanation: `Causal order is cyclic: ${shown.join(", ")}${comp.length > 6 ? ` and ${comp.length - 6} more` : ""} each causally precede one another (through session order and reads), so no execution explains what they read.`,
      details: { events: comp.map((id) => ev[id].op.invoke.index) },
    });
  }
  const byPrefix = new Map<string, string[]>();
  const keysWith = (prefix: string) => {
    let l = byPrefix.get(prefix);
    if (!l) byPrefix.set(prefix, (l = [...g.writesByKey.keys()].filter((k) => k.startsWith(prefix))));
    return l;
  };
  for (const e of ev) {
    if (out.length >= max) break;
    const who = `session ${e.session}'s ${e.op.f} at ${secs(e.op.invoke.time)} (op ${e.op.invoke.index})`;
    for (const [k, w1] of e.from) {
      if (w1 === -2) {
        const v = e.reads.get(k);
        const failed = typeof v !== "symbol" ? g.failed.get(`${k}\u0000${JSON.stringify(v)}`) : undefined;
        out.push({
          kind: "ThinAirRead", key: k, ops: indexes(e.op, ...(failed ? [failed] : [])),
          explanation: failed
            ? `${who} read ${k}=${show(v)}, the value of a write that failed (op ${failed.invoke.index}): it never happened.`
            : `${who} read ${k}=${typeof v === "symbol" ? "a message" : show(v)}, which no operation wrote.`,
        });
      } else if (w1 === -1) {
        const w = g.latestBefore(k, e.id).find((w) => w !== e.id);
        if (w !== undefined) out.push(initRead(g, e.id, k, w, who));
      } else {
        // If some w2 with w1 co w2 co r exists, the latest write of w2's session in r's past is one too.
        for (const w2 of g.latestBefore(k, e.id)) {
          if (w2 === w1 || w2 === e.id || !g.before(w1, w2) || !g.before(w2, e.id)) continue;
          out.push({
            kind: "WriteCORead", key: k, ops: indexes(ev[w1].op, ev[w2].op, e.op),
            explanation: `${who} read ${k}=${show(e.reads.get(k))} (written by session ${ev[w1].session} at ${secs(ev[w1].op.invoke.time)}), but that value was already overwritten in its causal past: ${describeWrite(g, w2, k)} after seeing it, and that write causally precedes the read.`,
            details: { overwritten: ev[w1].op.invoke.index, overwriter: ev[w2].op.invoke.index, read: e.op.invoke.index },
          });
          break;
        }
      }
      if (out.length >= max) break;
    }
    for (const prefix of e.domains) {
      for (const k of keysWith(prefix)) {
        if (e.reads.has(k)) continue;
        const w = g.latestBefore(k, e.id).find((w) => w !== e.id);
        if (w !== undefined) { out.push(initRead(g, e.id, k, w, who)); if (out.length >= max) break; }
      }
    }
  }
  return out;
}

function initRead(g: CausalGraph, r: number, k: string, w: number, who: string): Anomaly {
  const e = g.events[r];
  return {
    kind: "WriteCOInitRead", key: k, ops: indexes(g.events[w].op, e.op),
    explanation: `${who} did not see ${k} (it read the initial value / found it absent), although ${describeWrite(g, w, k)} and that write causally precedes the read${g.events[w].session === e.session ? " (same session)" : ""}.`,
    details: { write: g.events[w].op.invoke.index, read: e.op.invoke.index },
  };
}

/** CyclicCF: w1 cf w2 when both write x, w1 ≠ w2, and some read of x from w2 has w1 in its causal past.
 *  A cycle in co ∪ cf means no total arbitration order of writes agrees with what was read. */
export function cyclicCF(g: CausalGraph): Anomaly | undefined {
  const ev = g.events;
  const n = ev.length;
  const succ: number[][] = Array.from({ length: n }, () => []);
  for (const ids of g.sessions.values()) for (let i = 1; i < ids.length; i++) succ[ids[i - 1]].push(ids[i]);
  for (const e of ev) for (const w of e.from.values()) if (w >= 0 && w !== e.id) succ[w].push(e.id);
  const seen = new Set<number>();
  const cfEdge = new Map<number, [number, number, string]>(); // edge id → [read, w2, key] for the explanation
  for (const e of ev) for (const [k, w2] of e.from) {
    if (w2 < 0) continue;
    // Only the latest write per session in the read's past is needed: an earlier one reaches w2 through it.
    for (const w1 of g.latestBefore(k, e.id)) {
      if (w1 === w2 || w1 === e.id) continue;
      const id = w1 * n + w2;
      if (seen.has(id)) continue;
      seen.add(id);
      succ[w1].push(w2);
      cfEdge.set(id, [e.id, w2, k]);
    }
  }
  const cycle = findCycle(n, succ);
  if (!cycle) return undefined;
  const steps: string[] = [];
  for (let i = 0; i < cycle.length; i++) {
    const a = cycle[i], b = cycle[(i + 1) % cycle.length];
    const cf = cfEdge.get(a * n + b);
    if (cf && !(g.before(a, b))) steps.push(`${describeWrite(g, a, cf[2])} must be ordered before session ${ev[b].session}'s write of ${cf[2]}, since op ${ev[cf[0]].op.invoke.index} saw the first and read the second`);
    else steps.push(`op ${ev[a].op.invoke.index} causally precedes op ${ev[b].op.invoke.index}`);
    if (steps.length >= 6) break;
  }
  return {
    kind: "CyclicCF",
    ops: indexes(...cycle.map((id) => ev[id].op)),
    explanation: `No single order of conflicting writes agrees with causality (causal convergence fails): ${steps.join("; ")}${cycle.length > 6 ? "; …" : ""}, which loops back.`,
    details: { cycle: cycle.map((id) => ev[id].op.invoke.index) },
  };
}

/** A cycle in a directed graph (iterative DFS), as a list of nodes, or undefined. */
export function findCycle(n: number, succ: number[][]): number[] | undefined {
  const color = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const parent = new Int32Array(n).fill(-1);
  for (let root = 0; root < n; root++) {
    if (color[root]) continue;
    const stack: [number, number][] = [[root, 0]];
    color[root] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [v, i] = top;
      if (i < succ[v].length) {
        top[1]++;
        const w = succ[v][i];
        if (color[w] === 0) { color[w] = 1; parent[w] = v; stack.push([w, 0]); }
        else if (color[w] === 1) {
          const cyc = [w];
          for (let x = v; x !== w && x !== -1; x = parent[x]) cyc.push(x);
          return cyc.slice(0, 1).concat(cyc.slice(1).reverse());
        }
        continue;
      }
      color[v] = 2;
      stack.pop();
    }
  }
  return undefined;
}
