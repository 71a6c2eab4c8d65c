// Elle's list-append: transactions of appends of unique values to lists and reads of whole lists,
// `["append", k, v]` / `["r", k, [v1, v2, …]]`. Every read shows the order of every append it saw, so the
// version order of each key comes straight from the reads, and the checker can name every dependency.
// Generator knobs (--wopt): key-count, min-txn-length, max-txn-length, max-writes-per-key, key-dist.
import type { Workload } from "../src/run/types.ts";
import { consistencyModels, txnCheckers } from "./txn-check.ts";
import { keyPool, txnGenerator, txnGeneratorOptions } from "./txn-generator.ts";

export const listAppendWorkload: Workload = {
  name: "list-append",
  description:
    "transactions of appends to lists and reads of whole lists (Elle's list-append); checked for transactional isolation, strict serializable by default",
  validate(options) {
    consistencyModels(options);
    txnGeneratorOptions(options);
  },
  generator(rng, options) {
    return txnGenerator(
      rng,
      keyPool(options),
      (k) => ["r", k, null],
      (k, v) => ["append", k, v],
    );
  },
  checkers: (options) => txnCheckers("list-append", options),
};
