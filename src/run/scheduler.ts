// Real time for real stores: milliseconds from performance.now, sleeps through setTimeout.
import { OpTimeouts } from "./op-timeouts.ts";
import type { Scheduler } from "./types.ts";

export const realScheduler: Scheduler = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
  timeouts: (ms) => new OpTimeouts(ms),
};
