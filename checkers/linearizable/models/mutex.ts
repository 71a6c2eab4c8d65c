// A lock: acquire is legal only when unlocked, release only when locked. Failed ops did not happen.
import { prepareDefault, type Model, type ModelOptions } from "../model.ts";

export function mutex(options: ModelOptions = {}): Model<boolean> {
  const initial = options.initial === true || options.initial === "locked";
  return {
    name: "mutex",
    init: () => initial,
    step(state, op) {
      if (op.f === "acquire") return state ? undefined : true;
      if (op.f === "release") return state ? false : undefined;
      return undefined;
    },
    hash: (s) => s,
    prepare: (op) => prepareDefault(op, () => false),
    describeOp: (op) => `${op.f}${op.type === "info" ? " (indeterminate)" : ""}`,
    describeState: (s) => (s ? "locked" : "unlocked"),
  };
}
