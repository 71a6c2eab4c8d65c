// The crashed-op pool. Crashed (info) operations may take effect at any point after their call, or never.
// Two crashed ops with the same model op (same f and input) are interchangeable, so only the earliest-called
// one of a kind not yet linearized may be lifted (`mayLift`): exact, and it keeps histories with many
// identical crashed writes tractable. Which crashed ops are linearized is then just a count per kind
// (`linCount`), kept out of the cache's fingerprint: a configuration is pruned by *dominance* instead — one
// explored with the same completed ops and state and at most as many crashed ops of every kind could do
// everything this one can. The counts of explored configurations live in one flat snapshot pool (4K + 4
// bytes each for K kinds, rather than heap objects), chained per cache slot.
import { canonical, type ModelOp } from "./model.ts";
import type { SearchOp } from "./wgl.ts";

export class CrashedPool {
  /** Kind of each op (-1: a completed op) and its rank among its kind's ops in call order. */
  readonly kindOf: Int32Array;
  readonly rank: Int32Array;
  /** The next crashed op of the same kind in call order (-1: none). */
  readonly nextOfKind: Int32Array;
  /** Kinds of crashed ops (0: none, and the pool is unused). */
  readonly K: number;
  /** Crashed ops linearized so far, per kind. */
  readonly linCount: Int32Array;
  /** Bytes a snapshot costs, amortized (the pool doubles as it grows: up to 1.5x while copying). */
  readonly bytesPerSnapshot: number;
  /** Search steps charged for dominance comparisons (see SearchBudget.comparisonsPerStep), not yet collected. */
  charged = 0;
  /** Whether dominance comparisons are charged as steps. */
  readonly charging: boolean;
  private pool: Int32Array;
  private snapNext: Int32Array;
  private count = 0;

  constructor(
    ops: readonly SearchOp[],
    private readonly charge: number,
  ) {
    const n = ops.length;
    this.charging = charge > 0;
    this.kindOf = new Int32Array(n).fill(-1);
    this.rank = new Int32Array(n);
    this.nextOfKind = new Int32Array(n).fill(-1);
    const kinds = new Map<string, number>();
    const kindSize: number[] = [],
      kindLast: number[] = [];
    // In call order (ties: partition order, as the entry list sorts them).
    const crashed: number[] = [];
    for (let id = 0; id < n; id++) if (ops[id].ret === Infinity) crashed.push(id);
    // Usually already in call order (partitions are built in invocation order): sort only when not.
    let sorted = true;
    for (let i = 1; i < crashed.length && sorted; i++)
      if (ops[crashed[i]].call < ops[crashed[i - 1]].call) sorted = false;
    if (!sorted) crashed.sort((a, b) => ops[a].call - ops[b].call || a - b);
    for (let c = 0; c < crashed.length; c++) {
      const id = crashed[c];
      const k = kindKey(ops[id].op);
      let kind = kinds.get(k);
      if (kind === undefined) {
        kind = kindSize.length;
        kinds.set(k, kind);
        kindSize.push(0);
        kindLast.push(-1);
      }
      this.kindOf[id] = kind;
      this.rank[id] = kindSize[kind]++;
      if (kindLast[kind] >= 0) this.nextOfKind[kindLast[kind]] = id;
      kindLast[kind] = id;
    }
    const K = (this.K = kindSize.length);
    this.linCount = new Int32Array(K);
    this.pool = new Int32Array(K > 0 ? 64 * K : 0);
    this.snapNext = new Int32Array(K > 0 ? 64 : 0);
    this.bytesPerSnapshot = K > 0 ? Math.ceil(1.5 * (4 * K + 4)) : 0;
  }

  /** Whether op `id` may be linearized now: a completed op, or the first not-yet-linearized crashed op of its kind. */
  mayLift(id: number): boolean {
    const kind = this.kindOf[id];
    return kind < 0 || this.linCount[kind] === this.rank[id];
  }

  /** Records the current counts as a snapshot in front of bucket `nextInBucket` (-1: a new bucket); returns it. */
  snapshot(nextInBucket: number): number {
    if (this.count === this.snapNext.length) {
      const np = new Int32Array(this.pool.length * 2);
      np.set(this.pool);
      this.pool = np;
      const nn = new Int32Array(this.snapNext.length * 2);
      nn.set(this.snapNext);
      this.snapNext = nn;
    }
    // An element loop: K is small, and TypedArray#set's call costs more than copying a few counts.
    const { pool, linCount, K } = this;
    for (let k = 0, base = this.count * K; k < K; k++) pool[base + k] = linCount[k];
    this.snapNext[this.count] = nextInBucket;
    return this.count++;
  }

  /** Whether a snapshot in the bucket starting at `head` had linearized at most as many crashed ops of every
   *  kind as now: that configuration could do everything this one can, so this one is not new. */
  dominatedIn(head: number): boolean {
    const { pool, snapNext, linCount, K } = this;
    let scanned = 0,
      found = false;
    for (let j = head; j !== -1; j = snapNext[j]) {
      scanned++;
      let dominated = true;
      for (let k = 0, base = j * K; k < K; k++)
        if (pool[base + k] > linCount[k]) {
          dominated = false;
          break;
        }
      if (dominated) {
        found = true;
        break;
      }
    }
    if (this.charge) this.charged += Math.floor(scanned * K * this.charge);
    return found;
  }
}

/** Crashed ops of one kind are interchangeable: same f, same input. Memoized per op object (the witness
 *  shrinker searches the same demoted ops many times). */
const kindKeys = new WeakMap<ModelOp, string>();
function kindKey(o: ModelOp): string {
  const input = o.input;
  // Numbers, strings, null (JSON-exact as themselves) need neither canonical JSON nor the memo.
  if (input === null || typeof input === "number") return o.f + "\u0000" + input;
  if (typeof input === "string") return o.f + "\u0000" + JSON.stringify(input);
  let k = kindKeys.get(o);
  if (k === undefined) {
    k = o.f + "\u0000" + canonical(input);
    kindKeys.set(o, k);
  }
  return k;
}
