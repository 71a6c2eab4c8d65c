// Cycles in the dependency graph. Two parts:
// 1. A linear pass (Tarjan's strongly connected components, once per edge set) that decides exactly which
//    models the graph violates: a cycle of ww alone (G0), of ww+wr (G1c), any cycle without two adjacent rw
//    edges (snapshot isolation's: Cerone–Gotsman, (ww ∪ wr) ; rw? acyclic — found as a cycle in a product
//    graph that remembers whether the last edge was rw), or any cycle at all (serializable), each with
//    process and real-time edges added for the strong models. This never runs out of budget.
// 2. A budgeted search, per component, for the shortest cycle of each class (G0, G1c, G-single,
//    G-nonadjacent, G2-item; then -process and -realtime), by breadth-first search over (transaction,
//    automaton state), to explain what the linear pass proved.
import { ALL, DATA, PROCESS, REALTIME, RW, WR, WW, type TxnGraph } from "./graph.ts";
import { FORBIDS, ISOLATION_MODELS, type CycleClass, type IsolationModel } from "./models.ts";

export interface Mode {
  name: string;
  mask: number;
  product: boolean;
  /** The models a cycle in this edge set violates: those that forbid `shows` (models.ts FORBIDS). */
  models: IsolationModel[];
}
const mode = (name: string, mask: number, product: boolean, shows: string): Mode => ({
  name,
  mask,
  product,
  models: ISOLATION_MODELS.filter((m) => FORBIDS[m].includes(shows)),
});
/** The edge sets of the linear pass, each with the anomaly any cycle in it shows: of ww alone G0, of ww+wr
 *  G1c; over all data edges, a cycle without two adjacent rw edges is at least G-single, any cycle G2-item;
 *  then the same with process and real-time edges. */
export const MODES: Mode[] = [
  mode("G0", WW, false, "G0"),
  mode("G1", WW | WR, false, "G1c"),
  mode("SI", DATA, true, "G-single"),
  mode("SER", DATA, false, "G2-item"),
  mode("SI-process", DATA | PROCESS, true, "G-single-process"),
  mode("SER-process", DATA | PROCESS, false, "G2-item-process"),
  mode("SI-realtime", ALL, true, "G-single-realtime"),
  mode("SER-realtime", ALL, false, "G2-item-realtime"),
];

export interface Components {
  comp: Int32Array; // node (or product node) → component
  size: Int32Array; // component → member count
  count: number;
}

/** Tarjan's SCCs over the edges in `mask`, iteratively. `product`: nodes are (v, last edge was rw), and an rw
 *  edge may not follow an rw edge. `within`: only edges inside one component of this coarser partition, and
 *  only nodes in its non-trivial components. */
export function components(g: TxnGraph, mask: number, product: boolean, within?: Components): Components {
  const N = product ? 2 * g.nodeCount : g.nodeCount;
  const index = new Int32Array(N).fill(-1),
    low = new Int32Array(N),
    comp = new Int32Array(N).fill(-1);
  const onStack = new Uint8Array(N),
    stack = new Int32Array(N),
    workV = new Int32Array(N),
    workI = new Int32Array(N);
  const sizes: number[] = [];
  const { outStart, outEdge, dst, type } = g;
  const wc = within?.comp,
    ws = within?.size;
  let sp = 0,
    next = 0;
  // The next successor of product-or-plain node u from edge cursor i (an index into outEdge), or -1.
  for (let root = 0; root < N; root++) {
    if (index[root] !== -1) continue;
    const rv = product ? root >> 1 : root;
    if (wc && ws![wc[rv]] < 2) {
      comp[root] = sizes.length;
      sizes.push(1);
      index[root] = next++;
      continue;
    }
    let wp = 0;
    workV[wp] = root;
    workI[wp] = outStart[rv];
    wp++;
    index[root] = low[root] = next++;
    stack[sp++] = root;
    onStack[root] = 1;
    while (wp > 0) {
      const u = workV[wp - 1];
      const v = product ? u >> 1 : u,
        s = product ? u & 1 : 0;
      const end = outStart[v + 1];
      let i = workI[wp - 1],
        w = -1;
      while (i < end) {
        const e = outEdge[i++],
          t = type[e];
        if ((t & mask) === 0) continue;
        const d = dst[e];
        if (wc && wc[d] !== wc[v]) continue;
        if (product) {
          if (t === RW) {
            if (s === 1) continue;
            w = 2 * d + 1;
          } else w = 2 * d;
        } else w = d;
        break;
      }
      workI[wp - 1] = i;
      if (w >= 0) {
        if (index[w] === -1) {
          index[w] = low[w] = next++;
          stack[sp++] = w;
          onStack[w] = 1;
          workV[wp] = w;
          workI[wp] = outStart[product ? w >> 1 : w];
          wp++;
        } else if (onStack[w] && index[w] < low[u]) low[u] = index[w];
        continue;
      }
      wp--;
      if (wp > 0) {
        const p = workV[wp - 1];
        if (low[u] < low[p]) low[p] = low[u];
      }
      if (low[u] === index[u]) {
        const c = sizes.length;
        let n = 0,
          x: number;
        do {
          x = stack[--sp];
          onStack[x] = 0;
          comp[x] = c;
          n++;
        } while (x !== u);
        sizes.push(n);
      }
    }
  }
  return { comp, size: Int32Array.from(sizes), count: sizes.length };
}

