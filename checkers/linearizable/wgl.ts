// Wing–Gong–Lowe linearizability search with Lowe's state cache, as in Porcupine, tuned for large histories.
//
// Operations sit in a doubly linked list of call and return entries in real-time order (typed arrays, no
// objects per entry; crashed ops' calls in a second list, tried after the completed ops' calls). The search repeatedly "lifts" the first call whose model step is legal (removing
// its call and return entries), and backtracks when it reaches a return entry: that op would have had to
// be linearized before it returned, and nothing could be. It succeeds when no return entries remain.
//
// Crashed (info) operations have no return entry: they may be linearized at any point after their call,
// or never, so they never force a backtrack (Knossos' and Porcupine's semantics). Two crashed ops with
// the same model op (same f and input) are interchangeable, so only the earliest-called one not yet
// linearized may be lifted: this symmetry reduction is exact and keeps histories with many identical
// crashed writes tractable.
//
// The cache holds every (linearized set, model state) configuration already explored. The linearized
// set is fingerprinted with three independent 32-bit Zobrist hashes (96 bits, updated by xor on every
// lift/unlift) and the state by an exact interned id from model.hash; a false "already seen" needs a
// 96-bit collision (probability below 1e-14 for 10^8 configurations). Entries live in an open-addressing
// table of Int32Arrays (16 bytes each), so memory stays flat and predictable.
//
// Budgets: maxSteps (search steps) and maxCacheBytes (an estimate of the table + search stack). When one
// runs out the result is "unknown", with the longest linearization found so far.
import type { Model, ModelOp } from "./model.ts";
import { canonical } from "./model.ts";

export interface SearchOp {
  id: number;          // 0..n-1 within the partition
  op: ModelOp;
  call: number;        // ordering positions (history indexes)
  ret: number;         // Infinity for indeterminate ops
}

export interface SearchBudget {
  /** Give up (verdict "unknown") after this many search steps. */
  maxSteps?: number;
  /** Give up when the cache and search stack would exceed this many bytes (an estimate). */
  maxCacheBytes?: number;
  /** Also charge one step per this many crashed-op dominance comparisons. With hundreds of crashed ops of
   *  distinct kinds a step can cost thousands of comparisons; charging them keeps a step budget a time
   *  budget (the witness shrinker, whose candidates demote most ops to crashed ones, sets it). */
  comparisonsPerStep?: number;
}

export interface SearchResult {
  valid: boolean | "unknown";
  steps: number;
  cacheEntries: number;
  /** For invalid (and unknown) results: the longest prefix linearized, with the state after each op. */
  longest: { id: number; stateAfter: unknown }[];
  /** Ops that could not be placed after the longest prefix: the op whose return blocked it. */
  blocked: number[];
  reason?: string;
}

interface Frame { entry: number; state: number; parent: Frame | null; depth: number; barrier: number; forced: boolean }

const BYTES_PER_ENTRY = 56;   // 2 × 20-byte table slots (load ≤ 1/2) + a stack frame, amortized

