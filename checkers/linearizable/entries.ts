// The search's entry list: every operation's call and return in real-time order, as a doubly linked list
// over typed arrays (no object per entry). Completed ops' calls and returns form the main list (head 0);
// crashed ops, which have no return, have their calls in a second list (head `crashedHead`), tried after
// the completed ops' calls. Lifting an op unlinks its call and return; unlifting relinks them in place.
// Of the crashed ops of one kind only the first not yet linearized may be lifted (crashed.ts), so only it is
// in the list: lifting it links in the next of its kind, at its place in time, and unlifting undoes that.
import type { CrashedPool } from "./crashed.ts";
import type { SearchOp } from "./wgl.ts";

export class EntryList {
  /** Entry e (1-based) belongs to op entOp[e]; entCall[e] is 1 for a call; entMatch[call] is its return (0: none). */
  readonly entOp: Int32Array;
  readonly entCall: Uint8Array;
  readonly entMatch: Int32Array;
  /** The entry's position in the history (call or return index). */
  readonly entPos: Float64Array;
  readonly next: Int32Array;
  readonly prev: Int32Array;
  /** Head of the crashed ops' calls. */
  readonly crashedHead: number;
  /** Return entries still in the main list: the search succeeds when none are left. */
  returns = 0;
  private readonly callEntry: Int32Array;
  private readonly nextOfKind: Int32Array;

  constructor(ops: readonly SearchOp[], crashed: CrashedPool) {
    const n = ops.length;
    let E = 0;
    for (let i = 0; i < ops.length; i++) E += ops[i].ret === Infinity ? 1 : 2;
    const order = sortEntries(ops, E);
    const I = (this.crashedHead = E + 1);
    const entOp = (this.entOp = new Int32Array(E + 2)),
      entCall = (this.entCall = new Uint8Array(E + 2));
    const entMatch = (this.entMatch = new Int32Array(E + 2)),
      entPos = (this.entPos = new Float64Array(E + 2));
    const next = (this.next = new Int32Array(E + 2)),
      prev = (this.prev = new Int32Array(E + 2));
    const callEntry = (this.callEntry = new Int32Array(n));
    this.nextOfKind = crashed.nextOfKind;
    let tailMain = 0,
      tailCrashed = I,
      returns = 0;
    next[0] = -1;
    prev[0] = -1;
    next[I] = -1;
    prev[I] = -1;
    for (let i = 0; i < E; i++) {
      const code = order[i],
        e = i + 1,
        id = code >>> 1;
      entOp[e] = id;
      const isCall = (code & 1) === 0;
      entPos[e] = isCall ? ops[id].call : ops[id].ret;
      if (isCall) {
        entCall[e] = 1;
        callEntry[id] = e;
      } else {
        entMatch[callEntry[id]] = e;
        returns++;
      }
      if (isCall && ops[id].ret === Infinity) {
        if (crashed.rank[id] > 0) continue;
        prev[e] = tailCrashed;
        next[tailCrashed] = e;
        next[e] = -1;
        tailCrashed = e;
      } else {
        prev[e] = tailMain;
        next[tailMain] = e;
        next[e] = -1;
        tailMain = e;
      }
    }
    this.returns = returns;
  }

  /** Size of the list in entries (calls and returns). */
  get size(): number {
    return this.crashedHead - 1;
  }

  lift(e: number): void {
    const next = this.next,
      prev = this.prev;
    next[prev[e]] = next[e];
    if (next[e] !== -1) prev[next[e]] = prev[e];
    const m = this.entMatch[e];
    if (m !== 0) {
      next[prev[m]] = next[m];
      if (next[m] !== -1) prev[next[m]] = prev[m];
      this.returns--;
      return;
    }
    const s = this.nextOfKind[this.entOp[e]];
    if (s < 0) return;
    // The next crashed op of this kind becomes liftable: link it in where it belongs in time.
    const c = this.callEntry[s],
      pos = this.entPos[c];
    let at = this.crashedHead;
    while (next[at] !== -1 && this.entPos[next[at]] < pos) at = next[at];
    prev[c] = at;
    next[c] = next[at];
    if (next[at] !== -1) prev[next[at]] = c;
    next[at] = c;
  }

  unlift(e: number): void {
    const next = this.next,
      prev = this.prev;
    const m = this.entMatch[e];
    if (m !== 0) {
      next[prev[m]] = m;
      if (next[m] !== -1) prev[next[m]] = m;
      this.returns++;
    } else {
      const s = this.nextOfKind[this.entOp[e]];
      if (s >= 0) {
        const c = this.callEntry[s];
        next[prev[c]] = next[c];
        if (next[c] !== -1) prev[next[c]] = prev[c];
      }
    }
    next[prev[e]] = e;
    if (next[e] !== -1) prev[next[e]] = e;
  }

  /** The first return entry of the main list (-1 if none). */
  firstReturn(): number {
    let e = this.next[0];
    while (e !== -1 && this.entCall[e]) e = this.next[e];
    return e;
  }
}

/** Entry codes (opId*2 + isReturn) sorted by position; calls before returns at equal positions. */
function sortEntries(ops: readonly SearchOp[], E: number): Int32Array {
  const n = ops.length;
  const out = new Int32Array(E);
  let maxPos = 0,
    integral = true;
  for (let i = 0; i < n; i++) {
    const o = ops[i];
    if (o.call > maxPos) maxPos = o.call;
    if (o.ret !== Infinity && o.ret > maxPos) maxPos = o.ret;
    if (!(Number.isInteger(o.call) && o.call >= 0)) integral = false;
  }
  const scale = 2 * n + 2;
  if (integral && Number.isInteger(maxPos) && (maxPos + 1) * 2 * scale < 2 ** 52) {
    // Pack (position, call-before-return, code) into one float and sort numerically: no comparator calls.
    const keys = new Float64Array(E);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const o = ops[i];
      keys[k++] = o.call * 2 * scale + i * 2;
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
