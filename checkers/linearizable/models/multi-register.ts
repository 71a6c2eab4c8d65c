// Knossos' multi-register: a map of registers changed by transactions. Each op is f "txn" with a list
// of micro-ops [f, key, value]: ["read", k, v] (v null = unknown when nilReadIsUnknown, as in Knossos;
// otherwise a read of an absent key) and ["write", k, v], applied atomically in order. The completion's
// value (with the values read) replaces the invocation's; in a crashed txn the reads are unknown.
import { canonical, prepareDefault, same, show, type Model, type ModelOp, type ModelOptions } from "../model.ts";

type State = Readonly<Record<string, unknown>>;
type Micro = [string, unknown, unknown];

export function multiRegister(options: ModelOptions = {}): Model<State> {
  const initial = (options.initial && typeof options.initial === "object" ? options.initial : {}) as State;
  return {
    name: "multi-register",
    init: () => initial,
    step(state, op) {
      if (op.f !== "txn") return undefined;
      const known = op.output !== undefined;
      const micro = (known ? op.output : op.input) as Micro[];
      if (!Array.isArray(micro)) return undefined;
      let s: Record<string, unknown> | undefined;
      for (const m of micro) {
        if (!Array.isArray(m)) return undefined;
        const [f, k, v] = m;
        const key = String(k);
        const cur = (s ?? state)[key] ?? null;
        if (f === "read") {
          if (!known || (v === null && options.nilReadIsUnknown)) continue;
          if (!same(v, cur)) return undefined;
        } else if (f === "write") {
          s ??= { ...state };
          s[key] = v;
        } else return undefined;
      }
      return s ?? state;
    },
    hash: (s) => canonical(s),
    prepare: (op) => prepareDefault(op, () => false),
    readOnly: (op) => {
      const m = (op.output !== undefined ? op.output : op.input) as Micro[];
      return op.output !== undefined && Array.isArray(m) && m.every((x) => Array.isArray(x) && x[0] === "read");
    },
    describeOp: (op: ModelOp) => {
      const micro = (op.output !== undefined ? op.output : op.input) as Micro[];
      const text = Array.isArray(micro)
        ? micro
            .map((m) =>
              Array.isArray(m)
                ? `${m[0]} ${m[1]}${m[0] === "read" ? " → " : " "}${op.output === undefined && m[0] === "read" ? "?" : show(m[2])}`
                : show(m),
            )
            .join(", ")
        : show(micro);
      return `txn [${text}]${op.type === "info" ? " (indeterminate)" : ""}`;
    },
    describeState: (s) => `registers ${canonical(s)}`,
  };
}
