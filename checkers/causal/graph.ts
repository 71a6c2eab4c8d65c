// The causal graph of a data-independent history (every written value unique per key), shared by the causal
// and session-guarantee checkers. Each client operation becomes an event that reads and/or writes keys; the
// read-from relation (wr) is recovered exactly from the unique values, session order (so) is process order,
// and causal order co = (so ∪ wr)+ is kept as a vector clock over sessions per event (linear in the history).
//
// A session is a process (Jepsen's): a process ends at its first indeterminate (info) op, and its worker goes
// on as a new process — a new connection, so a new session. Every op of a session except its last is therefore
// ok or fail, and a crashed write is always its session's last op.
import type { Op } from "../../src/history/op.ts";
import { pairOperations, type Operation } from "../../src/history/pairs.ts";
import { millis, seconds } from "../../src/format.ts";

/** A read of a write-once key that names no value: "this key's (only) write". */
export const PRESENT = Symbol("present");

export interface EventSpec {
  /** key → value read; null is the initial (absent) value; PRESENT is the key's only write. */
  reads?: Map<string, unknown>;
  /** key → value written. */
  writes?: Map<string, unknown>;
  /** Key prefixes this op read in full: a key with such a prefix that is not in `reads` was read as absent. */
  domains?: string[];
}

export interface CEvent {
  id: number;
  op: Operation;
  session: number;
  reads: Map<string, unknown>;
  writes: Map<string, unknown>;
  domains: string[];
  /** key → id of the event whose write this read observed; -1: the initial value; -2: no such write. */
  from: Map<string, number>;
}

export interface CausalGraph {
  events: CEvent[];
  sessions: Map<number, number[]>; // process → event ids in session order
  writesByKey: Map<string, number[]>; // key → events writing it (ok, or crashed but observed)
  failed: Map<string, Operation>; // "key\0value" of writes that failed (definitely did not happen)
  /** Strict causal predecessors (co⁻¹) of each event; an event on a cycle is its own predecessor. */
  before(a: number, b: number): boolean; // a co b
  cyclic: number[][]; // non-trivial strongly connected components of so ∪ wr
  /** Per session, the latest write of key k in the causal past of event r (at most one per session). */
  latestBefore(k: string, r: number): number[];
  /** Why the history is not data-independent (a value written twice), if it is not. */
  problem?: string;
  /** The causal past of each event as a vector clock over sessions (when held as clocks, not bitsets). */
  clocks?: PastClocks;
}

/** Causal pasts as clocks: sessionIndex[e] and position[e] place event e in its session (order[s] lists
 *  session s's events); data[offset(e) + s] is the position of the last event of session s in e's past, e
 *  itself included (-1: none). A past is closed under session order, so the clock names it exactly. */
export interface PastClocks {
  S: number;
  sessionIndex: Int32Array;
  position: Int32Array;
  order: number[][];
  data: Int32Array;
  offset(e: number): number;
}

export type Adapter = (op: Operation) => EventSpec | null;

/** The key of a written value in `failed` (and in the graph's own writer index). */
export const vkey = (k: string, v: unknown) => `${k}\u0000${JSON.stringify(v)}`;
/** Causal-order entries held at most (components × sessions clocks, or components × n/32 bitset words; 4 bytes each): 256 MB. */
export const MAX_CLOCK_ENTRIES = 64 * 2 ** 20;

/** How causal pasts are held: vector clocks over sessions (the default), or a bitset of predecessors per op
 *  (smaller when there are more sessions than ops/32: many one-op sessions); "auto" uses clocks unless they
 *  would pass MAX_CLOCK_ENTRIES and the bitset would not. */
export type PastRepresentation = "auto" | "clocks" | "bits";

