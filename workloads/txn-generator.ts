// Elle's transaction generator, shared by list-append and rw-register: a pool of active keys, transactions of
// min..max micro-ops, each a read or a write of a key drawn from the pool (exponentially skewed towards the
// first slots, or uniform). Written values count up per key from 1, so every value is unique to its key; a key
// written max-writes-per-key times retires and a fresh key takes its slot, which keeps reads short.
// The pool is shared by every worker of a run (keyed by the run's options object), so values stay unique.
import type { Rng } from "../src/run/rng.ts";
import type { OpSpec, WorkloadOptions } from "../src/run/types.ts";
import { UsageError } from "../src/errors.ts";

export type MicroOp = [string, number, unknown];

export interface TxnGeneratorOptions {
  keyCount: number;
  minTxnLength: number;
  maxTxnLength: number;
  maxWritesPerKey: number;
  keyDist: "exponential" | "uniform";
}

const positiveInt = (o: WorkloadOptions, name: string, dflt: number): number => {
  const v = o[name] ?? dflt;
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (!(typeof n === "number" && Number.isInteger(n) && n > 0))
    throw new UsageError(`--wopt ${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
};

/** The generator knobs from --wopt / workload-options, validated (a usage error names the bad one). */
export function txnGeneratorOptions(o: WorkloadOptions): TxnGeneratorOptions {
  const keyCount = positiveInt(o, "key-count", 10);
  const minTxnLength = positiveInt(o, "min-txn-length", 1);
  const maxTxnLength = positiveInt(o, "max-txn-length", 4);
  const maxWritesPerKey = positiveInt(o, "max-writes-per-key", 256);
  if (minTxnLength > maxTxnLength)
    throw new UsageError(`--wopt min-txn-length (${minTxnLength}) is more than max-txn-length (${maxTxnLength})`);
  const keyDist = o["key-dist"] ?? "exponential";
  if (keyDist !== "exponential" && keyDist !== "uniform")
    throw new UsageError(`--wopt key-dist must be exponential or uniform, got ${JSON.stringify(keyDist)}`);
  return { keyCount, minTxnLength, maxTxnLength, maxWritesPerKey, keyDist };
}

/** The active keys and each key's write count, shared by the workers of one run. */
export class KeyPool {
  readonly active: number[];
  private nextKey: number;
  private writes = new Map<number, number>();
  private cumulative: number[];

  constructor(readonly o: TxnGeneratorOptions) {
    this.active = Array.from({ length: o.keyCount }, (_, i) => i);
    this.nextKey = o.keyCount;
    // Exponential: slot i is chosen with weight 2^-i, so slot 0 takes about half the traffic.
    const w = this.active.map((_, i) => (o.keyDist === "uniform" ? 1 : 2 ** -i));
    const total = w.reduce((a, b) => a + b, 0);
    let acc = 0;
    this.cumulative = w.map((x) => (acc += x / total));
  }

  /** A slot of the pool, by the key distribution. */
  slot(rng: Rng): number {
    const u = rng.next();
    const i = this.cumulative.findIndex((c) => u < c);
    return i < 0 ? this.active.length - 1 : i;
  }

  /** The next value written to the key in `slot`; retires the key after its last permitted write. */
  write(slot: number): [number, number] {
    const k = this.active[slot];
    const n = (this.writes.get(k) ?? 0) + 1;
    this.writes.set(k, n);
    if (n >= this.o.maxWritesPerKey) {
      this.writes.delete(k);
      this.active[slot] = this.nextKey++;
    }
    return [k, n];
  }
}

const pools = new WeakMap<WorkloadOptions, KeyPool>();

/** The run's key pool (one per options object, i.e. per run). */
export function keyPool(o: WorkloadOptions): KeyPool {
  let p = pools.get(o);
  if (!p) pools.set(o, (p = new KeyPool(txnGeneratorOptions(o))));
  return p;
}

/** A generator of `f: "txn"` ops whose micro-ops are built by `read(k)` and `write(k, v)`, half reads, half writes. */
export function txnGenerator(
  rng: Rng,
  pool: KeyPool,
  read: (k: number) => MicroOp,
  write: (k: number, v: number) => MicroOp,
): () => OpSpec {
  const { minTxnLength: lo, maxTxnLength: hi } = pool.o;
  return () => {
    const n = lo + rng.int(hi - lo + 1);
    const value: MicroOp[] = [];
    for (let i = 0; i < n; i++) {
      const slot = pool.slot(rng);
      if (rng.chance(0.5)) value.push(read(pool.active[slot]));
      else {
        const [k, v] = pool.write(slot);
        value.push(write(k, v));
      }
    }
    return { f: "txn", value };
  };
}
