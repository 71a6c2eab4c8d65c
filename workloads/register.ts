// Reads, writes and compare-and-set on a few independent registers (Jepsen's "independent" keys):
// each value is a [key, value] tuple, so the linearizability checker can check every key on its own.
import { checkLinearizable } from "../checkers/linearizable/index.ts";
import { casRegister } from "../checkers/linearizable/models/cas-register.ts";
import { keyed } from "../checkers/linearizable/models/keyed.ts";
import { checkLinearizableParallel } from "../checkers/linearizable/parallel.ts";
import type { Workload } from "../src/run/types.ts";
import { checkFinalAgreement } from "../checkers/convergence/final-agreement.ts";
import { refusingUnknownOps } from "./known-ops.ts";

export const keyNames = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`);

export const registerWorkload: Workload = {
  options: [],
  name: "register",
  description:
    "read / write / cas on independent registers, values 0-4; checked for linearizability per key and for agreement of every node's final reads",
  generator(rng, options) {
    const keys = keyNames(options.keys);
    return () => {
      const k = rng.pick(keys);
      const r = rng.next();
      if (r < 0.5) return { f: "read", value: [k, null] };
      if (r < 0.75) return { f: "write", value: [k, rng.int(5)] };
      return { f: "cas", value: [k, [rng.int(5), rng.int(5)]] };
    };
  },
  final: (options) => keyNames(options.keys).map((k) => ({ f: "read", value: [k, null] })),
  checkers: () =>
    refusingUnknownOps(
      "register",
      ["read", "write", "cas"],
      [
        {
          name: "linearizable",
          decides: ["linearizable"],
          check: (h) =>
            checkLinearizable(h, { model: keyed(casRegister()), allAnomalies: true, maxCacheBytes: 1 << 30 }),
          // The same check with its keys on worker threads, within a time and memory budget (faultline check).
          // The search's memory estimate follows --memory when given, else the 1 GiB above.
          checkAsync: (h, budget) =>
            checkLinearizableParallel(h, {
              spec: { name: "cas-register", keyed: true },
              allAnomalies: true,
              maxCacheBytes: budget.memoryMb ? undefined : 1 << 30,
              ...budget,
            }),
        },
        { name: "convergence", decides: ["convergence"], check: (h) => checkFinalAgreement(h) },
      ],
    ),
};
