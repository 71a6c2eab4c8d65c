// Real time for real stores: milliseconds from performance.now, sleeps through setTimeout.
import type { Scheduler } from "./types.ts";

export const realScheduler: Scheduler = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
  timer(ms) {
    let handle: NodeJS.Timeout | undefined;
    const done = new Promise<void>((resolve) => { handle = setTimeout(resolve, Math.max(0, ms)); });
    return { done, cancel: () => clearTimeout(handle) };
  },
};
