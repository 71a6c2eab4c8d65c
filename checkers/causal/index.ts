// Causal consistency for data-independent histories, by the bad patterns of Bouajjani, Enea, Guerraoui and
// Hamza, "On Verifying Causal Consistency" (POPL 2017). With unique written values the read-from relation is
// known, and a history is
//   CC  (causal consistency)  iff it has none of CyclicCO, WriteCOInitRead, ThinAirRead, WriteCORead;
//   CCv (causal convergence)  iff it is CC and has no CyclicCF (no total arbitration order extends co).
// Each check is near-linear: co is one vector clock over sessions per event (see graph.ts). Causal memory
// (CM: CC and no WriteHBInitRead, CyclicHB) is ../causal-memory/.
import type { Op } from "../../src/history/op.ts";
import type { Anomaly, Step, Verdict } from "../types.ts";
import { step, stepsEvidence, witnessEvidence } from "../evidence.ts";
import { buildGraph, describeWrite, indexes, secs, show, vkey, type Adapter, type CausalGraph } from "./graph.ts";

export type CausalModel = "CC" | "CCv";

export interface CausalOptions {
  model?: CausalModel; // default CC
  maxAnomalies?: number; // default 50
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
    const shown = comp
      .slice(0, 6)
      .map((id) => `session ${ev[id].session} op ${ev[id].op.invoke.index} (${ev[id].op.f})`);
    out.push({
      kind: "CyclicCO",
      ops: indexes(...comp.map((id) => ev[id].op)),
      explanation: `Causal order is cyclic: ${shown.join(", ")}${comp.length > 6 ? ` and ${comp.length - 6} more` : ""} each causally precede one another (through session order and reads), so no execution explains what they read.`,
      details: { events: comp.map((id) => ev[id].op.invoke.index) },
      evidence: witnessEvidence(
        comp.map((id) => ev[id].op.invoke.index),
        "the operations whose causal order loops",
      ),
    });
  }
  // Keys under each "…/" prefix (a chat conversation), indexed once: scanning every key per domain is quadratic.
  let byPrefix: Map<string, string[]> | undefined;
  const keysWith = (prefix: string) => {
    if (!byPrefix) {
      byPrefix = new Map();
      for (const k of g.writesByKey.keys())
        for (let i = k.indexOf("/"); i >= 0; i = k.indexOf("/", i + 1)) {
          const p = k.slice(0, i + 1);
          let l = byPrefix.get(p);
          if (!l) byPrefix.set(p, (l = []));
          l.push(k);
        }
    }
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
        const failed = typeof v !== "symbol" ? g.failed.get(vkey(k, v)) : undefined;
        out.push({
          kind: "ThinAirRead",
          key: k,
          ops: indexes(e.op, ...(failed ? [failed] : [])),
          explanation: failed
            ? `${who} read ${k}=${show(v)}, the value of a write that failed (op ${failed.invoke.index}): it never happened.`
            : `${who} read ${k}=${typeof v === "symbol" ? "a message" : show(v)}, which no operation wrote.`,
          evidence: failed
            ? stepsEvidence([
                step(
                  failed.invoke.index,
                  e.op.invoke.index,
                  "read from",
                  `op ${e.op.invoke.index} read the value of op ${failed.invoke.index}, a write that failed`,
                ),
              ])
            : witnessEvidence([e.op.invoke.index], "a read of a value no operation wrote"),
        });
      } else if (w1 === -1) {
        const w = g.latestBefore(k, e.id).find((w) => w !== e.id);
        if (w !== undefined) out.push(initRead(g, e.id, k, w, who));
      } else {
        // If some w2 with w1 co w2 co r exists, the latest write of w2's session in r's past is one too.
        for (const w2 of g.latestBefore(k, e.id)) {
          if (w2 === w1 || w2 === e.id || !g.before(w1, w2) || !g.before(w2, e.id)) continue;
          out.push({
            kind: "WriteCORead",
            key: k,
            ops: indexes(ev[w1].op, ev[w2].op, e.op),
            explanation: `${who} read ${k}=${show(e.reads.get(k))} (written by session ${ev[w1].session} at ${secs(ev[w1].op.invoke.time)}), but that value was already overwritten in its causal past: ${describeWrite(g, w2, k)} after seeing it, and that write causally precedes the read.`,
            details: {
              overwritten: ev[w1].op.invoke.index,
              overwriter: ev[w2].op.invoke.index,
              read: e.op.invoke.index,
            },
            evidence: stepsEvidence([
              step(
                ev[w1].op.invoke.index,
                ev[w2].op.invoke.index,
                "overwritten by",
                `session ${ev[w2].session} overwrote ${k} after seeing this write`,
              ),
              step(
                ev[w2].op.invoke.index,
                e.op.invoke.index,
                "causally precedes",
                `the overwrite causally precedes the read, which still returned the older value`,
              ),
            ]),
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
        if (w !== undefined) {
          out.push(initRead(g, e.id, k, w, who));
          if (out.length >= max) break;
        }
      }
    }
  }
  return out;
}

