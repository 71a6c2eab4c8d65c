// Builds the typed evidence of an anomaly (see Evidence in types.ts): the report draws it whatever the checker.
import type { Evidence, Step } from "./types.ts";

export const step = (from: number, to: number, relation: string, why: string): Step => ({ from, to, relation, why });

/** Evidence made of steps (a chain, or a cycle when the last ends where the first began); its witness is
 *  every op the steps name, unless `extra` gives one. */
export function stepsEvidence(steps: Step[], extra: Omit<Evidence, "steps"> = {}): Evidence {
  return { steps, witness: [...new Set(steps.flatMap((s) => [s.from, s.to]))].sort((a, b) => a - b), ...extra };
}

/** Evidence that is only a set of ops, which together prove the anomaly. */
export const witnessEvidence = (ops: number[], witnessText?: string): Evidence => ({
  witness: [...new Set(ops)].sort((a, b) => a - b),
  ...(witnessText ? { witnessText } : {}),
});