export function searchLinearization(model: Model, ops: SearchOp[], budget: SearchBudget = {}): SearchResult {
  const n = ops.length;
  const maxSteps = budget.maxSteps ?? Infinity;
  const charge = budget.comparisonsPerStep ? 1 / budget.comparisonsPerStep : 0;

  // ---- entries in time order: entry e (1-based) is op entOp[e], a call if entCall[e] ----
  let E = 0;
  for (const o of ops) E += o.ret === Infinity ? 1 : 2;
  const order = sortEntries(ops, E);
  // Two lists: the main one (completed ops' calls and returns, head 0) and the crashed ops' calls (head I).
  const I = E + 1;
  const entOp = new Int32Array(E + 2), entCall = new Uint8Array(E + 2), entMatch = new Int32Array(E + 2);
  const entPos = new Float64Array(E + 2);
  const next = new Int32Array(E + 2), prev = new Int32Array(E + 2);
  const callEntry = new Int32Array(n);
  let returns = 0;
  let tailMain = 0, tailInfo = I;
  next[0] = -1; prev[0] = -1; next[I] = -1; prev[I] = -1;
  for (let i = 0; i < E; i++) {
    const code = order[i], e = i + 1, id = code >>> 1;
    entOp[e] = id;
    const isCall = (code & 1) === 0;
    entPos[e] = isCall ? ops[id].call : ops[id].ret;
    if (isCall) { entCall[e] = 1; callEntry[id] = e; entMatch[e] = 0; }
    else { entMatch[callEntry[id]] = e; returns++; }
    if (isCall && ops[id].ret === Infinity) { prev[e] = tailInfo; next[tailInfo] = e; next[e] = -1; tailInfo = e; }
    else { prev[e] = tailMain; next[tailMain] = e; next[e] = -1; tailMain = e; }
  }

  // ---- crashed-op symmetry: kind and rank (in call order) of each info op ----
  const kindOf = new Int32Array(n).fill(-1), rank = new Int32Array(n);
  const kinds = new Map<string, number>();
  const kindSize: number[] = [];
  for (let e = 1; e <= E; e++) {
    if (!entCall[e] || entMatch[e] !== 0) continue;
    const id = entOp[e];
    const o = ops[id].op;
    const k = o.f + "\u0000" + canonical(o.input);
    let kind = kinds.get(k);
    if (kind === undefined) { kind = kindSize.length; kinds.set(k, kind); kindSize.push(0); }
    kindOf[id] = kind;
    rank[id] = kindSize[kind]++;
  }
  const linCount = new Int32Array(kindSize.length);

  // ---- Zobrist fingerprints ----
  const z1 = new Int32Array(n), z2 = new Int32Array(n), z3 = new Int32Array(n);
  let seed = 0x9e3779b9 | 0;
  const rnd = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return seed | 0; };
  for (let i = 0; i < n; i++) { z1[i] = rnd(); z2[i] = rnd(); z3[i] = rnd(); }
  // Crashed ops are not in the fingerprint: which of them are linearized is kept exactly, as per-kind
  // counts (linCount snapshots), so a configuration can be pruned by *dominance* (below).
  for (let i = 0; i < n; i++) if (kindOf[i] >= 0) { z1[i] = 0; z2[i] = 0; z3[i] = 0; }
  const K = kindSize.length;
  // Snapshot pool, flat so a snapshot costs 4K + 4 bytes rather than two heap objects (~450 bytes, which made
  // the memory estimate 3x low): snapshot i is pool[i*K, i*K+K), snapNext[i] the next of its bucket (-1: last).
  let pool = new Int32Array(K > 0 ? 1024 * K : 0), snapNext = new Int32Array(K > 0 ? 1024 : 0), snapCount = 0;
  const addSnap = (nextInBucket: number): number => {
    if (snapCount === snapNext.length) {
      const np = new Int32Array(pool.length * 2); np.set(pool); pool = np;
      const nn = new Int32Array(snapNext.length * 2); nn.set(snapNext); snapNext = nn;
    }
    pool.set(linCount, snapCount * K); snapNext[snapCount] = nextInBucket;
    return snapCount++;
  };
  let h1 = 0, h2 = 0, h3 = 0;

  // ---- interned states ----
  const stateIds = new Map<unknown, number>();
  const states: unknown[] = [];
  const intern = (s: unknown): number => {
    const k = model.hash(s);
    let id = stateIds.get(k);
    if (id === undefined) { id = states.length; states.push(s); stateIds.set(k, id); }
    return id;
  };

  // ---- the cache: open addressing, 5 Int32 per slot (h1, h2, h3, stateId + 1 (0 = empty), snapshot bucket) ----
  let cap = 1 << 12, mask = cap - 1;
  let table = new Int32Array(cap * 5);
  let cacheEntries = 0;
  const slotOf = (a: number, b: number, c: number, s: number, t: Int32Array, m: number): number => {
    let i = (a ^ Math.imul(s + 1, 0x9e3779b1) ^ (b >>> 7)) & m;
    for (;;) {
      const p = i * 5, sv = t[p + 3];
      if (sv === 0) return ~p;
      if (sv === s + 1 && t[p] === a && t[p + 1] === b && t[p + 2] === c) return p;
      i = (i + 1) & m;
    }
  };
  const grow = () => {
    const ncap = cap << 1, nmask = ncap - 1, nt = new Int32Array(ncap * 5);
    for (let p = 0; p < table.length; p += 5) {
      if (table[p + 3] === 0) continue;
      const q = ~slotOf(table[p], table[p + 1], table[p + 2], table[p + 3] - 1, nt, nmask);
      nt[q] = table[p]; nt[q + 1] = table[p + 1]; nt[q + 2] = table[p + 2]; nt[q + 3] = table[p + 3]; nt[q + 4] = table[p + 4];
    }
    table = nt; cap = ncap; mask = nmask;
  };

  const lift = (e: number) => {
    next[prev[e]] = next[e]; if (next[e] !== -1) prev[next[e]] = prev[e];
    const m = entMatch[e];
    if (m !== 0) { next[prev[m]] = next[m]; if (next[m] !== -1) prev[next[m]] = prev[m]; returns--; }
  };
  const unlift = (e: number) => {
    const m = entMatch[e];
    if (m !== 0) { next[prev[m]] = m; if (next[m] !== -1) prev[next[m]] = m; returns++; }
    next[prev[e]] = e; if (next[e] !== -1) prev[next[e]] = e;
  };

  // A snapshot is 4K + 4 bytes in the pool, which doubles as it grows (up to 1.5x while copying).
  const entryBytes = BYTES_PER_ENTRY + (K > 0 ? Math.ceil(1.5 * (4 * K + 4)) : 0);
  /** Whether a configuration in the bucket starting at snapshot `head` had linearized at most as many crashed
   *  ops of every kind as now: it could do everything this one can, so this one is not new. */
  const dominatedIn = (head: number): boolean => {
    let scanned = 0;
    for (let j = head; j !== -1; j = snapNext[j]) {
      scanned++;
      let dominated = true;
      for (let k = 0, base = j * K; k < K; k++) if (pool[base + k] > linCount[k]) { dominated = false; break; }
      if (dominated) { if (charge) steps += Math.floor(scanned * K * charge); return true; }
    }
    if (charge) steps += Math.floor(scanned * K * charge);
    return false;
  };
  const maxEntries = budget.maxCacheBytes ? Math.max(16, Math.floor(budget.maxCacheBytes / entryBytes)) : Infinity;
  const budgetReason = (entries: number) => `memory budget exhausted after ${entries} cached configurations (~${Math.round(entries * entryBytes / 1048576)} MB)`;
  let stateId = intern(model.init());
  let top: Frame | null = null;
  let best: Frame | null = null;
  let bestBlocked = -1;
  let steps = 0;
  let entry = next[0];

  const result = (valid: boolean | "unknown", reason?: string): SearchResult => {
    const longest: { id: number; stateAfter: unknown }[] = [];
    if (valid !== true) {
      for (let f = best; f; f = f.parent) longest.push({ id: entOp[f.entry], stateAfter: null });
      longest.reverse();
      // Recompute states along the prefix (frames store the state *before* their op).
      let s = model.init();
      for (const l of longest) { s = model.step(s, ops[l.id].op) as unknown; l.stateAfter = s; }
    }
    const blocked: number[] = [];
    if (valid !== true && bestBlocked >= 0) blocked.push(bestBlocked);
    const r: SearchResult = { valid, steps, cacheEntries, longest, blocked };
    if (reason) r.reason = reason;
    return r;
  };

  // Children of a configuration, in order: the main list's calls before its first return, then the
  // crashed ops invoked before that return (phase 1). Trying crashed ops last keeps the search on the
  // recorded order until one is needed.
  let phase = 0, barrierEntry = 0, barrier = Infinity;
  // Forced moves: a completed op that is legal now and leaves the state unchanged (a read that sees the
  // current value, a failed compare) can be linearized right now without loss of generality (moving it
  // earlier breaks no real-time or state constraint), so it is lifted without trying alternatives, and
  // if that configuration fails, so does this one. This removes the orderings of concurrent reads.
  let fresh0 = true;
  const readOnly = new Uint8Array(n);
  if (model.readOnly) for (let i = 0; i < n; i++) if (ops[i].ret !== Infinity && model.readOnly(ops[i].op)) readOnly[i] = 1;
  let forcedFail = false;
  while (returns > 0) {
    if (++steps > maxSteps) { steps--; return result("unknown", `search budget of ${maxSteps} steps exhausted`); }
    if (fresh0) {
      fresh0 = false;
      let forced = -1;
      for (let e = next[0]; e !== -1 && entCall[e]; e = next[e]) {
        const fid = entOp[e];
        if (readOnly[fid] && model.step(states[stateId], ops[fid].op) !== undefined) { forced = e; break; }
      }
      if (forced >= 0) {
        const fid = entOp[forced];
        const a = h1 ^ z1[fid], b = h2 ^ z2[fid], c = h3 ^ z3[fid];
        const slot = slotOf(a, b, c, stateId, table, mask);
        let isNew = slot < 0;
        if (!isNew && K > 0) {
          isNew = !dominatedIn(table[slot + 4]);
          if (isNew) {
            if (cacheEntries >= maxEntries) return result("unknown", budgetReason(cacheEntries));
            table[slot + 4] = addSnap(table[slot + 4]); cacheEntries++;
          }
        } else if (isNew) {
          if (cacheEntries >= maxEntries) return result("unknown", budgetReason(cacheEntries));
          const p = ~slot;
          table[p] = a; table[p + 1] = b; table[p + 2] = c; table[p + 3] = stateId + 1;
          if (K > 0) table[p + 4] = addSnap(-1);
          if (++cacheEntries * 2 > cap) grow();
        }
        if (isNew) {
          top = { entry: forced, state: stateId, parent: top, depth: top ? top.depth + 1 : 1, barrier: 0, forced: true };
          if (!best || top.depth > best.depth) { best = top; bestBlocked = -1; }
          h1 = a; h2 = b; h3 = c;
          lift(forced);
          entry = next[0]; phase = 0; fresh0 = true;
          continue;
        }
        forcedFail = true;   // the forced successor was explored already: this configuration fails
      }
    }
    let candidate = -1;
    if (forcedFail) { forcedFail = false; }
    else {
    if (phase === 0) {
      if (entCall[entry]) candidate = entry;
      else { barrierEntry = entry; barrier = entPos[entry]; phase = 1; entry = next[I]; continue; }
    } else if (entry !== -1 && entPos[entry] < barrier) candidate = entry;
    }
    if (candidate >= 0) {
      const id = entOp[entry];
      const kind = kindOf[id];
      if (kind < 0 || linCount[kind] === rank[id]) {
        const nextState = model.step(states[stateId], ops[id].op);
        if (nextState !== undefined) {
          const sid = nextState === states[stateId] ? stateId : intern(nextState);
          const a = h1 ^ z1[id], b = h2 ^ z2[id], c = h3 ^ z3[id];
          const slot = slotOf(a, b, c, sid, table, mask);
          let fresh = slot < 0;
          if (kind >= 0) linCount[kind]++;
          if (!fresh && K > 0) {
            // Same completed ops, same state: new unless an explored configuration had linearized at most
            // as many crashed ops of every kind (it could do everything this one can).
            fresh = !dominatedIn(table[slot + 4]);
            if (fresh) {
              if (cacheEntries >= maxEntries) return result("unknown", budgetReason(cacheEntries));
              table[slot + 4] = addSnap(table[slot + 4]);
              cacheEntries++;
            }
          } else if (fresh) {
            if (cacheEntries >= maxEntries) return result("unknown", budgetReason(cacheEntries));
            const p = ~slot;
            table[p] = a; table[p + 1] = b; table[p + 2] = c; table[p + 3] = sid + 1;
            if (K > 0) table[p + 4] = addSnap(-1);
            if (++cacheEntries * 2 > cap) grow();
          }
          if (!fresh && kind >= 0) linCount[kind]--;
          if (fresh) {
            top = { entry, state: stateId, parent: top, depth: top ? top.depth + 1 : 1, barrier: phase === 1 ? barrierEntry : 0, forced: false };
            if (!best || top.depth > best.depth) { best = top; bestBlocked = -1; }
            stateId = sid; h1 = a; h2 = b; h3 = c;
            lift(entry);
            entry = next[0]; phase = 0; fresh0 = true;
            continue;
          }
        }
      }
      entry = next[entry];
      continue;
    }
    // No op can be linearized before the first pending return: backtrack (past forced moves).
    if (top === best && bestBlocked < 0) {
      let e = next[0];
      while (e !== -1 && entCall[e]) e = next[e];
      bestBlocked = entOp[e];
    }
    let f: Frame;
    do {
      if (!top) return result(false);
      f = top;
      top = f.parent;
      stateId = f.state;
      const id = entOp[f.entry];
      h1 ^= z1[id]; h2 ^= z2[id]; h3 ^= z3[id];
      if (kindOf[id] >= 0) linCount[kindOf[id]]--;
      unlift(f.entry);
    } while (f.forced);
    entry = next[f.entry];
    if (f.barrier) { phase = 1; barrierEntry = f.barrier; barrier = entPos[f.barrier]; } else phase = 0;
  }
  return result(true);
}

