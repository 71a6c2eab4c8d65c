// Queues: enqueue(x) adds x; dequeue returns an element.
//   fifo-queue: dequeue must return the head; a dequeue that returned null saw an empty queue; a crashed
//               (info) dequeue removes the head if it takes effect.
//   unordered-queue: dequeue may return any element present (a multiset). A null dequeue and a crashed
//               dequeue constrain nothing here and are dropped (removing an element can never make a
//               later dequeue legal, so a crashed dequeue that never happened is always the best case).
// Failed ops did not happen.
import {
  canonical,
  prepareDefault,
  same,
  show,
  valueKey,
  type Model,
  type ModelOp,
  type ModelOptions,
} from "../model.ts";

type Q = readonly unknown[];
const describeOp = (op: ModelOp) =>
  (op.f === "dequeue" ? `dequeue → ${show(op.output)}` : `${op.f} ${show(op.input)}`) +
  (op.type === "info" ? " (indeterminate)" : "");

export function fifoQueue(options: ModelOptions = {}): Model<Q> {
  const initial: Q = Array.isArray(options.initial) ? options.initial : [];
  return {
    name: "fifo-queue",
    init: () => initial,
    step(state, op) {
      if (op.f === "enqueue") return [...state, op.input];
      if (op.f === "dequeue") {
        if (op.output === undefined) return state.length ? state.slice(1) : state;
        if (op.output === null) return state.length === 0 ? state : undefined;
        return state.length && same(state[0], op.output) ? state.slice(1) : undefined;
      }
      return undefined;
    },
    hash: (s) => canonical(s),
    prepare: (op) => prepareDefault(op, () => false),
    readOnly: (op) => op.f === "dequeue" && op.output === null,
    describeOp,
    describeState: (s) => `queue ${canonical(s)}`,
  };
}

/** Multiset as a sorted array of element keys. */
type Bag = readonly (string | number | boolean | null)[];
const cmp = (a: unknown, b: unknown) => {
  const x = String(typeof a) + String(a),
    y = String(typeof b) + String(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

export function unorderedQueue(options: ModelOptions = {}): Model<Bag> {
  const initial: Bag = (Array.isArray(options.initial) ? options.initial : []).map(valueKey).sort(cmp);
  return {
    name: "unordered-queue",
    init: () => initial,
    step(state, op) {
      if (op.f === "enqueue") return [...state, valueKey(op.input)].sort(cmp);
      if (op.f === "dequeue") {
        if (op.output === undefined || op.output === null) return state;
        const i = state.indexOf(valueKey(op.output));
        if (i < 0) return undefined;
        return [...state.slice(0, i), ...state.slice(i + 1)];
      }
      return undefined;
    },
    hash: (s) => canonical(s),
    prepare(op) {
      const m = prepareDefault(op, () => false);
      if (m && m.f === "dequeue" && (m.output === undefined || m.output === null)) return null;
      return m;
    },
    describeOp,
    describeState: (s) => `queue contents ${canonical(s)}`,
  };
}
