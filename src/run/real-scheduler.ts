// Wall-clock time for runs against real stores (the sim brings its own simulated clock).
import type { Scheduler } from "./types.ts";

export const realScheduler: Scheduler = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};
