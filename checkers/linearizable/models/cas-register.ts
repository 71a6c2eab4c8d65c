// A single register with read, write and compare-and-set. `register` is the same without cas.
// States are plain values; a read of null means "absent" unless nilReadIsUnknown (Knossos' reading).
import type { Operation } from "../../../src/history/pairs.ts";
import { prepareDefault, same, show, valueKey, type Model, type ModelOp, type ModelOptions } from "../model.ts";

export interface RegisterOptions extends ModelOptions {
  /** Initial value: null (absent) for faultline and Porcupine histories, 0 for Knossos' corpus. */
  initial?: unknown;
  /** Knossos: a read that returned nil is an unknown read, legal in any state. Default false: nil means "absent". */
  nilReadIsUnknown?: boolean;
}

export function casRegister(options: RegisterOptions = {}): Model<unknown> {
  const initial = options.initial ?? null;
  return {
    name: "cas-register",
    init: () => initial,
    step(state, op) {
      switch (op.f) {
        case "read":
          if (op.output === state) return state; // the usual case (numbers, strings, null), without a call
          if (op.output === undefined) return state;
          if (op.output === null && options.nilReadIsUnknown) return state;
          return same(op.output, state) ? state : undefined;
        case "write":
          return op.input;
        case "cas": {
          const [expected, next] = op.input as [unknown, unknown];
          // A cas reported as failed with error "compare-failed" ran and saw another value (Porcupine's reading).
          if (op.type === "fail") return same(state, expected) ? undefined : state;
          return same(state, expected) ? next : undefined;
        }
        default:
          return undefined;
      }
    },
    hash: valueKey,
    prepare(op) {
      const m = prepareDefault(op, isRead, isComparisonFailure);
      // An unknown read constrains nothing: drop it rather than search over it.
      if (m && m.f === "read" && options.nilReadIsUnknown && m.output === null) return null;
      return m;
    },
    readOnly: (op) => op.f === "read" || (op.f === "cas" && op.type === "fail"),
    describeOp: describeRegisterOp,
    describeState: (s) => `value ${show(s)}`,
  };
}

const isRead = (f: string) => f === "read";
const isComparisonFailure = (o: Operation) => o.f === "cas" && o.error === "compare-failed";

export function register(options: RegisterOptions = {}): Model<unknown> {
  const m = casRegister(options);
  return { ...m, name: "register", step: (s, op) => (op.f === "cas" ? undefined : m.step(s, op)) };
}

export function describeRegisterOp(op: ModelOp): string {
  const done = op.type === "info" ? " (indeterminate)" : "";
  switch (op.f) {
    case "read":
      return `read → ${show(op.output)}${done}`;
    case "write":
      return `write ${show(op.input)}${done}`;
    case "cas": {
      const [a, b] = op.input as [unknown, unknown];
      return `cas ${show(a)} → ${show(b)}${op.type === "fail" ? " (compare failed)" : done}`;
    }
    default:
      return `${op.f} ${show(op.input)}${done}`;
  }
}
