// Pairs each invocation with its completion. Jepsen's semantics, shared by every checker:
//   ok   — took effect exactly once, between invoke and completion;
//   fail — definitely did not take effect;
//   info — indeterminate: may take effect at any time after the invoke, or never. The process that
//          issued it is retired (it may still be blocked) and never issues another op; the runner gives
//          its worker a fresh process number. An invoke with no completion at all counts as info.
import { HistoryError, sourceLine, type Op } from "./op.ts";

export interface Operation {
  process: number;
  f: string;
  type: "ok" | "fail" | "info";
  invoke: Op;
  complete?: Op; // absent when the history ended before a completion was recorded
  /** The op's value as completed: the completion's value for ok, else the invocation's. */
  value: unknown;
  node?: string;
  error?: string;
}

export interface PairOptions {
  file?: string;
  /** Reject histories in which a retired (crashed) process issues another op. Default true. */
  strictRetire?: boolean;
}

/** All client operations in invocation order. Nemesis events are skipped (see `faults`). */
export function pairOperations(history: readonly Op[], options: PairOptions = {}): Operation[] {
  const file = options.file ?? "<history>";
  const strict = options.strictRetire ?? true;
  const open = new Map<number, Operation>();
  const retired = new Set<number>();
  const out: Operation[] = [];
  for (const op of history) {
    if (op.process === "nemesis") continue;
    const p = op.process;
    if (op.type === "invoke") {
      if (open.has(p))
        throw new HistoryError(
          file,
          sourceLine(history, op.index),
          "type",
          `process ${p} invoked ${op.f} while its op at index ${open.get(p)!.invoke.index} was still open`,
        );
      if (strict && retired.has(p))
        throw new HistoryError(
          file,
          sourceLine(history, op.index),
          "process",
          `process ${p} crashed earlier (info) and must not issue more ops; use a new process number`,
        );
      // Every field present from the start: one object shape for a million operations.
      const o: Operation = {
        process: p,
        f: op.f,
        type: "info",
        invoke: op,
        complete: undefined,
        value: op.value,
        node: op.node,
        error: undefined,
      };
      open.set(p, o);
      out.push(o);
    } else {
      const o = open.get(p);
      if (!o)
        throw new HistoryError(
          file,
          sourceLine(history, op.index),
          "type",
          `${op.type} for process ${p} with no open invocation`,
        );
      if (o.f !== op.f)
        throw new HistoryError(
          file,
          sourceLine(history, op.index),
          "f",
          `completion f ${JSON.stringify(op.f)} does not match its invocation's ${JSON.stringify(o.f)} (index ${o.invoke.index})`,
        );
      open.delete(p);
      o.type = op.type;
      o.complete = op;
      if (op.type === "ok") o.value = op.value;
      if (op.error !== undefined) o.error = op.error;
      if (op.type === "info") retired.add(p);
    }
  }
  for (const p of open.keys()) retired.add(p);
  return out;
}

export interface Fault {
  f: string; // e.g. "partition", "kill", "clock"
  start: Op;
  stop?: Op; // the matching heal, if recorded
  value: unknown;
}

/** Fault intervals from the nemesis events: an `info` start-op paired with the next op whose f is `heal-<f>` or "heal". */
export function faults(history: readonly Op[]): Fault[] {
  const out: Fault[] = [];
  const active = new Map<string, Fault>();
  for (const op of history) {
    if (op.process !== "nemesis" || op.type !== "info") continue;
    if (op.f === "heal") {
      for (const fault of active.values()) fault.stop = op;
      active.clear();
    } else if (op.f.startsWith("heal-")) {
      const fault = active.get(op.f.slice(5));
      if (fault) {
        fault.stop = op;
        active.delete(op.f.slice(5));
      }
    } else {
      const fault: Fault = { f: op.f, start: op, value: op.value };
      active.set(op.f, fault);
      out.push(fault);
    }
  }
  return out;
}
