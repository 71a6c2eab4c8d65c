// Increments of a few counters by 1-5 and reads: every read must lie within [acknowledged, attempted].
import { checkCounter } from "../checkers/counter/index.ts";
import type { Workload } from "../src/run/types.ts";
import { keyNames } from "./register.ts";

export const counterWorkload: Workload = {
  options: [],
  name: "counter",
  description: "increments and reads of counters; every read within the acknowledged and attempted sums",
  generator(rng, options) {
    const keys = keyNames(options.keys);
    return () => {
      const k = rng.pick(keys);
      if (rng.chance(0.5)) return { f: "incr", value: [k, 1 + rng.int(5)] };
      return { f: "read", value: [k, null] };
    };
  },
  final: (options) => keyNames(options.keys).map((k) => ({ f: "read", value: [k, null] })),
  checkers: () => [{ name: "counter", check: (h) => checkCounter(h) }],
};