export function buildGraph(
  history: readonly Op[],
  adapt: Adapter,
  representation: PastRepresentation = "auto",
): CausalGraph {
  const operations = pairOperations(history);
  const events: CEvent[] = [];
  const failed = new Map<string, Operation>();
  let problem: string | undefined;
  for (const op of operations) {
    const spec = adapt(op);
    if (!spec) continue;
    if (op.type === "fail") {
      for (const [k, v] of spec.writes ?? []) failed.set(vkey(k, v), op);
      continue;
    }
    // A crashed op's reads returned nothing; its writes may have happened.
    const reads = op.type === "ok" ? (spec.reads ?? new Map()) : new Map<string, unknown>();
    const writes = spec.writes ?? new Map();
    if (reads.size === 0 && writes.size === 0) continue;
    events.push({
      id: events.length,
      op,
      session: op.process,
      reads,
      writes,
      domains: op.type === "ok" ? (spec.domains ?? []) : [],
      from: new Map(),
    });
  }
  const writer = new Map<string, number>();
  const writerOfKey = new Map<string, number[]>();
  for (const e of events)
    for (const [k, v] of e.writes) {
      const id = vkey(k, v);
      if (writer.has(id))
        problem ??= `value ${JSON.stringify(v)} is written to key ${JSON.stringify(k)} twice (ops ${events[writer.get(id)!].op.invoke.index} and ${e.op.invoke.index}): the history is not data-independent`;
      writer.set(id, e.id);
      let l = writerOfKey.get(k);
      if (!l) writerOfKey.set(k, (l = []));
      l.push(e.id);
    }
  for (const e of events)
    for (const [k, v] of e.reads) {
      if (v === PRESENT) {
        const ws = writerOfKey.get(k) ?? [];
        e.from.set(k, ws.length === 1 ? ws[0] : -2);
      } else if (v === null || v === undefined) e.from.set(k, -1);
      else e.from.set(k, writer.get(vkey(k, v)) ?? -2);
    }
  // Crashed writes that nobody observed constrain nothing: drop them from the per-key write lists.
  const observed = new Set<number>();
  for (const e of events) for (const w of e.from.values()) if (w >= 0) observed.add(w);
  const writesByKey = new Map<string, number[]>();
  for (const [k, ws] of writerOfKey)
    writesByKey.set(
      k,
      ws.filter((w) => events[w].op.type === "ok" || observed.has(w)),
    );

  const sessions = new Map<number, number[]>();
  for (const e of events) {
    let l = sessions.get(e.session);
    if (!l) sessions.set(e.session, (l = []));
    l.push(e.id);
  }
  const n = events.length;
  // Predecessors (session order and read-from) as compressed rows: preds of v are pred[predStart[v] ..
  // predStart[v+1]). A million small arrays would cost more in allocation and collection than the search.
  const predStart = new Int32Array(n + 1);
  const sIdx = new Int32Array(n),
    pos = new Int32Array(n);
  let si = 0;
  for (const ids of sessions.values()) {
    for (let i = 0; i < ids.length; i++) {
      sIdx[ids[i]] = si;
      pos[ids[i]] = i;
      if (i > 0) predStart[ids[i] + 1]++;
    }
    si++;
  }
  for (const e of events) for (const w of e.from.values()) if (w >= 0 && w !== e.id) predStart[e.id + 1]++;
  for (let v = 0; v < n; v++) predStart[v + 1] += predStart[v];
  const pred = new Int32Array(predStart[n]);
  const fill = predStart.slice(0, n);
  for (const ids of sessions.values()) for (let i = 1; i < ids.length; i++) pred[fill[ids[i]]++] = ids[i - 1];
  for (const e of events) for (const w of e.from.values()) if (w >= 0 && w !== e.id) pred[fill[e.id]++] = w;

  // Causal pasts as vector clocks over sessions: a past is closed under session order, so its part in each
  // session is a prefix, named by the position of its last event. One clock per strongly connected component
  // (an event on a cycle is in its own past), computed in topological order: n × sessions numbers, linear in
  // the history for a fixed number of sessions.
  const S = sessions.size;
  const { comp, count, memberStart, member } = scc(n, predStart, pred);
  // With more sessions than n/32 (many one-op sessions: crashes, imported histories) a bitset of predecessors
  // per component is smaller than a clock; both answer "is a in b's past" in O(1).
  const words = (n + 31) >>> 5;
  const useBits =
    representation === "bits" || (representation === "auto" && count * S > MAX_CLOCK_ENTRIES && words < S);
  const entries = count * (useBits ? words : S);
  if (entries > MAX_CLOCK_ENTRIES) {
    return {
      events,
      sessions,
      writesByKey,
      failed,
      cyclic: [],
      before: () => false,
      latestBefore: () => [],
      problem:
        problem ??
        `${n} events in ${S} sessions need ${entries} causal-order entries, more than the causal checker holds (${MAX_CLOCK_ENTRIES})`,
    };
  }
  const onCycle = new Uint8Array(n);
  const cyclic: number[][] = [];
  for (let c = 0; c < count; c++) {
    const from = memberStart[c],
      to = memberStart[c + 1];
    if (to - from > 1) {
      const ms = [...member.subarray(from, to)].sort((x, y) => x - y);
      cyclic.push(ms);
      for (const x of ms) onCycle[x] = 1;
    }
  }
  let before: (a: number, b: number) => boolean;
  let clocks: PastClocks | undefined;
  if (useBits) {
    const bits = new Uint32Array(count * words);
    for (let c = 0; c < count; c++) {
      // components in topological order (every predecessor first)
      const base = c * words,
        from = memberStart[c],
        to = memberStart[c + 1];
      for (let j = from; j < to; j++)
        for (let q = predStart[member[j]]; q < predStart[member[j] + 1]; q++) {
          const p = pred[q],
            d = comp[p];
          if (d === c) continue;
          const pb = d * words;
          for (let i = 0; i < words; i++) bits[base + i] |= bits[pb + i];
          for (let k = memberStart[d]; k < memberStart[d + 1]; k++) {
            const x = member[k];
            bits[base + (x >>> 5)] |= 1 << (x & 31);
          }
        }
      if (to - from > 1)
        for (let j = from; j < to; j++) {
          const x = member[j];
          bits[base + (x >>> 5)] |= 1 << (x & 31);
        }
    }
    before = (a, b) => (bits[comp[b] * words + (a >>> 5)] & (1 << (a & 31))) !== 0;
  } else {
    const clock = new Int32Array(count * S).fill(-1);
    for (let c = 0; c < count; c++) {
      // components in topological order (every predecessor first)
      const base = c * S,
        from = memberStart[c],
        to = memberStart[c + 1];
      for (let j = from; j < to; j++) {
        const m = member[j];
        for (let q = predStart[m]; q < predStart[m + 1]; q++) {
          const p = pred[q],
            d = comp[p];
          if (d === c) continue;
          // Already in this past: so is everything before it (its clock is below this one). The session
          // predecessor comes first in the row and usually brings most of what the reads would.
          if (clock[base + sIdx[p]] >= pos[p]) continue;
          const pb = d * S;
          for (let i = 0; i < S; i++) if (clock[pb + i] > clock[base + i]) clock[base + i] = clock[pb + i];
        }
      }
      for (let j = from; j < to; j++) {
        const m = member[j];
        if (pos[m] > clock[base + sIdx[m]]) clock[base + sIdx[m]] = pos[m];
      }
    }
    before = (a, b) => (a === b ? onCycle[a] === 1 : clock[comp[b] * S + sIdx[a]] >= pos[a]);
    clocks = {
      S,
      sessionIndex: sIdx,
      position: pos,
      order: [...sessions.values()],
      data: clock,
      offset: (e) => comp[e] * S,
    };
  }
  // A session's writes of a key are totally ordered by session order, and a causal past is closed under it,
  // so the writes of one session in a past form a prefix: binary search for its end.
  const bySessionKey = new Map<string, number[][]>();
  for (const [k, ws] of writesByKey) {
    const m = new Map<number, number[]>();
    for (const w of ws) {
      const s = events[w].session;
      let l = m.get(s);
      if (!l) m.set(s, (l = []));
      l.push(w);
    }
    bySessionKey.set(k, [...m.values()]);
  }
  const latestBefore = (k: string, r: number): number[] => {
    const out: number[] = [];
    for (const ws of bySessionKey.get(k) ?? []) {
      let lo = 0,
        hi = ws.length; // ws[0..lo) are in r's past
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (before(ws[mid], r)) lo = mid + 1;
        else hi = mid;
      }
      if (lo > 0) out.push(ws[lo - 1]);
    }
    return out;
  };
  return { events, sessions, writesByKey, failed, before, latestBefore, cyclic, problem, clocks };
}

