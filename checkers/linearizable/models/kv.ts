// Porcupine's key-value model: get / put / append on string values, every key starting at "" and
// checked on its own. Values are [key, value] tuples (Jepsen's independent shape; the porcupine-kv
// importer produces them). `read`/`write` are accepted as synonyms of get/put.
import { prepareDefault, show, type Model, type ModelOp, type ModelOptions } from "../model.ts";
import { keyed } from "./keyed.ts";

/** One key's value, a string (or any value put), with append as string concatenation. */
export function stringRegister(options: ModelOptions = {}): Model<unknown> {
  const initial = options.initial ?? "";
  return {
    name: "kv",
    init: () => initial,
    step(state, op) {
      switch (op.f) {
        case "get":
        case "read":
          if (op.output === undefined) return state;
          if (op.output === null && options.nilReadIsUnknown) return state;
          return op.output === state || (op.output === null && state === "") ? state : undefined;
        case "put":
        case "write":
          return op.input;
        case "append":
          return String(state ?? "") + String(op.input ?? "");
        default:
          return undefined;
      }
    },
    hash: (s) => (typeof s === "string" ? "s" + s : (JSON.stringify(s) ?? "null")),
    prepare: (op) => prepareDefault(op, (f) => f === "get" || f === "read"),
    readOnly: (op) => op.f === "get" || op.f === "read",
    describeOp: (op: ModelOp) => {
      const done = op.type === "info" ? " (indeterminate)" : "";
      return op.f === "get" || op.f === "read" ? `get → ${show(op.output)}${done}` : `${op.f} ${show(op.input)}${done}`;
    },
    describeState: (s) => `value ${show(s)}`,
  };
}

export function kv(options: ModelOptions = {}): Model<unknown> {
  return { ...keyed(stringRegister(options)), name: "kv" };
}
