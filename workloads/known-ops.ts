// A workload's checkers refuse a history holding ops the workload never issues (e.g. a bank history
// checked as register): bad input, exit 3, rather than anomalies about ops the model cannot know.
import { refuseUnknownOps } from "../checkers/fit.ts";
import type { NamedChecker } from "../src/run/types.ts";

export function refusingUnknownOps(workload: string, fs: readonly string[], checkers: NamedChecker[]): NamedChecker[] {
  return checkers.map((c) => ({
    ...c,
    check: (h, o) => {
      refuseUnknownOps(workload, h, fs);
      return c.check(h, o);
    },
    ...(c.checkAsync
      ? {
          checkAsync: (h, b) => {
            refuseUnknownOps(workload, h, fs);
            return c.checkAsync!(h, b);
          },
        }
      : {}),
  }));
}
