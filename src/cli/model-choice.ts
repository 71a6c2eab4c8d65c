// Choosing a linearizability model for a history from the command line: --model, --initial, --nil-read, with
// defaults from the history's format (formats/index.ts) and from its ops (inferModel). Command-line concerns
// live here, not in checkers/, which stay a library that throws plain errors.
import type { Op } from "../history/op.ts";
import { FORMATS, inferModel, parseInitial } from "../history/formats/index.ts";
import { MODELS, type ModelSpec } from "../../checkers/linearizable/models/index.ts";
import { UsageError } from "../errors.ts";

export interface ModelChoice {
  model?: string;
  initial?: string;
  nilRead?: string;
  keyed?: boolean;
}

export function chooseModel(history: readonly Op[], format: string, choice: ModelChoice): ModelSpec {
  const inferred = inferModel(history);
  const name = choice.model ?? inferred.name;
  if (!MODELS[name])
    throw new UsageError(`unknown model ${JSON.stringify(name)}; choose one of: ${Object.keys(MODELS).join(", ")}`);
  const nilRead = choice.nilRead ?? FORMATS[format]?.nilRead ?? "absent";
  if (nilRead !== "unknown" && nilRead !== "absent")
    throw new UsageError(`--nil-read must be unknown or absent, got ${JSON.stringify(nilRead)}`);
  const spec: ModelSpec = {
    name,
    nilReadIsUnknown: nilRead === "unknown",
    keyed: choice.keyed ?? (name === inferred.name ? inferred.keyed : inferModelKeyed(history, name)),
  };
  if (choice.initial !== undefined) spec.initial = parseInitial(choice.initial);
  return spec;
}

function inferModelKeyed(history: readonly Op[], name: string): boolean {
  return name !== "kv" && name !== "multi-register" && inferModel(history).keyed;
}
