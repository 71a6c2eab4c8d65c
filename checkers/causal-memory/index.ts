// Causal memory (CM) for data-independent histories, by the bad patterns of Bouajjani, Enea, Guerraoui and
// Hamza, "On Verifying Causal Consistency" (POPL 2017): a history is CM iff it is causally consistent (CC, see
// ../causal/index.ts) and has neither
//   WriteHBInitRead — a read of x returns the initial value although a write of x happens before it, and
//   CyclicHB        — some happens-before relation hb_o is cyclic,
// where, for an op o, hb_o is the smallest transitive relation that contains the causal order co restricted to
// o's causal past and, whenever w1 hb_o r for a read r of x at or before o in o's session that returned w2's
// value (w1 another write of x), orders w1 before w2: o's session, having seen w1 and then read w2, must have
// applied w1 first. CM lies between sequential consistency and CC; it is incomparable with CCv.
//
// hb_o only grows along a session (o's past and the reads that order writes both grow), so both patterns are
// decided by hb of each session's last op. A set of hb-predecessors is closed under co, so it is a vector
// clock over sessions: per session, the last op is found by a fixpoint that walks the session's ops once per
// round, joins clocks, and adds an ordering for the latest write per session of the key each read returned —
// near-linear for a fixed number of sessions. Cycles are looked for once in co ∪ every session's orderings
// together; only when that union has one is each session searched alone (a cycle of the union need not lie
// in any single hb_o).
import type { Op } from "../../src/history/op.ts";
import type { Anomaly, Step, Verdict } from "../types.ts";
import { badPatterns, findCycle, graphFor } from "../causal/index.ts";
import { step, stepsEvidence } from "../evidence.ts";
import { indexes, secs, type Adapter, type CausalGraph, type PastClocks } from "../causal/graph.ts";

export interface CausalMemoryOptions {
  maxAnomalies?: number;
}

/** One session's hb orderings: w1 before w2 (both writes of a key), each with the read that forced it. */
interface Orderings {
  from: number[];
  to: number[];
  read: number[];
}

export function checkCausalMemory(history: readonly Op[], adapt: Adapter, options: CausalMemoryOptions = {}): Verdict {
  const g = graphFor(history, adapt);
  if (g.problem) return { checker: "causal-memory", valid: "unknown", anomalies: [], reason: g.problem };
  const max = options.maxAnomalies ?? 50;
  const anomalies = badPatterns(g, max);
  const stats: Record<string, number> = { events: g.events.length, sessions: g.sessions.size };
  if (anomalies.length === 0) {
    if (!g.clocks)
      return {
        checker: "causal-memory",
        valid: "unknown",
        anomalies: [],
        reason: `causal pasts are held as bitsets (${g.sessions.size} sessions), and the causal-memory check needs them as vector clocks`,
        stats,
      };
    const r = hbPatterns(g, g.clocks, max);
    anomalies.push(...r.anomalies);
    Object.assign(stats, r.stats);
  }
  return { checker: "causal-memory", valid: anomalies.length === 0, anomalies, stats };
}

