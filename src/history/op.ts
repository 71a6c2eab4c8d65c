// The history's unit: one operation event, with Jepsen's fields so histories move between tools.
import { show } from "../format.ts";

export type OpType = "invoke" | "ok" | "fail" | "info";
export type Process = number | "nemesis";

export interface Op {
  index: number; // position in the history, 0-based, dense
  time: number; // nanoseconds since the run started (monotonic)
  process: Process; // client process, or "nemesis" for fault events
  type: OpType;
  f: string;
  value: unknown;
  node?: string; // the node the client talked to (or the nodes a fault touched)
  error?: string; // why an op failed or is indeterminate
}

export const OP_TYPES: readonly OpType[] = ["invoke", "ok", "fail", "info"];

/** An op with only the required fields, from one allocation site whose object shape is settled (see below). */
export function newOp(index: number, time: number, process: Process, type: OpType, f: string, value: unknown): Op {
  return { index, time, process, type, f, value };
}

// Op objects' shapes, settled before any history is read. V8 gives objects of the same keys one hidden class,
// whose fields start with the representation of the first values stored: a small integer `time` (a run's
// first 1.07 s, 2^30 ns) and then a larger one forces a new class, and every op made before is migrated to it
// one by one on its next access (about 1 µs each: a 10k-op history's first pass took 20 ms instead of 1).
// So each shape is first made with a fractional time, both kinds of process and of value; kept, so the
// classes live.
const SETTLED: unknown[] = [];
for (const [process, value] of [
  [0, 0],
  ["nemesis", "v"],
] as const) {
  SETTLED.push(newOp(0, 0.5, process, "ok", "", value));
  const fields = `"index":0,"time":0.5,"process":${JSON.stringify(process)},"type":"ok","f":"","value":${JSON.stringify(value)}`;
  // The key orders JSONL histories use (faultline writes node before error).
  for (const extra of ["", ',"node":""', ',"error":""', ',"node":"","error":""'])
    SETTLED.push(JSON.parse(`{${fields}${extra}}`));
}

/** What a client returns for an invocation: the completion's type, value and error. */
export interface Completion {
  type: "ok" | "fail" | "info";
  value?: unknown;
  error?: string;
}

/** Where each op of a history was in its file, when that is not line index + 1 (a JSONL file with blank lines):
 *  kept beside the array, so every `file:line` error about an op names its real line. */
const sourceLines = new WeakMap<readonly unknown[], (index: number) => number>();
export function setSourceLines(history: readonly unknown[], lineOf: (index: number) => number): void {
  sourceLines.set(history, lineOf);
}
/** The file line of the op at `index` of `history` (index + 1 unless the reader recorded otherwise). */
export function sourceLine(history: readonly unknown[], index: number): number {
  return sourceLines.get(history)?.(index) ?? index + 1;
}

/** A problem with one line of a history file: `file:line: field: what is wrong`. */
export class HistoryError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${field}: ${problem}`);
    this.name = "HistoryError";
  }
}

/** Checks one parsed line; returns the first problem as [field, message], or undefined if it is a valid op. */
export function opProblem(x: unknown): [string, string] | undefined {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return ["line", "not a JSON object"];
  const o = x as Record<string, unknown>;
  if (!Number.isInteger(o.index) || (o.index as number) < 0)
    return ["index", `must be a non-negative integer, got ${show(o.index)}`];
  if (typeof o.time !== "number" || !Number.isFinite(o.time) || o.time < 0)
    return ["time", `must be a non-negative number of nanoseconds, got ${show(o.time)}`];
  if (!(Number.isInteger(o.process) && (o.process as number) >= 0) && o.process !== "nemesis")
    return ["process", `must be a non-negative integer or "nemesis", got ${show(o.process)}`];
  if (!OP_TYPES.includes(o.type as OpType))
    return ["type", `must be one of invoke, ok, fail, info, got ${show(o.type)}`];
  if (typeof o.f !== "string" || o.f === "") return ["f", `must be a non-empty string, got ${show(o.f)}`];
  if (!("value" in o)) return ["value", "is missing (use null for no value)"];
  const vp = valueProblem(o.value);
  if (vp) return ["value", vp];
  if (o.node !== undefined && typeof o.node !== "string") return ["node", `must be a string, got ${show(o.node)}`];
  if (o.error !== undefined && typeof o.error !== "string") return ["error", `must be a string, got ${show(o.error)}`];
  return undefined;
}

/** How deep a value may nest: far beyond any real operation, well within what every checker's recursion takes. */
export const MAX_VALUE_DEPTH = 64;

/** A value JSON parsing made lossy or that checkers cannot take: a number that is not finite (1e400 reads as
 *  Infinity) or an integer beyond 2^53 (9007199254740993 reads as …992, equal to another value), or nesting
 *  deeper than MAX_VALUE_DEPTH. Refusing is better than judging a value that is not what the file says. */
export function valueProblem(v: unknown, depth = 0): string | undefined {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return "a number too large to represent (it would read as Infinity)";
    if (Number.isInteger(v) && !Number.isSafeInteger(v))
      return `${v} is beyond 2^53, where integers cannot be read exactly (write it as a string)`;
    return undefined;
  }
  if (v === null || typeof v !== "object") return undefined;
  if (depth >= MAX_VALUE_DEPTH) return `nested deeper than ${MAX_VALUE_DEPTH} levels`;
  for (const x of Array.isArray(v) ? v : Object.values(v)) {
    const p = valueProblem(x, depth + 1);
    if (p) return p;
  }
  return undefined;
}

export const isClient = (op: Op): op is Op & { process: number } => op.process !== "nemesis";
