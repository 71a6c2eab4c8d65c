// Transfers between accounts (each refused with insufficient-funds rather than overdrawing) and reads of all
// balances: every read must sum to the opening total and show no negative balance.
// Workload options: accounts (default 5), balance (opening balance of each, default 10), negative=true if the
// store is allowed to overdraw, total=N (the opening total). On a history checked without its run (e.g. one
// imported from Jepsen, whose accounts are 0, 1, …), the accounts are those the reads name and the total, unless
// given, is the sum most reads agree on.
import { checkBank } from "../checkers/bank/index.ts";
import type { Workload, WorkloadOptions } from "../src/run/types.ts";

const accounts = (o: WorkloadOptions) => Array.from({ length: Number(o.accounts ?? 5) }, (_, i) => `acct${i}`);
const balance = (o: WorkloadOptions) => Number(o.balance ?? 10);

export const bankWorkload: Workload = {
  options: ["accounts", "balance", "negative"],
  name: "bank",
  description:
    "transfers between accounts and reads of all balances; every read must sum to the total, no negative balance",
  generator(rng, options) {
    const as = accounts(options);
    return () => {
      if (rng.chance(0.5)) return { f: "read-all", value: as };
      const from = rng.pick(as);
      const to = rng.pick(as.filter((a) => a !== from));
      return { f: "transfer", value: { from, to, amount: 1 + rng.int(5) } };
    };
  },
  initialData: (options) => accounts(options).map((a) => [a, balance(options)]),
  final: (options) => [{ f: "read-all", value: accounts(options) }],
  checkers: (options) => [
    {
      name: "bank",
      check: (h) =>
        checkBank(h, {
          accounts: options.imported && options.accounts === undefined ? undefined : accounts(options),
          total:
            options.total !== undefined
              ? Number(options.total)
              : options.imported && options.balance === undefined
                ? undefined
                : accounts(options).length * balance(options),
          allowNegative: options.negative === true || options.negative === "true",
        }),
    },
  ],
};
