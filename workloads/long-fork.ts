// Jepsen's long-fork: single-key inserts and read-only transactions over groups of keys; two reads that saw
// two inserts in opposite orders are a long fork. Check-only: no target here runs transactions of this
// shape, so `faultline run --workload long-fork` is refused; check Jepsen's histories with
// `faultline check --workload long-fork [--wopt group-size=n] history.edn`.
import { checkLongFork } from "../checkers/long-fork/index.ts";
import type { Workload } from "../src/run/types.ts";
import { UsageError } from "../src/errors.ts";

export const longForkWorkload: Workload = {
  name: "long-fork",
  description:
    "check-only: Jepsen long-fork histories (single-key inserts, read-only transactions over groups of keys); --wopt group-size=n",
  checkOnly: true,
  generator() {
    throw new UsageError("workload long-fork is check-only: use `faultline check --workload long-fork <history>`");
  },
  checkers: (options) => {
    const g = options["group-size"];
    return [
      { name: "long-fork", check: (h) => checkLongFork(h, { groupSize: g === undefined ? undefined : Number(g) }) },
    ];
  },
};
