// Jepsen's set-full: the set workload's adds and reads during the run, judged per element as Jepsen's
// set-full checker does — stable, stale (with the time each element took to become stable), lost, never read.
// Options: linearizable=true makes a stale read (an element missing from a read that began after it was
// known) an anomaly. Runs wherever the set workload runs (the same operations).
import { checkSetFull } from "../checkers/set-full/index.ts";
import type { Workload } from "../src/run/types.ts";
import { setWorkload } from "./set.ts";

export const setFullWorkload: Workload = {
  name: "set-full",
  description:
    "adds unique elements to sets and reads whole sets during the run; per element: stable, stale, lost, never read, and the time to become stable (Jepsen's set-full)",
  generator: setWorkload.generator,
  final: setWorkload.final,
  checkers: (options) => [
    {
      name: "set-full",
      check: (h) => checkSetFull(h, { linearizable: options.linearizable === true || options.linearizable === "true" }),
    },
  ],
};
