// The transaction dependency graph in flat typed arrays: nodes are transactions (ok or indeterminate), plus
// "barrier" nodes that carry real-time order in linear size; edges are ww, wr, rw (data), process and realtime.
// An edge's `aux` names the micro-op that justifies it (an index into the writer's micro-ops), for the words.
import type { Txn } from "./txns.ts";

export const WW = 1,
  WR = 2,
  RW = 4,
  PROCESS = 8,
  REALTIME = 16;
export const DATA = WW | WR | RW;
export const ALL = DATA | PROCESS | REALTIME;

export class EdgeBuilder {
  src = new Int32Array(1024);
  dst = new Int32Array(1024);
  type = new Uint8Array(1024);
  aux = new Int32Array(1024);
  count = 0;
  add(a: number, b: number, t: number, aux = -1): void {
    if (this.count === this.src.length) this.grow();
    const i = this.count++;
    this.src[i] = a;
    this.dst[i] = b;
    this.type[i] = t;
    this.aux[i] = aux;
  }
  private grow(): void {
    const n = this.src.length * 2;
    const g = <T extends Int32Array | Uint8Array>(x: T, C: new (n: number) => T) => {
      const y = new C(n);
      y.set(x);
      return y;
    };
    this.src = g(this.src, Int32Array);
    this.dst = g(this.dst, Int32Array);
    this.type = g(this.type, Uint8Array);
    this.aux = g(this.aux, Int32Array);
  }
}

export interface TxnGraph {
  /** Nodes 0..txns.length-1 are transactions; the rest are barriers (time points) of real-time order. */
  txns: Txn[];
  nodeCount: number;
  /** Out-edges of node v: edge ids outEdge[outStart[v] .. outStart[v+1]). */
  outStart: Int32Array;
  outEdge: Int32Array;
  src: Int32Array;
  dst: Int32Array;
  type: Uint8Array;
  aux: Int32Array;
  /** For a barrier node, the completion (txn node) whose end opened it; -1 for transactions. */
  barrierOf: Int32Array;
}

/** Process order (consecutive transactions of one process) and real-time order. Real time is kept linear:
 *  each completion feeds a chain of barrier nodes in time order, and each invocation hangs off the latest
 *  barrier before it, so a path A → barriers → B exists exactly when A completed before B was invoked. */
export function addOrderEdges(txns: Txn[], edges: EdgeBuilder): { nodeCount: number; barrierOf: number[] } {
  const lastOf = new Map<number, number>();
  for (let i = 0; i < txns.length; i++) {
    const p = txns[i].op.process;
    const prev = lastOf.get(p);
    if (prev !== undefined) edges.add(prev, i, PROCESS);
    lastOf.set(p, i);
  }
  // Events: completions of ok transactions, invocations of all. At equal times an invocation comes first:
  // real-time order needs the completion strictly before the invocation.
  const n = txns.length;
  // Laid out in history order first (the index is dense), which is time order in any recorded history.
  let maxIndex = 0;
  for (const t of txns) maxIndex = Math.max(maxIndex, t.op.invoke.index, t.op.complete?.index ?? 0);
  const slot = new Int32Array(maxIndex + 1); // 0: none; -1-i: invocation of i; i+1: completion of i
  for (let i = 0; i < n; i++) {
    const t = txns[i];
    slot[t.op.invoke.index] = -1 - i;
    if (t.op.type === "ok" && t.op.complete) slot[t.op.complete.index] = i + 1;
  }
  const evTime = new Float64Array(2 * n),
    evNode = new Int32Array(2 * n);
  let m = 0;
  for (let j = 0; j <= maxIndex; j++) {
    const x = slot[j];
    if (x < 0) {
      evTime[m] = txns[-1 - x].op.invoke.time;
      evNode[m++] = x;
    } else if (x > 0) {
      evTime[m] = txns[x - 1].op.complete!.time;
      evNode[m++] = x - 1;
    }
  }
  const order = new Int32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  // Events are usually in time order already (a history's order): sort only when they are not.
  let sorted = true;
  for (let i = 1; i < m && sorted; i++)
    if (evTime[i] < evTime[i - 1] || (evTime[i] === evTime[i - 1] && evNode[i] < 0 && evNode[i - 1] >= 0))
      sorted = false;
  if (!sorted)
    order.sort((a, b) => evTime[a] - evTime[b] || (evNode[a] < 0 ? 0 : 1) - (evNode[b] < 0 ? 0 : 1) || a - b);
  let nodeCount = n,
    barrier = -1,
    open = false;
  const barrierOf: number[] = [];
  for (let j = 0; j < m; j++) {
    const e = order[j],
      v = evNode[e];
    if (v >= 0) {
      if (!open) {
        // a new barrier after the last invocation: chain it on
        const b = nodeCount++;
        barrierOf.push(v);
        if (barrier >= 0) edges.add(barrier, b, REALTIME);
        barrier = b;
        open = true;
      }
      edges.add(v, barrier, REALTIME);
    } else {
      open = false;
      if (barrier >= 0) edges.add(barrier, -1 - v, REALTIME);
    }
  }
  return { nodeCount, barrierOf };
}

export function finish(txns: Txn[], nodeCount: number, barrierOf: number[], e: EdgeBuilder): TxnGraph {
  const outStart = new Int32Array(nodeCount + 1);
  for (let i = 0; i < e.count; i++) outStart[e.src[i] + 1]++;
  for (let v = 0; v < nodeCount; v++) outStart[v + 1] += outStart[v];
  const fill = outStart.slice(0, nodeCount);
  const outEdge = new Int32Array(e.count);
  for (let i = 0; i < e.count; i++) outEdge[fill[e.src[i]]++] = i;
  const bo = new Int32Array(nodeCount).fill(-1);
  for (let i = 0; i < barrierOf.length; i++) bo[txns.length + i] = barrierOf[i];
  return {
    txns,
    nodeCount,
    outStart,
    outEdge,
    src: e.src.subarray(0, e.count),
    dst: e.dst.subarray(0, e.count),
    type: e.type.subarray(0, e.count),
    aux: e.aux.subarray(0, e.count),
    barrierOf: bo,
  };
}
