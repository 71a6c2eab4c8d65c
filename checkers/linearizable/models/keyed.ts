// Jepsen's "independent" histories: each value is a [key, value] tuple and every key is its own object.
// Wrapping a model this way lets the checker split the history by key (P-compositionality).
import type { Operation } from "../../../src/history/pairs.ts";
import type { Model } from "../model.ts";

const isTuple = (v: unknown): v is [unknown, unknown] => Array.isArray(v) && v.length === 2;
const unwrap = (v: unknown): unknown => (isTuple(v) ? v[1] : v);

export function keyed<S>(inner: Model<S>): Model<S> {
  return {
    ...inner,
    name: inner.name,
    key: (op: Operation) => (isTuple(op.invoke.value) ? String(op.invoke.value[0]) : ""),
    prepare(op) {
      const m = inner.prepare(op);
      if (!m) return null;
      m.input = unwrap(m.input); // m is a fresh object from prepare
      if (m.output !== undefined) m.output = unwrap(m.output);
      return m;
    },
  };
}
