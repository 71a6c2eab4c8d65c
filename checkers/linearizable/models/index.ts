// Every model by name, so a model can be chosen on the command line (`--model`) and rebuilt from a plain
// spec in a worker thread.
import type { Model, ModelOptions } from "../model.ts";
import { casRegister, register } from "./cas-register.ts";
import { keyed } from "./keyed.ts";
import { kv } from "./kv.ts";
import { multiRegister } from "./multi-register.ts";
import { mutex } from "./mutex.ts";
import { fifoQueue, unorderedQueue } from "./queue.ts";
import { set } from "./set.ts";

export interface ModelSpec extends ModelOptions {
  name: string;
  /** Values are Jepsen independent tuples [key, value]: check every key on its own. */
  keyed?: boolean;
}

export const MODELS: Record<
  string,
  { make: (o: ModelOptions) => Model<unknown>; keyable: boolean; description: string }
> = {
  register: { make: register, keyable: true, description: "read / write (initial null)" },
  "cas-register": { make: casRegister, keyable: true, description: "read / write / cas [expected new] (initial null)" },
  "multi-register": {
    make: multiRegister,
    keyable: false,
    description: "txn [[read k v] [write k v] ...] over a map of registers (initial {})",
  },
  kv: {
    make: kv,
    keyable: false,
    description: 'get / put / append on [key value], per key, strings starting at "" (Porcupine\'s kv)',
  },
  set: { make: set, keyable: true, description: "add x / read → all elements (initial empty)" },
  mutex: { make: mutex, keyable: true, description: "acquire / release (initial unlocked)" },
  "fifo-queue": { make: fifoQueue, keyable: true, description: "enqueue x / dequeue → head (null: empty)" },
  "unordered-queue": { make: unorderedQueue, keyable: true, description: "enqueue x / dequeue → any element present" },
};

export function createModel(spec: ModelSpec): Model {
  const entry = MODELS[spec.name];
  if (!entry)
    throw new Error(`unknown model ${JSON.stringify(spec.name)}; choose one of: ${Object.keys(MODELS).join(", ")}`);
  const m = entry.make(spec) as Model;
  return spec.keyed && entry.keyable ? keyed(m) : m;
}
