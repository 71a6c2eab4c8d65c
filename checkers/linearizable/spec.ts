// A linearizability checker for a serialisable model spec (models/index.ts), and how to describe one.
// Choosing the spec from command-line flags is the CLI's (src/cli/model-choice.ts).
import type { Op } from "../../src/history/op.ts";
import { checkLinearizable } from "./index.ts";
import { createModel, type ModelSpec } from "./models/index.ts";

export function describeSpec(s: ModelSpec): string {
  return `model ${s.name}${s.keyed ? " (per key)" : ""}, initial ${s.initial === undefined ? "default" : JSON.stringify(s.initial)}, nil read = ${s.nilReadIsUnknown ? "unknown" : "absent"}`;
}

export function linearizableChecker(spec: ModelSpec, options: { allAnomalies?: boolean } = {}) {
  const model = createModel(spec);
  return {
    name: "linearizable",
    decides: ["linearizable"] as const,
    check: (h: readonly Op[]) => checkLinearizable(h, { model, allAnomalies: options.allAnomalies ?? true }),
  };
}