/** For each component of `outer` (plain nodes): does `inner` (plain or product) hold a non-trivial component in it? */
export function cyclicWithin(g: TxnGraph, outer: Components, inner: Components, product: boolean): Uint8Array {
  const out = new Uint8Array(outer.count);
  const N = product ? 2 * g.nodeCount : g.nodeCount;
  for (let u = 0; u < N; u++) if (inner.size[inner.comp[u]] > 1) out[outer.comp[product ? u >> 1 : u]] = 1;
  return out;
}

// ---- the witness search --------------------------------------------------------------------------------

interface Automaton {
  mask: number;
  init: number;
  step(s: number, t: number): number;
  accept(s: number): boolean;
}
// State bits for the rw-counting automata: first edge rw, last edge rw, started, adjacent rw seen, count (×16).
const FIRST = 1,
  LAST = 2,
  STARTED = 4,
  ADJ = 8;
function rwCounting(maxCount: number, forbidAdjacent: boolean): (s: number, t: number) => number {
  return (s, t) => {
    const started = (s & STARTED) !== 0;
    let c = s >> 4;
    if (t === RW) {
      if (forbidAdjacent && s & LAST) return -1;
      if (c < 2) c++;
      if (c > maxCount) return -1;
      return (c << 4) | STARTED | LAST | (started ? s & FIRST : FIRST) | (s & ADJ) | (s & LAST ? ADJ : 0);
    }
    return (c << 4) | STARTED | (started ? s & FIRST : 0) | (s & ADJ);
  };
}
const count = (s: number) => s >> 4;
export const AUTOMATA: Record<CycleClass, (extra: number) => Automaton> = {
  G0: (x) => ({ mask: WW | x, init: 0, step: (s) => s, accept: () => true }),
  G1c: (x) => ({ mask: WW | WR | x, init: 0, step: (s, t) => (t === WR ? 1 : s), accept: (s) => s === 1 }),
  "G-single": (x) => ({ mask: DATA | x, init: 0, step: rwCounting(1, false), accept: (s) => count(s) === 1 }),
  "G-nonadjacent": (x) => ({
    mask: DATA | x,
    init: 0,
    step: rwCounting(2, true),
    accept: (s) => count(s) === 2 && !(s & FIRST && s & LAST),
  }),
  "G2-item": (x) => ({
    mask: DATA | x,
    init: 0,
    step: rwCounting(2, false),
    accept: (s) => count(s) === 2 && ((s & ADJ) !== 0 || ((s & FIRST) !== 0 && (s & LAST) !== 0)),
  }),
};

export interface SearchBudget {
  steps: number;
}

/** The shortest cycle through `start` accepted by the automaton, staying inside `region` (nodes whose
 *  region[v] equals region[start]); as edge ids in order, or undefined. Edges into barrier nodes cost nothing,
 *  so length counts transactions (0-1 breadth-first search). */
export function shortestCycleThrough(
  g: TxnGraph,
  start: number,
  a: Automaton,
  region: Int32Array,
  budget: SearchBudget,
  bestLen: number,
): number[] | undefined {
  const T = g.txns.length,
    r = region[start];
  const dist = new Map<number, number>(),
    parentEdge = new Map<number, number>(),
    parentKey = new Map<number, number>();
  // Deque as two stacks' worth: a ring buffer of keys.
  let cap = 1024,
    head = 0,
    tail = 0;
  let ring = new Float64Array(cap);
  const pushBack = (k: number) => {
    if (tail - head === cap) grow();
    ring[tail++ % cap] = k;
  };
  const pushFront = (k: number) => {
    if (tail - head === cap) grow();
    head--;
    ring[((head % cap) + cap) % cap] = k;
  };
  const grow = () => {
    const n = new Float64Array(cap * 2);
    for (let i = head; i < tail; i++) n[i - head] = ring[((i % cap) + cap) % cap];
    tail -= head;
    head = 0;
    ring = n;
    cap *= 2;
  };
  const K = 64; // states per node (the automata use fewer)
  const k0 = start * K + a.init;
  dist.set(k0, 0);
  pushBack(k0);
  let best: { len: number; key: number; edge: number } | undefined;
  while (tail > head) {
    const key = ring[((head % cap) + cap) % cap];
    head++;
    const d = dist.get(key)!;
    if (d >= Math.min(bestLen, best?.len ?? Infinity)) break;
    const v = Math.floor(key / K),
      s = key % K;
    for (let i = g.outStart[v], end = g.outStart[v + 1]; i < end; i++) {
      if (--budget.steps < 0) return best && reconstruct(best);
      const e = g.outEdge[i],
        t = g.type[e];
      if ((t & a.mask) === 0) continue;
      const w = g.dst[e];
      if (region[w] !== r) continue;
      const s2 = a.step(s, t);
      if (s2 < 0) continue;
      const wcost = w < T ? 1 : 0;
      if (w === start) {
        if (a.accept(s2) && d + 1 < Math.min(bestLen, best?.len ?? Infinity)) best = { len: d + 1, key, edge: e };
        continue;
      }
      const k2 = w * K + s2,
        d2 = d + wcost,
        old = dist.get(k2);
      if (old !== undefined && old <= d2) continue;
      dist.set(k2, d2);
      parentEdge.set(k2, e);
      parentKey.set(k2, key);
      if (wcost === 0) pushFront(k2);
      else pushBack(k2);
    }
  }
  return best && reconstruct(best);
  function reconstruct(b: { key: number; edge: number }): number[] {
    const path = [b.edge];
    let k = b.key;
    while (k !== k0) {
      path.push(parentEdge.get(k)!);
      k = parentKey.get(k)!;
    }
    return path.reverse();
  }
}

