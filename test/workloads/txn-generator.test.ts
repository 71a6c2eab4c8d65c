import { describe, expect, it } from "vitest";
import { rng } from "../../src/run/rng.ts";
import { listAppendWorkload } from "../../workloads/list-append.ts";
import { rwRegisterWorkload } from "../../workloads/rw-register.ts";
import type { OpSpec, Workload, WorkloadOptions } from "../../src/run/types.ts";
import { UsageError } from "../../src/errors.ts";

type MicroOp = [string, number, unknown];

/** n transactions from `workers` generators sharing one run's options, taken round-robin. */
function generate(w: Workload, opts: Record<string, unknown>, n: number, seed = "1", workers = 3): OpSpec[] {
  const o: WorkloadOptions = { keys: 3, seed, ...opts };
  const gens = Array.from({ length: workers }, (_, i) => w.generator(rng(seed, `worker-${i}`), o, i));
  return Array.from({ length: n }, (_, i) => gens[i % workers]());
}
const mops = (ops: OpSpec[]) => ops.flatMap((o) => o.value as MicroOp[]);

describe("transactional workload generators", () => {
  it("the same seed gives the same transactions; another seed does not", () => {
    const a = generate(listAppendWorkload, {}, 500, "7");
    expect(generate(listAppendWorkload, {}, 500, "7")).toEqual(a);
    expect(generate(listAppendWorkload, {}, 500, "8")).not.toEqual(a);
  });

  it("list-append: appends and reads, invokes carry null reads, every value unique per key", () => {
    const ops = generate(listAppendWorkload, {}, 2000);
    expect(ops.every((o) => o.f === "txn")).toBe(true);
    const ms = mops(ops);
    expect(new Set(ms.map((m) => m[0]))).toEqual(new Set(["append", "r"]));
    expect(ms.filter((m) => m[0] === "r").every((m) => m[2] === null)).toBe(true);
    const appends = ms.filter((m) => m[0] === "append").map((m) => `${m[1]}:${m[2]}`);
    expect(new Set(appends).size).toBe(appends.length);
  });

  it("rw-register: writes and reads, values unique per key", () => {
    const ms = mops(generate(rwRegisterWorkload, {}, 2000));
    expect(new Set(ms.map((m) => m[0]))).toEqual(new Set(["w", "r"]));
    const writes = ms.filter((m) => m[0] === "w").map((m) => `${m[1]}:${m[2]}`);
    expect(new Set(writes).size).toBe(writes.length);
  });

  it("transaction length stays within min-txn-length..max-txn-length, and covers it", () => {
    const lens = generate(listAppendWorkload, { "min-txn-length": 2, "max-txn-length": 5 }, 1000).map(
      (o) => (o.value as unknown[]).length,
    );
    expect(Math.min(...lens)).toBe(2);
    expect(Math.max(...lens)).toBe(5);
    const defaults = generate(listAppendWorkload, {}, 1000).map((o) => (o.value as unknown[]).length);
    expect([Math.min(...defaults), Math.max(...defaults)]).toEqual([1, 4]);
  });

  it("a key retires after max-writes-per-key writes and a fresh key takes its place; key-count keys are active", () => {
    const ms = mops(generate(listAppendWorkload, { "max-writes-per-key": 5, "key-count": 3 }, 600));
    const writes = new Map<number, number>();
    for (const m of ms) if (m[0] === "append") writes.set(m[1], (writes.get(m[1]) ?? 0) + 1);
    expect(Math.max(...writes.values())).toBe(5);
    expect(writes.size).toBeGreaterThan(20); // many keys came and went
    // Within any window the reads and writes touch at most key-count distinct live keys plus the ones retiring.
    const first = mops(generate(listAppendWorkload, { "key-count": 3 }, 100)).map((m) => m[1]);
    expect(new Set(first)).toEqual(new Set([0, 1, 2]));
  });

  it("key-dist exponential favours the first slot; uniform spreads evenly", () => {
    const share = (dist: string) => {
      const ks = mops(
        generate(listAppendWorkload, { "key-dist": dist, "key-count": 10, "max-writes-per-key": 1e9 }, 4000),
      ).map((m) => m[1]);
      return ks.filter((k) => k === 0).length / ks.length;
    };
    expect(share("exponential")).toBeGreaterThan(0.4);
    expect(share("uniform")).toBeLessThan(0.15);
  });

  it("bad knobs and model names are usage errors naming the option", () => {
    expect(() => generate(listAppendWorkload, { "key-count": 0 }, 1)).toThrow(/key-count must be a positive integer/);
    expect(() => generate(listAppendWorkload, { "min-txn-length": 5, "max-txn-length": 2 }, 1)).toThrow(
      /min-txn-length \(5\) is more than max-txn-length \(2\)/,
    );
    expect(() => generate(rwRegisterWorkload, { "key-dist": "zipf" }, 1)).toThrow(UsageError);
    expect(() =>
      rwRegisterWorkload.validate!({ keys: 3, seed: "1", "consistency-models": "serializable,bogus" }),
    ).toThrow(/consistency-models: unknown consistency model "bogus"/);
    expect(() => listAppendWorkload.validate!({ keys: 3, seed: "1", "max-writes-per-key": -1 })).toThrow(
      /max-writes-per-key must be a positive integer/,
    );
    expect(() =>
      listAppendWorkload.validate!({ keys: 3, seed: "1", "consistency-models": "serializable,si" }),
    ).not.toThrow();
  });
});