function hbPatterns(
  g: CausalGraph,
  c: PastClocks,
  max: number,
): { anomalies: Anomaly[]; stats: Record<string, number> } {
  const ev = g.events,
    S = c.S,
    data = c.data;
  // Per key, per session index: that session's writes of the key in session order.
  const writesOf = new Map<string, number[][]>();
  for (const [k, ws] of g.writesByKey) {
    const per: number[][] = Array.from({ length: S }, () => []);
    for (const w of ws) per[c.sessionIndex[w]].push(w);
    writesOf.set(k, per);
  }
  const inPast = (P: Int32Array, e: number) => P[c.sessionIndex[e]] >= c.position[e];
  const anomalies: Anomaly[] = [];
  const all: Orderings[] = [];
  let orderings = 0,
    maxRounds = 0;
  for (const ids of c.order) {
    // The writes this session read: the only ops an ordering can point to, grouped by session, by position.
    const targets: number[][] = Array.from({ length: S }, () => []);
    for (const id of ids) for (const f of ev[id].from.values()) if (f >= 0) targets[c.sessionIndex[f]].push(f);
    for (const t of targets) {
      t.sort((a, b) => c.position[a] - c.position[b]);
    }
    const into = new Map<number, Map<number, number>>(); // w2 → (w1 → the read that ordered w1 before w2)
    const found: { read: number; key: string; write: number }[] = [];
    // A round walks the session once. An ordering w1 → w2 found at a read changes an earlier op's
    // hb-predecessors only if w2 was already among them and w1 was not: then one more round is needed.
    const entered = new Map<number, number>(); // target → index (in ids) where it entered P
    const snapshot = new Int32Array(ids.length * S); // P at each op, before its reads
    let rounds = 0,
      again = true;
    const stack: number[] = [];
    while (again) {
      again = false;
      rounds++;
      found.length = 0;
      entered.clear();
      const P = new Int32Array(S).fill(-1);
      const ptr = new Int32Array(S); // targets[t][0..ptr[t]) are already in P
      const cursor = new Map<string, Int32Array>(); // per key: writesOf[k][t][0..cursor[t]) in P
      const last = new Map<string, Int32Array>(); // per key: [w1, w2] last considered, per session
      let at = 0;
      // Joins the clock at data[offset] into P, then the clocks of every ordering into a write now in P.
      const grow = (offset: number) => {
        stack.push(offset);
        while (stack.length) {
          const x = stack.pop()!;
          for (let t = 0; t < S; t++) {
            const v = data[x + t];
            if (v <= P[t]) continue;
            P[t] = v;
            const tl = targets[t];
            while (ptr[t] < tl.length && c.position[tl[ptr[t]]] <= v) {
              const w2 = tl[ptr[t]++];
              if (!entered.has(w2)) entered.set(w2, at);
              const m = into.get(w2);
              if (m) for (const w1 of m.keys()) stack.push(c.offset(w1));
            }
          }
        }
      };
      for (; at < ids.length; at++) {
        const id = ids[at];
        grow(c.offset(id));
        snapshot.set(P, at * S);
        const e = ev[id];
        for (const [k, w2] of e.from) {
          const per = writesOf.get(k);
          if (!per) continue;
          let cur = cursor.get(k),
            prev = last.get(k);
          if (!cur) {
            cursor.set(k, (cur = new Int32Array(S)));
            last.set(k, (prev = new Int32Array(2 * S).fill(-1)));
          }
          let latest = -1,
            grew = true;
          while (grew) {
            // an ordering that grows P may bring in more writes of k
            grew = false;
            for (let t = 0; t < S; t++) {
              const ws = per[t];
              while (cur[t] < ws.length && c.position[ws[cur[t]]] <= P[t]) cur[t]++;
              if (cur[t] === 0) continue;
              const w1 = ws[cur[t] - 1];
              if (w1 === id || w1 === w2) continue; // w2's own session's earlier writes precede it by co
              latest = w1;
              if (w2 < 0) continue;
              if (prev![2 * t] === w1 && prev![2 * t + 1] === w2) continue; // the same pair as before
              prev![2 * t] = w1;
              prev![2 * t + 1] = w2;
              if (g.before(w1, w2)) continue; // co already orders them
              let m = into.get(w2);
              if (m?.has(w1)) continue;
              if (!m) into.set(w2, (m = new Map()));
              m.set(w1, id);
              if (!inPast(P, w2)) continue;
              const j = entered.get(w2)!;
              if (j < at && snapshot[j * S + c.sessionIndex[w1]] < c.position[w1]) again = true;
              if (!inPast(P, w1)) {
                grow(c.offset(w1));
                grew = true;
              }
            }
          }
          if (w2 === -1 && latest >= 0) found.push({ read: id, key: k, write: latest });
        }
      }
    }
    maxRounds = Math.max(maxRounds, rounds);
    const o: Orderings = { from: [], to: [], read: [] };
    for (const [w2, m] of into)
      for (const [w1, r] of m) {
        o.from.push(w1);
        o.to.push(w2);
        o.read.push(r);
      }
    orderings += o.from.length;
    all.push(o);
    for (const f of found) if (anomalies.length < max) anomalies.push(initRead(g, o, f.read, f.key, f.write));
  }
  if (anomalies.length < max) {
    const cycle = (sets: Orderings[]) => findCycle(ev.length, ...edges(g, sets));
    if (cycle(all)) {
      for (let s = 0; s < all.length && anomalies.length < max; s++) {
        if (all[s].from.length === 0) continue;
        const cyc = cycle([all[s]]);
        if (cyc) anomalies.push(cyclicHB(g, all[s], c.order[s], cyc));
      }
    }
  }
  return { anomalies, stats: { hbOrderings: orderings, maxRounds } };
}