/** Tarjan's strongly connected components over predecessor rows, iteratively, in typed arrays. Components are
 *  numbered in the order Tarjan emits them, which over predecessor edges is a topological order (a component
 *  after every component that precedes it); members of component c are member[memberStart[c] ..
 *  memberStart[c+1]). */
function scc(
  n: number,
  predStart: Int32Array,
  pred: Int32Array,
): { comp: Int32Array; count: number; memberStart: Int32Array; member: Int32Array } {
  const index = new Int32Array(n).fill(-1),
    low = new Int32Array(n),
    comp = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n),
    workV = new Int32Array(n),
    workI = new Int32Array(n);
  const member = new Int32Array(n),
    memberStart = new Int32Array(n + 1);
  let sp = 0,
    next = 0,
    count = 0,
    filled = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let wp = 0;
    workV[wp] = root;
    workI[wp] = predStart[root];
    wp++;
    index[root] = low[root] = next++;
    stack[sp++] = root;
    onStack[root] = 1;
    while (wp > 0) {
      const v = workV[wp - 1],
        i = workI[wp - 1];
      if (i < predStart[v + 1]) {
        workI[wp - 1]++;
        const w = pred[i];
        if (index[w] === -1) {
          index[w] = low[w] = next++;
          stack[sp++] = w;
          onStack[w] = 1;
          workV[wp] = w;
          workI[wp] = predStart[w];
          wp++;
        } else if (onStack[w] && index[w] < low[v]) low[v] = index[w];
        continue;
      }
      wp--;
      if (wp > 0) {
        const u = workV[wp - 1];
        if (low[v] < low[u]) low[u] = low[v];
      }
      if (low[v] === index[v]) {
        memberStart[count] = filled;
        let w: number;
        do {
          w = stack[--sp];
          onStack[w] = 0;
          comp[w] = count;
          member[filled++] = w;
        } while (w !== v);
        count++;
      }
    }
  }
  memberStart[count] = filled;
  return { comp, count, memberStart: memberStart.subarray(0, count + 1), member };
}

// ---- words for explanations -------------------------------------------------------------------------
export const secs = seconds;
export const ms = millis;
export const show = (v: unknown) => (v === null || v === undefined ? "nothing (the initial value)" : JSON.stringify(v));

export function describeWrite(g: CausalGraph, id: number, key: string): string {
  const e = g.events[id];
  return `session ${e.session} wrote ${key}=${JSON.stringify(e.writes.get(key))}${e.op.complete && e.op.type === "ok" ? ` (acknowledged at ${secs(e.op.complete.time)})` : " (crashed, so unacknowledged)"}`;
}

export function indexes(...ops: Operation[]): number[] {
  const s = new Set<number>();
  for (const o of ops) {
    s.add(o.invoke.index);
    if (o.complete) s.add(o.complete.index);
  }
  return [...s].sort((a, b) => a - b);
}