/** Entry codes (opId*2 + isReturn) sorted by position; calls before returns at equal positions. */
function sortEntries(ops: SearchOp[], E: number): Int32Array {
  const n = ops.length;
  const out = new Int32Array(E);
  let maxPos = 0;
  for (const o of ops) { if (o.call > maxPos) maxPos = o.call; if (o.ret !== Infinity && o.ret > maxPos) maxPos = o.ret; }
  const scale = 2 * n + 2;
  if (Number.isInteger(maxPos) && maxPos >= 0 && (maxPos + 1) * 2 * scale < 2 ** 52 && ops.every((o) => Number.isInteger(o.call) && o.call >= 0)) {
    // Pack (position, call-before-return, code) into one float and sort numerically: no comparator calls.
    const keys = new Float64Array(E);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const o = ops[i];
      keys[k++] = (o.call * 2) * scale + i * 2;
      if (o.ret !== Infinity) keys[k++] = (o.ret * 2 + 1) * scale + i * 2 + 1;
    }
    keys.sort();
    for (let i = 0; i < E; i++) out[i] = keys[i] % scale;
    return out;
  }
  const items: { pos: number; ret: number; code: number }[] = [];
  ops.forEach((o, i) => {
    items.push({ pos: o.call, ret: 0, code: i * 2 });
    if (o.ret !== Infinity) items.push({ pos: o.ret, ret: 1, code: i * 2 + 1 });
  });
  items.sort((a, b) => a.pos - b.pos || a.ret - b.ret);
  items.forEach((x, i) => (out[i] = x.code));
  return out;
}