/** States per node in the search's tables: the rw-counting automata use values below 48. */
export const STATES = 48;

/** Reusable tables for searches inside one component: local ids for its nodes, and per (node, state) a
 *  distance, a parent and a generation stamp, so each search starts clean without clearing. */
export class Scratch {
  readonly stamp: Int32Array;
  readonly dist: Int32Array;
  readonly pe: Int32Array;
  readonly pk: Int32Array;
  ring = new Int32Array(1024);
  gen = 0;
  constructor(
    readonly local: Int32Array,
    readonly members: Int32Array,
  ) {
    const n = members.length * STATES;
    this.stamp = new Int32Array(n);
    this.dist = new Int32Array(n);
    this.pe = new Int32Array(n);
    this.pk = new Int32Array(n);
  }
}

/** As shortestCycleThrough, over a component's Scratch tables instead of maps (several times faster). */
export function shortestCycleIn(
  g: TxnGraph,
  start: number,
  a: Automaton,
  region: Int32Array,
  budget: SearchBudget,
  bestLen: number,
  sc: Scratch,
): number[] | undefined {
  const T = g.txns.length,
    r = region[start],
    K = STATES,
    { stamp, dist, pe, pk, local, members } = sc;
  const gen = ++sc.gen;
  let ring = sc.ring,
    cap = ring.length,
    head = 0,
    tail = 0;
  const grow = () => {
    const n = new Int32Array(cap * 2);
    for (let i = head; i < tail; i++) n[i - head] = ring[((i % cap) + cap) % cap];
    tail -= head;
    head = 0;
    ring = sc.ring = n;
    cap *= 2;
  };
  const k0 = local[start] * K + a.init;
  stamp[k0] = gen;
  dist[k0] = 0;
  ring[tail++] = k0;
  let bestD = Math.min(bestLen, Infinity),
    bestKey = -1,
    bestEdge = -1;
  while (tail > head) {
    const key = ring[((head % cap) + cap) % cap];
    head++;
    const d = dist[key];
    if (d >= bestD) break;
    const v = members[(key / K) | 0],
      st = key % K;
    for (let i = g.outStart[v], end = g.outStart[v + 1]; i < end; i++) {
      if (--budget.steps < 0) return bestKey >= 0 ? rebuild() : undefined;
      const e = g.outEdge[i],
        t = g.type[e];
      if ((t & a.mask) === 0) continue;
      const w = g.dst[e];
      if (region[w] !== r) continue;
      const s2 = a.step(st, t);
      if (s2 < 0) continue;
      if (w === start) {
        if (a.accept(s2) && d + 1 < bestD) {
          bestD = d + 1;
          bestKey = key;
          bestEdge = e;
        }
        continue;
      }
      const wcost = w < T ? 1 : 0,
        k2 = local[w] * K + s2,
        d2 = d + wcost;
      if (stamp[k2] === gen && dist[k2] <= d2) continue;
      stamp[k2] = gen;
      dist[k2] = d2;
      pe[k2] = e;
      pk[k2] = key;
      if (tail - head === cap) grow();
      if (wcost === 0) {
        head--;
        ring[((head % cap) + cap) % cap] = k2;
      } else ring[tail++ % cap] = k2;
    }
  }
  return bestKey >= 0 ? rebuild() : undefined;
  function rebuild(): number[] {
    const path = [bestEdge];
    let k = bestKey;
    while (k !== k0) {
      path.push(pe[k]);
      k = pk[k];
    }
    return path.reverse();
  }
}

/** The cycle's class from its data edges (ignoring process and real-time edges), and its variant. */
export function classify(g: TxnGraph, cycle: number[]): { cls: CycleClass; variant: "" | "-process" | "-realtime" } {
  const ts = cycle.map((e) => g.type[e]);
  const variant = ts.includes(REALTIME) ? "-realtime" : ts.includes(PROCESS) ? "-process" : "";
  const rw = ts.filter((t) => t === RW).length;
  if (rw === 0) return { cls: ts.includes(WR) ? "G1c" : "G0", variant };
  if (rw === 1) return { cls: "G-single", variant };
  let adjacent = false;
  for (let i = 0; i < ts.length; i++) if (ts[i] === RW && ts[(i + 1) % ts.length] === RW) adjacent = true;
  return { cls: adjacent ? "G2-item" : "G-nonadjacent", variant };
}
