// Wing–Gong–Lowe linearizability search with Lowe's state cache, as in Porcupine.
// Operations sit in a doubly linked list of call and return entries in real-time order. The search
// repeatedly "lifts" a call whose model step is legal (removing its call and return entries), caching
// (set of linearized ops, model state) so no configuration is explored twice, and backtracks when it
// reaches a return entry: that op would have to be linearized before it returned, and none could be.
// Crashed (info) operations have no return entry: they may be linearized at any point after their call,
// or never, so they never force a backtrack. The search succeeds when no return entries remain.
import type { Model, ModelOp } from "./model.ts";

export interface SearchOp {
  id: number;          // 0..n-1 within the partition
  op: ModelOp;
  call: number;        // ordering positions (history indexes)
  ret: number;         // Infinity for indeterminate ops
}

export interface SearchBudget {
  /** Give up (verdict "unknown") after this many search steps. */
  maxSteps?: number;
  /** Give up when the cache would hold more than this many bytes of bitsets (an estimate). */
  maxCacheBytes?: number;
}

export interface SearchResult {
  valid: boolean | "unknown";
  steps: number;
  cacheEntries: number;
  /** For invalid (and unknown) results: the longest prefix linearized, with the state after each op. */
  longest: { id: number; stateAfter: unknown }[];
  /** Ops that could not be placed after the longest prefix: the first op whose return blocked, and others pending. */
  blocked: number[];
  reason?: string;
}

interface Entry {
  id: number;
  isCall: boolean;
  match: Entry | null;       // call → its return entry (null for indeterminate)
  prev: Entry | null;
  next: Entry | null;
  pos: number;
}

interface Frame { entry: Entry; state: unknown; parent: Frame | null; depth: number }

export function searchLinearization(model: Model, ops: SearchOp[], budget: SearchBudget = {}): SearchResult {
  const n = ops.length;
  const maxSteps = budget.maxSteps ?? Infinity;
  const words = (n + 31) >>> 5;
  const maxCacheEntries = budget.maxCacheBytes ? Math.max(1, Math.floor(budget.maxCacheBytes / (words * 4 + 64))) : Infinity;

  // Build entries in time order; at equal positions returns go after calls (cannot happen with distinct indexes).
  const all: Entry[] = [];
  for (const o of ops) {
    const call: Entry = { id: o.id, isCall: true, match: null, prev: null, next: null, pos: o.call };
    all.push(call);
    if (o.ret !== Infinity) {
      const ret: Entry = { id: o.id, isCall: false, match: null, prev: null, next: null, pos: o.ret };
      call.match = ret;
      all.push(ret);
    }
  }
  all.sort((a, b) => a.pos - b.pos || (a.isCall === b.isCall ? 0 : a.isCall ? -1 : 1));
  const head: Entry = { id: -1, isCall: false, match: null, prev: null, next: null, pos: -Infinity };
  let prev = head;
  let returns = 0;
  for (const e of all) { prev.next = e; e.prev = prev; prev = e; if (!e.isCall) returns++; }

  // Zobrist hashing of the linearized set: a random 32-bit pair per op, xor-ed in and out.
  const zLo = new Uint32Array(n), zHi = new Uint32Array(n);
  let seed = 0x9e3779b9;
  const rnd = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return seed >>> 0; };
  for (let i = 0; i < n; i++) { zLo[i] = rnd(); zHi[i] = rnd(); }
  let hLo = 0, hHi = 0;
  const bits = new Uint32Array(words);
  const cache = new Map<string, Uint32Array[]>();
  let cacheEntries = 0;

  const lift = (e: Entry) => {
    e.prev!.next = e.next; if (e.next) e.next.prev = e.prev;
    const m = e.match;
    if (m) { m.prev!.next = m.next; if (m.next) m.next.prev = m.prev; returns--; }
  };
  const unlift = (e: Entry) => {
    const m = e.match;
    if (m) { m.prev!.next = m; if (m.next) m.next.prev = m; returns++; }
    e.prev!.next = e; if (e.next) e.next.prev = e;
  };
  const equalBits = (a: Uint32Array) => { for (let i = 0; i < words; i++) if (a[i] !== bits[i]) return false; return true; };

  let state: unknown = model.init();
  let top: Frame | null = null;
  let best: Frame | null = null;
  let bestBlocked = -1;
  let steps = 0;
  let entry = head.next;

  const result = (valid: boolean | "unknown", reason?: string): SearchResult => {
    const longest: { id: number; stateAfter: unknown }[] = [];
    for (let f = best; f; f = f.parent) longest.push({ id: f.entry.id, stateAfter: null });
    longest.reverse();
    // Recompute states along the prefix (frames store the state *before* their op).
    let s = model.init();
    for (const l of longest) { s = model.step(s, ops[l.id].op) as unknown; l.stateAfter = s; }
    const blocked: number[] = [];
    if (valid !== true && bestBlocked >= 0) blocked.push(bestBlocked);
    const r: SearchResult = { valid, steps, cacheEntries, longest: valid === true ? [] : longest, blocked };
    if (reason) r.reason = reason;
    return r;
  };

  while (returns > 0) {
    if (++steps > maxSteps) return result("unknown", `search budget of ${maxSteps} steps exhausted`);
    if (entry === null) break; // cannot happen while returns > 0
    if (entry.isCall) {
      const next = model.step(state, ops[entry.id].op);
      if (next !== undefined) {
        const id = entry.id;
        bits[id >>> 5] |= 1 << (id & 31);
        const lo = hLo ^ zLo[id], hi = hHi ^ zHi[id];
        const key = `${lo}:${hi}:${model.hash(next)}`;
        let bucket = cache.get(key);
        let seen = false;
        if (bucket) { for (const b of bucket) if (equalBits(b)) { seen = true; break; } }
        if (!seen) {
          if (++cacheEntries > maxCacheEntries) return result("unknown", `cache memory budget exhausted after ${cacheEntries - 1} configurations`);
          if (!bucket) { bucket = []; cache.set(key, bucket); }
          bucket.push(bits.slice());
          top = { entry, state, parent: top, depth: top ? top.depth + 1 : 1 };
          if (!best || top.depth > best.depth) { best = top; bestBlocked = -1; }
          state = next; hLo = lo; hHi = hi;
          lift(entry);
          entry = head.next;
          continue;
        }
        bits[id >>> 5] &= ~(1 << (id & 31));
      }
      entry = entry.next;
    } else {
      // A return entry with its call still pending: that op cannot be linearized here. Backtrack.
      if (top === best && bestBlocked < 0) bestBlocked = entry.id;
      if (!best && bestBlocked < 0) bestBlocked = entry.id;
      if (!top) return result(false);
      const f: Frame = top;
      top = f.parent;
      state = f.state;
      const id = f.entry.id;
      bits[id >>> 5] &= ~(1 << (id & 31));
      hLo ^= zLo[id]; hHi ^= zHi[id];
      unlift(f.entry);
      entry = f.entry.next;
    }
  }
  return result(true);
}
