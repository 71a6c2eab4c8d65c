// Reads and blind writes of a few registers with unique values, so every read names exactly the write it saw:
// the workload that gives a verdict on the whole spectrum — linearizable (per key), sequential, causal (CC, CCv, CM), the four
// session guarantees (and PRAM from three of them) and convergence. Worker w's n-th write writes the value w·1,000,000 + n.
import { checkLinearizable } from "../checkers/linearizable/index.ts";
import { casRegister } from "../checkers/linearizable/models/cas-register.ts";
import { keyed } from "../checkers/linearizable/models/keyed.ts";
import { checkCausal } from "../checkers/causal/index.ts";
import { checkCausalMemory } from "../checkers/causal-memory/index.ts";
import { checkSequential } from "../checkers/sequential/index.ts";
import { checkConvergence, checkSession, GUARANTEES, registerAdapter } from "../checkers/session/index.ts";
import type { Workload } from "../src/run/types.ts";
import { keyNames } from "./register.ts";
import { realTimeViolations } from "../checkers/session/realtime.ts";
import type { Op } from "../src/history/op.ts";
import type { Verdict } from "../checkers/types.ts";
import { refusingUnknownOps } from "./known-ops.ts";

/** Linearizability of the unique-value registers: a real-time proof when there is one (no search), else the
 *  full Wing–Gong–Lowe search with a step budget, so a hard history gives "unknown", never a hang. */
function linearizable(h: readonly Op[]): Verdict {
  const quick = realTimeViolations(h);
  if (quick.length)
    return { checker: "linearizable", valid: false, anomalies: quick, stats: { realTimeProofs: quick.length } };
  return checkLinearizable(h, {
    model: keyed(casRegister()),
    allAnomalies: true,
    maxCacheBytes: 1 << 28,
    maxSteps: 2_000_000,
  });
}

export const sessionWorkload: Workload = {
  options: ["writes"],
  name: "session",
  description:
    "reads and writes of unique values on a few keys; checked for linearizability, sequential consistency, causal consistency (CC, CCv, causal memory), the four session guarantees and convergence",
  generator(rng, options, worker) {
    const keys = keyNames(options.keys);
    const writeRatio = typeof options.writes === "number" ? options.writes : 0.5;
    let n = 0;
    let last: string | undefined;
    return () => {
      // Half the time, read back the key just written: the read-your-writes probe a user makes.
      const k = last !== undefined && rng.chance(0.5) ? last : rng.pick(keys);
      last = undefined;
      if (rng.next() < writeRatio) {
        last = k;
        return { f: "write", value: [k, worker * 1_000_000 + ++n] };
      }
      return { f: "read", value: [k, null] };
    };
  },
  final: (options) => keyNames(options.keys).map((k) => ({ f: "read", value: [k, null] })),
  checkers: () =>
    refusingUnknownOps(
      "session",
      ["read", "write"],
      [
        { name: "linearizable", decides: ["linearizable"], check: linearizable },
        { name: "sequential", decides: ["sequential"], check: (h) => checkSequential(h) },
        ...GUARANTEES.map((g) => ({
          name: g,
          decides: [g],
          check: (h: Parameters<typeof checkSession>[0]) => checkSession(h, g),
        })),
        { name: "causal", decides: ["causal"], check: (h) => checkCausal(h, registerAdapter, { model: "CC" }) },
        {
          name: "causal-convergence",
          decides: ["causal-convergence"],
          check: (h) => checkCausal(h, registerAdapter, { model: "CCv" }),
        },
        { name: "causal-memory", decides: ["causal-memory"], check: (h) => checkCausalMemory(h, registerAdapter) },
        { name: "convergence", decides: ["convergence"], check: (h) => checkConvergence(h) },
      ],
    ),
};
