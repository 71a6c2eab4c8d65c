// The search behind the sequential-consistency checker: is there one total order of a data-independent
// history's events that keeps every session's order and gives every read the latest write before it?
//
// Unique written values name the write each read saw, so the only freedom is the order of writes. The search
// is a depth-first walk over "which session moves next", with three reductions that keep it near-linear on
// histories that are sequentially consistent:
//   - a read whose writes are current is taken at once: it changes nothing, so taking it early never hurts;
//   - a write may not overwrite a version some unplaced read still returns (values never come back), which
//     cuts every branch that would strand a read;
//   - a write nobody read, allowed by that rule, is also taken at once: the state it leaves permits exactly
//     the reads the state before it permitted.
// Only writes that somebody read are branched on, and each explored state (events placed + current version of
// every key) is remembered by a 64-bit hash so it is never explored twice. Deciding this is NP-complete in
// general (Gibbons & Korach 1997), so the walk has a step budget and answers "unknown" when it runs out.
import type { CausalGraph } from "../causal/graph.ts";

/** Events of the graph to consider; a read of a write outside the set is dropped (what a sub-history keeps). */
export type Selection = ReadonlySet<number>;

/** `longest`: how many events the deepest partial order placed; `frontier`: there, each session's first
 *  event not placed (event ids), where the contradiction is likely to be. */
export type SearchResult =
  | { result: "ordered"; steps: number; states: number; order: number[] }
  | { result: "violated"; steps: number; states: number; longest: number; frontier: number[] }
  | { result: "unknown"; steps: number; states: number; longest: number; frontier: number[] };

interface Ev {
  id: number; // event id in the graph
  session: number; // dense session index
  reads: number[]; // pairs: key index, writer id (-1 initial)
  writes: number[]; // key indexes
  readers: number; // unplaced reads of this event's writes (all keys: the register workload writes one)
}