/** co's generating edges (session order, read-from) plus the given orderings, as compressed rows. */
function edges(g: CausalGraph, sets: Orderings[]): [Int32Array, Int32Array] {
  const n = g.events.length;
  const from: number[] = [],
    to: number[] = [];
  for (const ids of g.sessions.values())
    for (let i = 1; i < ids.length; i++) {
      from.push(ids[i - 1]);
      to.push(ids[i]);
    }
  for (const e of g.events)
    for (const w of e.from.values())
      if (w >= 0 && w !== e.id) {
        from.push(w);
        to.push(e.id);
      }
  for (const s of sets)
    for (let i = 0; i < s.from.length; i++) {
      from.push(s.from[i]);
      to.push(s.to[i]);
    }
  const start = new Int32Array(n + 1);
  for (const a of from) start[a + 1]++;
  for (let v = 0; v < n; v++) start[v + 1] += start[v];
  const succ = new Int32Array(from.length),
    fill = start.slice(0, n);
  for (let i = 0; i < from.length; i++) succ[fill[from[i]]++] = to[i];
  return [start, succ];
}

const wrote = (g: CausalGraph, w: number, k?: string) => {
  const e = g.events[w];
  const [key, v] = k !== undefined ? [k, e.writes.get(k)] : [...e.writes][0];
  return `${key}=${JSON.stringify(v)} (session ${e.session}, op ${e.op.invoke.index})`;
};

function orderingText(g: CausalGraph, w1: number, w2: number, r: number): string {
  const k = [...g.events[w2].writes.keys()].find((x) => g.events[w1].writes.has(x))!;
  return `session ${g.events[r].session} had seen ${wrote(g, w1, k)} when its read at ${secs(g.events[r].op.invoke.time)} (op ${g.events[r].op.invoke.index}) returned ${wrote(g, w2, k)}, so its memory must apply the first before the second`;
}

function initRead(g: CausalGraph, o: Orderings, r: number, k: string, w: number): Anomaly {
  const e = g.events[r];
  // One ordering that brings the write into the read's past: w happens before w1, w1 before w2, w2 before r.
  let why = "";
  for (let i = 0; i < o.from.length; i++) {
    const w1 = o.from[i],
      w2 = o.to[i];
    if ((w1 === w || g.before(w, w1)) && (w2 === r || g.before(w2, r))) {
      why = `: ${orderingText(g, w1, w2, o.read[i])}, and ${w1 === w ? "the first is that write" : `${wrote(g, w, k)} causally precedes the first`} while the second causally precedes the read`;
      break;
    }
  }
  return {
    kind: "WriteHBInitRead",
    key: k,
    ops: indexes(g.events[w].op, e.op),
    explanation: `session ${e.session}'s read of ${k} at ${secs(e.op.invoke.time)} (op ${e.op.invoke.index}) returned the initial value, although the write ${wrote(g, w, k)} happens before it in that session's memory${why || " (through a chain of such orderings)"}. Causal memory forbids it; plain causal consistency does not, since the write does not causally precede the read.`,
    details: { write: g.events[w].op.invoke.index, read: e.op.invoke.index, session: e.session },
    evidence: stepsEvidence([
      step(
        g.events[w].op.invoke.index,
        e.op.invoke.index,
        "happens before",
        `in session ${e.session}'s memory the write happens before the read, which returned the initial value${why}`,
      ),
    ]),
  };
}

function cyclicHB(g: CausalGraph, o: Orderings, sessionOps: number[], cycle: number[]): Anomaly {
  const ev = g.events;
  const forced = new Map<string, number>();
  for (let i = 0; i < o.from.length; i++) forced.set(`${o.from[i]},${o.to[i]}`, o.read[i]);
  const links: Step[] = [];
  for (let i = 0; i < cycle.length && i < 64; i++) {
    const a = cycle[i],
      b = cycle[(i + 1) % cycle.length];
    const r = forced.get(`${a},${b}`);
    const [ia, ib] = [ev[a].op.invoke.index, ev[b].op.invoke.index];
    links.push(
      r !== undefined && !g.before(a, b)
        ? step(ia, ib, "hb", orderingText(g, a, b, r))
        : step(ia, ib, "co", `op ${ia} causally precedes op ${ib}`),
    );
  }
  const steps = links.slice(0, 6).map((l) => l.why);
  const s = ev[sessionOps[0]].session;
  return {
    kind: "CyclicHB",
    ops: indexes(...cycle.map((id) => ev[id].op)),
    explanation: `Session ${s}'s memory has no order for what it read (causal memory fails): ${steps.join("; ")}${cycle.length > 6 ? "; …" : ""}, which loops back.`,
    details: { session: s, cycle: cycle.map((id) => ev[id].op.invoke.index) },
    evidence: stepsEvidence(links, { order: cycle.slice(0, 64).map((id) => ev[id].op.invoke.index) }),
  };
}
