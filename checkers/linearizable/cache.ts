// The search's configuration cache (Lowe's): every (linearized set, model state) already explored.
//
// The linearized set of completed ops is fingerprinted with three independent 32-bit Zobrist hashes (96
// bits, updated by xor on every lift and unlift; crashed ops are not in it: see crashed.ts) and the state by
// an exact interned id; a false "already seen" needs a 96-bit collision (probability below 1e-14 for 10^8
// configurations). Entries live in an open-addressing table of Int32Arrays, 5 per slot (h1, h2, h3,
// stateId + 1 (0 = empty), the slot's snapshot bucket in the crashed-op pool), so memory stays flat and
// predictable. `visit` is the one way in: it says whether a configuration is new, and records it.
import type { CrashedPool } from "./crashed.ts";

/** 2 × 20-byte table slots (load ≤ 1/2) + a stack frame, amortized. */
const BYTES_PER_ENTRY = 56;

export const NEW = 1,
  SEEN = 0,
  FULL = -1;

export class ConfigCache {
  /** Configurations recorded (with crashed ops, one per snapshot). */
  entries = 0;
  /** Stop (visit returns FULL) before recording more than this many. */
  maxEntries = Infinity;
  /** Memory estimate per entry, for the budget. */
  readonly entryBytes: number;
  private cap: number;
  private mask: number;
  private table: Int32Array;

  /** `expected`: configurations likely needed (the partition's size), so small partitions start small. */
  constructor(
    private readonly crashed: CrashedPool,
    expected: number,
  ) {
    this.entryBytes = BYTES_PER_ENTRY + crashed.bytesPerSnapshot;
    let cap = 1 << 6;
    // Sized for about one configuration per op (load ≤ 1/2) up to 2^16 slots (1.3 MB), so an easy search seldom
    // rehashes (it used to stop at 2^12 and grow three times on a 10k-op key); a hard one grows from there.
    while (cap < 2 * expected && cap < 1 << 16) cap <<= 1;
    this.cap = cap;
    this.mask = cap - 1;
    this.table = new Int32Array(cap * 5);
  }

  /** Sets the budget in bytes (undefined or 0: none). */
  setBudget(maxBytes: number | undefined): void {
    this.maxEntries = maxBytes ? Math.max(16, Math.floor(maxBytes / this.entryBytes)) : Infinity;
  }

  get bytes(): number {
    return this.entries * this.entryBytes;
  }

  /** Records configuration (a, b, c, state) with the crashed pool's current counts: NEW if it was not
   *  explored (nor dominated by one that was), SEEN if it was, FULL if it is new but the budget is spent. */
  visit(a: number, b: number, c: number, state: number): number {
    const t = this.table;
    const slot = slotOf(a, b, c, state, t, this.mask);
    if (slot >= 0) {
      const crashed = this.crashed;
      if (crashed.K === 0 || crashed.dominatedIn(t[slot + 4])) return SEEN;
      if (this.entries >= this.maxEntries) return FULL;
      t[slot + 4] = crashed.snapshot(t[slot + 4]);
      this.entries++;
      return NEW;
    }
    if (this.entries >= this.maxEntries) return FULL;
    const p = ~slot;
    t[p] = a;
    t[p + 1] = b;
    t[p + 2] = c;
    t[p + 3] = state + 1;
    if (this.crashed.K > 0) t[p + 4] = this.crashed.snapshot(-1);
    if (++this.entries * 2 > this.cap) this.grow();
    return NEW;
  }

  private grow(): void {
    const ncap = this.cap << 1,
      nmask = ncap - 1,
      nt = new Int32Array(ncap * 5),
      table = this.table;
    for (let p = 0; p < table.length; p += 5) {
      if (table[p + 3] === 0) continue;
      const q = ~slotOf(table[p], table[p + 1], table[p + 2], table[p + 3] - 1, nt, nmask);
      nt[q] = table[p];
      nt[q + 1] = table[p + 1];
      nt[q + 2] = table[p + 2];
      nt[q + 3] = table[p + 3];
      nt[q + 4] = table[p + 4];
    }
    this.table = nt;
    this.cap = ncap;
    this.mask = nmask;
  }
}

/** The slot holding the configuration (its offset), or ~offset of the empty slot where it would go. */
function slotOf(a: number, b: number, c: number, s: number, t: Int32Array, m: number): number {
  let i = (a ^ Math.imul(s + 1, 0x9e3779b1) ^ (b >>> 7)) & m;
  for (;;) {
    const p = i * 5,
      sv = t[p + 3];
    if (sv === 0) return ~p;
    if (sv === s + 1 && t[p] === a && t[p + 1] === b && t[p + 2] === c) return p;
    i = (i + 1) & m;
  }
}