export function searchSequential(g: CausalGraph, selection: Selection | undefined, maxSteps: number): SearchResult {
  const keyIndex = new Map<string, number>();
  const key = (k: string) => {
    let i = keyIndex.get(k);
    if (i === undefined) keyIndex.set(k, (i = keyIndex.size));
    return i;
  };
  const chosen = (id: number) => selection === undefined || selection.has(id);

  // Events in id order, which is each session's order; a selection costs its own size, not the history's.
  const ids = selection === undefined ? g.events.map((e) => e.id) : [...selection].sort((a, b) => a - b);
  // Crashed writes nobody read may not have happened: leaving them out loses no order.
  const observed = new Set<number>();
  for (const id of ids) for (const w of g.events[id].from.values()) if (w >= 0 && chosen(w)) observed.add(w);

  const evs = new Map<number, Ev>();
  const sessions: Ev[][] = [];
  const sessionIndex = new Map<number, number>();
  for (const id of ids) {
    const e = g.events[id];
    if (e.op.type !== "ok" && !observed.has(id)) continue;
    const reads: number[] = [];
    for (const [k, w] of e.from) {
      if (w === -2) return { result: "violated", steps: 0, states: 0, longest: 0, frontier: [id] }; // a read of a value never written
      if (w >= 0 && !chosen(w)) continue;
      reads.push(key(k), w);
    }
    const writes = [...e.writes.keys()].map(key);
    if (reads.length === 0 && writes.length === 0) continue;
    let s = sessionIndex.get(e.session);
    if (s === undefined) {
      sessionIndex.set(e.session, (s = sessions.length));
      sessions.push([]);
    }
    const ev: Ev = { id, session: s, reads, writes, readers: 0 };
    evs.set(id, ev);
    sessions[s].push(ev);
  }
  const K = keyIndex.size;
  const initReaders = new Int32Array(K);
  for (const ev of evs.values())
    for (let i = 0; i < ev.reads.length; i += 2) {
      const w = ev.reads[i + 1];
      if (w === -1) initReaders[ev.reads[i]]++;
      else evs.get(w)!.readers++;
    }

  // Random 64-bit (two lanes) tags for the placed-event set and the current version of each key.
  let seed = 0x9e3779b9;
  const rnd = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const placedTag = new Map<number, [number, number]>();
  const curTag = new Map<number, [number, number]>();
  for (const id of evs.keys()) {
    placedTag.set(id, [rnd(), rnd()]);
    curTag.set(id, [rnd(), rnd()]);
  }
  const keyTag = Array.from({ length: K }, () => [rnd(), rnd()] as [number, number]); // mixes writer with key
  let h1 = 0,
    h2 = 0;
  const tagCur = (k: number, w: number) => {
    if (w < 0) return;
    const t = curTag.get(w)!,
      kt = keyTag[k];
    h1 ^= Math.imul(t[0], 0x85ebca6b | 1) ^ kt[0];
    h2 ^= Math.imul(t[1], 0xc2b2ae35 | 1) ^ kt[1];
  };

  const pos = new Int32Array(sessions.length);
  const cur = new Int32Array(K).fill(-1);
  const trail: { ev: Ev; prev: number[] }[] = [];
  let remaining = evs.size,
    steps = 0,
    longest = 0;
  const bestPos = new Int32Array(sessions.length); // positions at the deepest point (copied, O(sessions))

  const readsMatch = (ev: Ev) => {
    for (let i = 0; i < ev.reads.length; i += 2) if (cur[ev.reads[i]] !== ev.reads[i + 1]) return false;
    return true;
  };
  const pendingOn = (k: number) => (cur[k] === -1 ? initReaders[k] : evs.get(cur[k])!.readers);
  const writable = (ev: Ev) => {
    for (const k of ev.writes) if (pendingOn(k) > 0) return false;
    return true;
  };
  const place = (ev: Ev) => {
    steps++;
    const prev: number[] = [];
    for (let i = 0; i < ev.reads.length; i += 2) {
      const w = ev.reads[i + 1];
      if (w === -1) initReaders[ev.reads[i]]--;
      else evs.get(w)!.readers--;
    }
    for (const k of ev.writes) {
      prev.push(cur[k]);
      tagCur(k, cur[k]);
      cur[k] = ev.id;
      tagCur(k, ev.id);
    }
    const t = placedTag.get(ev.id)!;
    h1 ^= t[0];
    h2 ^= t[1];
    pos[ev.session]++;
    remaining--;
    trail.push({ ev, prev });
  };
  const undoTo = (len: number) => {
    while (trail.length > len) {
      const { ev, prev } = trail.pop()!;
      const t = placedTag.get(ev.id)!;
      h1 ^= t[0];
      h2 ^= t[1];
      for (let j = ev.writes.length - 1; j >= 0; j--) {
        const k = ev.writes[j];
        tagCur(k, cur[k]);
        cur[k] = prev[j];
        tagCur(k, cur[k]);
      }
      for (let i = 0; i < ev.reads.length; i += 2) {
        const w = ev.reads[i + 1];
        if (w === -1) initReaders[ev.reads[i]]++;
        else evs.get(w)!.readers++;
      }
      pos[ev.session]--;
      remaining++;
    }
  };
  const next = (s: number): Ev | undefined => sessions[s][pos[s]];
  /** Takes every free move (enabled pure reads, allowed unread writes) until none is left. */
  const closure = () => {
    for (let moved = true; moved;) {
      moved = false;
      for (let s = 0; s < sessions.length; s++) {
        for (
          let ev = next(s);
          ev && readsMatch(ev) && (ev.writes.length === 0 || (ev.readers === 0 && writable(ev)));
          ev = next(s)
        ) {
          place(ev);
          moved = true;
        }
      }
    }
    if (trail.length > longest) {
      longest = trail.length;
      bestPos.set(pos);
    }
  };
  /** Writes somebody reads, placeable now; those a blocked read is waiting for first. */
  const choices = (): Ev[] => {
    const out: Ev[] = [];
    const awaited = new Set<number>();
    for (let s = 0; s < sessions.length; s++) {
      const ev = next(s);
      if (!ev) continue;
      for (let i = 0; i < ev.reads.length; i += 2)
        if (cur[ev.reads[i]] !== ev.reads[i + 1]) awaited.add(ev.reads[i + 1]);
      if (ev.writes.length && readsMatch(ev) && writable(ev)) out.push(ev);
    }
    return out.sort((a, b) => Number(awaited.has(b.id)) - Number(awaited.has(a.id)) || a.session - b.session);
  };

  const frontier = () => sessions.flatMap((evs, i) => (bestPos[i] < evs.length ? [evs[bestPos[i]].id] : []));
  const seen = new Set<string>();
  const stack: { mark: number; options: Ev[]; i: number }[] = [];
  closure();
  if (remaining === 0) return { result: "ordered", steps, states: 0, order: trail.map((t) => t.ev.id) };
  seen.add(`${h1}:${h2}`);
  stack.push({ mark: trail.length, options: choices(), i: 0 });
  while (stack.length) {
    if (steps > maxSteps) return { result: "unknown", steps, states: seen.size, longest, frontier: frontier() };
    const top = stack[stack.length - 1];
    undoTo(top.mark);
    if (top.i >= top.options.length) {
      stack.pop();
      continue;
    }
    place(top.options[top.i++]);
    closure();
    if (remaining === 0) return { result: "ordered", steps, states: seen.size, order: trail.map((t) => t.ev.id) };
    const h = `${h1}:${h2}`;
    if (seen.has(h)) continue;
    seen.add(h);
    stack.push({ mark: trail.length, options: choices(), i: 0 });
  }
  return { result: "violated", steps, states: seen.size, longest, frontier: frontier() };
}
