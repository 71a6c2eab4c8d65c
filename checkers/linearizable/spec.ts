// Choosing a model for a history from the command line: --model, --initial, --nil-read, with defaults
// from the history's format (formats/index.ts) and from its ops (inferModel).
import type { Op } from "../../src/history/op.ts";
import { FORMATS, inferModel, parseInitial } from "../../src/history/formats/index.ts";
import { checkLinearizable } from "./index.ts";
import { createModel, MODELS, type ModelSpec } from "./models/index.ts";
import { UsageError } from "../../src/registry.ts";

export interface ModelChoice { model?: string; initial?: string; nilRead?: string; keyed?: boolean }

export function chooseModel(history: readonly Op[], format: string, choice: ModelChoice): ModelSpec {
  const inferred = inferModel(history);
  const name = choice.model ?? inferred.name;
  if (!MODELS[name]) throw new UsageError(`unknown model ${JSON.stringify(name)}; choose one of: ${Object.keys(MODELS).join(", ")}`);
  const nilRead = choice.nilRead ?? FORMATS[format]?.nilRead ?? "absent";
  if (nilRead !== "unknown" && nilRead !== "absent") throw new UsageError(`--nil-read must be unknown or absent, got ${JSON.stringify(nilRead)}`);
  const spec: ModelSpec = { name, nilReadIsUnknown: nilRead === "unknown", keyed: choice.keyed ?? (name === inferred.name ? inferred.keyed : inferModelKeyed(history, name)) };
  if (choice.initial !== undefined) spec.initial = parseInitial(choice.initial);
  return spec;
}

function inferModelKeyed(history: readonly Op[], name: string): boolean {
  return name !== "kv" && name !== "multi-register" && inferModel(history).keyed;
}

export function describeSpec(s: ModelSpec): string {
  return `model ${s.name}${s.keyed ? " (per key)" : ""}, initial ${s.initial === undefined ? "default" : JSON.stringify(s.initial)}, nil read = ${s.nilReadIsUnknown ? "unknown" : "absent"}`;
}

export function linearizableChecker(spec: ModelSpec, options: { allAnomalies?: boolean } = {}) {
  const model = createModel(spec);
  return { name: "linearizable", check: (h: readonly Op[]) => checkLinearizable(h, { model, allAnomalies: options.allAnomalies ?? true }) };
}
