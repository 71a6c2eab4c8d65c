// A grow-only set: add(x) inserts x; read returns the whole set (order and duplicates ignored).
import { canonical, prepareDefault, show, valueKey, type Model, type ModelOptions } from "../model.ts";

/** The state is a sorted array of element keys (valueKey), so equal sets hash equally. */
type State = readonly (string | number | boolean | null)[];
const keyOf = (v: unknown) => valueKey(v);
const cmp = (a: unknown, b: unknown) => {
  const x = String(typeof a) + String(a),
    y = String(typeof b) + String(b);
  return x < y ? -1 : x > y ? 1 : 0;
};
const normalize = (xs: unknown[]): State => [...new Set(xs.map(keyOf))].sort(cmp);

export function set(options: ModelOptions = {}): Model<State> {
  const initial = normalize(Array.isArray(options.initial) ? options.initial : []);
  return {
    name: "set",
    init: () => initial,
    step(state, op) {
      if (op.f === "add") {
        const k = keyOf(op.input);
        if (state.includes(k)) return state;
        return [...state, k].sort(cmp);
      }
      if (op.f === "read") {
        if (op.output === undefined || (op.output === null && options.nilReadIsUnknown)) return state;
        if (!Array.isArray(op.output)) return undefined;
        const seen = normalize(op.output);
        if (seen.length !== state.length) return undefined;
        for (let i = 0; i < seen.length; i++) if (seen[i] !== state[i]) return undefined;
        return state;
      }
      return undefined;
    },
    hash: (s) => canonical(s),
    prepare: (op) => prepareDefault(op, (f) => f === "read"),
    readOnly: (op) => op.f === "read",
    describeOp: (op) =>
      (op.f === "read" ? `read → ${show(op.output)}` : `add ${show(op.input)}`) +
      (op.type === "info" ? " (indeterminate)" : ""),
    describeState: (s) =>
      `set {${s.map((k) => (typeof k === "string" && k[0] === "s" ? JSON.stringify(k.slice(1)) : typeof k === "string" ? k.slice(1) : String(k))).join(", ")}}`,
  };
}
