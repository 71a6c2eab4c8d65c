// Adds of unique elements to a few sets, reads during the run, then final reads of every set on every node
// after healing: lost acknowledged adds, adds that appeared though they failed, replicas that never
// converged, and each add's time to visibility on every node. Worker w's n-th add adds w·1,000,000 + n.
import { checkSet } from "../checkers/set/index.ts";
import type { Workload } from "../src/run/types.ts";
import { keyNames } from "./register.ts";

export const setWorkload: Workload = {
  options: [],
  name: "set",
  description:
    "adds unique elements to sets, then reads every set on every node after healing; lost adds, phantom adds, convergence, time to visibility",
  generator(rng, options, worker) {
    const keys = keyNames(options.keys);
    let n = 0;
    return () => {
      const k = rng.pick(keys);
      if (rng.chance(0.6)) return { f: "add", value: [k, worker * 1_000_000 + ++n] };
      return { f: "read", value: [k, null] };
    };
  },
  final: (options) => keyNames(options.keys).map((k) => ({ f: "read", value: [k, null] })),
  checkers: () => [{ name: "set", decides: ["convergence"], check: (h) => checkSet(h) }],
};
