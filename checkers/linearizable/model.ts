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
  /** Canonical, exact key of a state: equal keys mean equal states (numbers and strings are distinct keys). */
  hash(state: S): string | number | boolean | null;
  /** Partition for P-compositionality: ops with different keys are checked independently. */
  key?(op: Operation): string;
  /** Turns a recorded operation into a model op, or null when it constrains nothing (a failed write, a crashed read). */
  prepare(op: Operation): ModelOp | null;
  /** True when op never changes the state in any state (a read, a failed compare): the search may then
   *  linearize it as soon as it is legal, without trying other orders. Optional; absent = never. */
  readOnly?(op: ModelOp): boolean;
  describeOp(op: ModelOp): string;
  describeState(state: S): string;
}

export const show = (v: unknown): string => (v === undefined ? "?" : JSON.stringify(v));

/** Options every model understands (each ignores what does not apply to it). */
export interface ModelOptions {
  /** Initial state (its meaning is the model's: a register value, a map of registers, a key's value...). */
  initial?: unknown;
  /** Knossos' reading: a read that returned nil/null is an unknown read, legal in any state. */
  nilReadIsUnknown?: boolean;
}

/** Structural equality for JSON-like values. */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a as object),
    kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/** An exact hash key for a JSON-like value: primitives as themselves, objects as canonical JSON (sorted keys). */
export function valueKey(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number" || typeof v === "boolean") return v;
  if (typeof v === "string") return "s" + v; // never equal to a canonical-JSON key
  return "j" + canonical(v);
}

export function canonical(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
  return (
    "{" +
    Object.keys(v)
      .sort()
      .map((k) => JSON.stringify(k) + ":" + canonical((v as Record<string, unknown>)[k]))
      .join(",") +
    "}"
  );
}

/** Default preparation, Jepsen's: a failed op did not happen; a crashed op that changes nothing is dropped. */
export function prepareDefault(
  op: Operation,
  isReadOnly: (f: string) => boolean,
  keepFailed?: (op: Operation) => boolean,
): ModelOp | null {
  if (op.type === "fail" && !(keepFailed && keepFailed(op))) return null;
  if (op.type === "info" && isReadOnly(op.f)) return null;
  return modelOp(op.f, op.invoke.value, op.type === "info" ? undefined : op.complete?.value, op.type);
}

/** A model op, from one site whose hidden class takes any input and output from the start: made first with a
 *  small integer, then given a string or undefined, the class changed and every model op made before was
 *  migrated on its next access (as with ops, src/history/op.ts). */
export function modelOp(f: string, input: unknown, output: unknown, type: ModelOp["type"]): ModelOp {
  return { f, input, output, type };
}
// Kept, so the classes live.
const SETTLED: ModelOp[] = [];
for (const v of [0, 0.5, "", undefined]) SETTLED.push(modelOp("", v, v, "ok"));
