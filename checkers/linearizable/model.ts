// A sequential specification, Porcupine-style: a handful of small functions and no knowledge of any store.
import type { Operation } from "../../src/history/pairs.ts";

/** One operation as the model sees it. `output` is undefined for an indeterminate (info) op. */
export interface ModelOp {
  f: string;
  input: unknown;
  output: unknown;
  /** "ok": observed result; "fail": kept only when the model says a failure is an observation (e.g. a CAS compare that failed). */
  type: "ok" | "fail" | "info";
}

export interface Model<S = unknown> {
  name: string;
  init(): S;
  /** The state after applying op, or undefined if op cannot happen in state. Must not mutate state. */
  step(state: S, op: ModelOp): S | undefined;
  /** Canonical, exact key of a state: equal keys mean equal states. */
  hash(state: S): string;
  /** Partition for P-compositionality: ops with different keys are checked independently. */
  key?(op: Operation): string;
  /** Turns a recorded operation into a model op, or null when it constrains nothing (a failed write, a crashed read). */
  prepare(op: Operation): ModelOp | null;
  describeOp(op: ModelOp): string;
  describeState(state: S): string;
}

export const show = (v: unknown): string => (v === undefined ? "?" : JSON.stringify(v));

/** Default preparation, Jepsen's: a failed op did not happen; a crashed op that changes nothing is dropped. */
export function prepareDefault(op: Operation, isReadOnly: (f: string) => boolean, keepFailed?: (op: Operation) => boolean): ModelOp | null {
  if (op.type === "fail" && !(keepFailed && keepFailed(op))) return null;
  if (op.type === "info" && isReadOnly(op.f)) return null;
  return {
    f: op.f,
    input: op.invoke.value,
    output: op.type === "info" ? undefined : op.complete?.value,
    type: op.type,
  };
}
