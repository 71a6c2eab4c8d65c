// Micro-ops of a transaction (Elle's shape) against a view of the data: `["append", k, v]`, `["w", k, v]` and
// `["r", k, _]`, whose completion carries what was read (null for a key never written, as Jepsen's clients
// do). Shared by the sim's transactional modes and by the classic modes, which run a transaction atomically.
export type MicroOp = [string, unknown, unknown];

const keyOf = (k: unknown) => JSON.stringify(k);

/** A transaction's own writes, buffered until commit: per key, its appends (lists) or last write (registers). */
export class TxnBuffer {
  readonly appends = new Map<string, unknown[]>();
  readonly writes = new Map<string, unknown>();
  readonly readKeys = new Set<string>();
  readonly keys = new Map<string, unknown>(); // every key touched, by its string form

  /** Runs one micro-op, reading committed data through `get`; returns the micro-op as completed. */
  step(m: MicroOp, get: (k: string) => unknown): MicroOp {
    const [f, k, v] = m;
    const ks = keyOf(k);
    this.keys.set(ks, k);
    if (f === "append") {
      const l = this.appends.get(ks) ?? [];
      l.push(v);
      this.appends.set(ks, l);
      return m;
    }
    if (f === "w") {
      this.writes.set(ks, v);
      return m;
    }
    this.readKeys.add(ks);
    if (this.writes.has(ks)) return [f, k, this.writes.get(ks)];
    const own = this.appends.get(ks);
    const cur = get(ks);
    if (own) return [f, k, [...((cur as unknown[] | null) ?? []), ...own]];
    return [f, k, cur ?? null];
  }

  get writeKeys(): string[] {
    return [...new Set([...this.appends.keys(), ...this.writes.keys()])];
  }

  /** The new committed value of each written key, given the latest committed values. */
  result(get: (k: string) => unknown): [string, unknown][] {
    return this.writeKeys.map((ks) => {
      if (this.writes.has(ks)) return [ks, this.writes.get(ks)];
      return [ks, [...((get(ks) as unknown[] | null) ?? []), ...this.appends.get(ks)!]];
    });
  }
}

export const isReadOnlyTxn = (value: unknown) =>
  Array.isArray(value) && value.every((m) => Array.isArray(m) && m[0] === "r");

/** Runs a whole transaction at once on `data` (keys as JSON strings); returns the completed micro-ops and the writes. */
export function applyTxnAtomically(
  value: unknown,
  get: (k: string) => unknown,
): { value: MicroOp[]; writes: [string, unknown][] } {
  const b = new TxnBuffer();
  const done = (value as MicroOp[]).map((m) => b.step(m, get));
  return { value: done, writes: b.result(get) };
}