function initRead(g: CausalGraph, r: number, k: string, w: number, who: string): Anomaly {
  const e = g.events[r];
  return {
    kind: "WriteCOInitRead",
    key: k,
    ops: indexes(g.events[w].op, e.op),
    explanation: `${who} did not see ${k} (it read the initial value / found it absent), although ${describeWrite(g, w, k)} and that write causally precedes the read${g.events[w].session === e.session ? " (same session)" : ""}.`,
    details: { write: g.events[w].op.invoke.index, read: e.op.invoke.index },
    evidence: stepsEvidence([
      step(
        g.events[w].op.invoke.index,
        e.op.invoke.index,
        "causally precedes",
        `the write of ${k} causally precedes the read, which did not see it`,
      ),
    ]),
  };
}

/** CyclicCF: w1 cf w2 when both write x, w1 ≠ w2, and some read of x from w2 has w1 in its causal past.
 *  A cycle in co ∪ cf means no total arbitration order of writes agrees with what was read. Edges are kept
 *  as flat arrays (a million-op history has millions of them); the explanation is rebuilt for the cycle only. */
export function cyclicCF(g: CausalGraph): Anomaly | undefined {
  const ev = g.events;
  const n = ev.length;
  let from = new Int32Array(1 << 16),
    to = new Int32Array(1 << 16),
    m = 0;
  const edge = (a: number, b: number) => {
    if (m === from.length) {
      const f2 = new Int32Array(m * 2);
      f2.set(from);
      from = f2;
      const t2 = new Int32Array(m * 2);
      t2.set(to);
      to = t2;
    }
    from[m] = a;
    to[m] = b;
    m++;
  };
  for (const ids of g.sessions.values()) for (let i = 1; i < ids.length; i++) edge(ids[i - 1], ids[i]);
  for (const e of ev) for (const w of e.from.values()) if (w >= 0 && w !== e.id) edge(w, e.id);
  for (const e of ev)
    for (const [k, w2] of e.from) {
      if (w2 < 0) continue;
      // Only the latest write per session in the read's past is needed: an earlier one reaches w2 through it.
      for (const w1 of g.latestBefore(k, e.id)) if (w1 !== w2 && w1 !== e.id) edge(w1, w2);
    }
  // Successor lists in one array (compressed sparse rows).
  const start = new Int32Array(n + 1);
  for (let i = 0; i < m; i++) start[from[i] + 1]++;
  for (let v = 0; v < n; v++) start[v + 1] += start[v];
  const succ = new Int32Array(m),
    fill = start.slice(0, n);
  for (let i = 0; i < m; i++) succ[fill[from[i]]++] = to[i];
  const cycle = findCycle(n, start, succ);
  if (!cycle) return undefined;
  const links: Step[] = [];
  for (let i = 0; i < cycle.length && i < 64; i++) {
    const a = cycle[i],
      b = cycle[(i + 1) % cycle.length];
    const cf = g.before(a, b) ? undefined : conflictWitness(g, a, b);
    const [ia, ib] = [ev[a].op.invoke.index, ev[b].op.invoke.index];
    if (cf)
      links.push(
        step(
          ia,
          ib,
          "cf",
          `${describeWrite(g, a, cf.key)} must be ordered before session ${ev[b].session}'s write of ${cf.key}, since op ${ev[cf.read].op.invoke.index} saw the first and read the second`,
        ),
      );
    else links.push(step(ia, ib, "co", `op ${ia} causally precedes op ${ib}`));
  }
  const steps = links.slice(0, 6).map((l) => l.why);
  return {
    kind: "CyclicCF",
    ops: indexes(...cycle.map((id) => ev[id].op)),
    explanation: `No single order of conflicting writes agrees with causality (causal convergence fails): ${steps.join("; ")}${cycle.length > 6 ? "; …" : ""}, which loops back.`,
    details: { cycle: cycle.map((id) => ev[id].op.invoke.index) },
    evidence: stepsEvidence(links, { order: cycle.slice(0, 64).map((id) => ev[id].op.invoke.index) }),
  };
}

/** A read that makes w1 cf w2: it reads key k from w2 with w1 (a write of k) in its causal past. */
function conflictWitness(g: CausalGraph, w1: number, w2: number): { read: number; key: string } | undefined {
  for (const e of g.events)
    for (const [k, w] of e.from) {
      if (w === w2 && g.events[w1].writes.has(k) && w1 !== e.id && g.before(w1, e.id)) return { read: e.id, key: k };
    }
  return undefined;
}

/** A cycle in a directed graph given as compressed rows (v's successors are succ[start[v] .. start[v+1]))
 *  by iterative DFS, as a list of nodes, or undefined. */
export function findCycle(n: number, start: Int32Array, succ: Int32Array): number[] | undefined {
  const color = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const parent = new Int32Array(n).fill(-1);
  const stackV = new Int32Array(n),
    stackI = new Int32Array(n);
  for (let root = 0; root < n; root++) {
    if (color[root]) continue;
    stackV[0] = root;
    stackI[0] = 0;
    let sp = 1;
    color[root] = 1;
    while (sp > 0) {
      const v = stackV[sp - 1];
      const i = start[v] + stackI[sp - 1];
      if (i < start[v + 1]) {
        stackI[sp - 1]++;
        const w = succ[i];
        if (color[w] === 0) {
          color[w] = 1;
          parent[w] = v;
          stackV[sp] = w;
          stackI[sp] = 0;
          sp++;
        } else if (color[w] === 1) {
          const cyc = [w];
          for (let x = v; x !== w && x !== -1; x = parent[x]) cyc.push(x);
          return cyc.slice(0, 1).concat(cyc.slice(1).reverse());
        }
        continue;
      }
      color[v] = 2;
      sp--;
    }
  }
  return undefined;
}
