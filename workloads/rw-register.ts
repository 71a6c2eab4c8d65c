// Elle's rw-register: transactions of writes of unique values and reads of single registers,
// `["w", k, v]` / `["r", k, v]`. Reads show only the latest version, so fewer dependencies can be inferred
// than with list-append; --wopt version-order=sequential|linearizable lets the checker assume more.
// Generator knobs (--wopt): key-count, min-txn-length, max-txn-length, max-writes-per-key, key-dist.
import type { Workload } from "../src/run/types.ts";
import { consistencyModels, txnCheckers } from "./txn-check.ts";
import { keyPool, txnGenerator, txnGeneratorOptions } from "./txn-generator.ts";

export const rwRegisterWorkload: Workload = {
  name: "rw-register",
  description:
    "transactions of writes and reads of registers (Elle's rw-register); checked for transactional isolation, strict serializable by default",
  validate(options) {
    consistencyModels(options);
    txnGeneratorOptions(options);
  },
  generator(rng, options) {
    return txnGenerator(
      rng,
      keyPool(options),
      (k) => ["r", k, null],
      (k, v) => ["w", k, v],
    );
  },
  checkers: (options) => txnCheckers("rw-register", options),
};
