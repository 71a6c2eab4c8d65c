// Simulated time: a discrete-event queue. Async code (the runner, clients) awaits `sleep`, and the loop
// advances time event by event, draining promise callbacks in between, so a whole run is deterministic.
import type { Scheduler } from "../../src/run/types.ts";

interface Event {
  time: number;
  seq: number;
  fn: () => void;
}

export class SimClock implements Scheduler {
  private heap: Event[] = [];
  private seq = 0;
  private t = 0;

  now(): number {
    return this.t;
  }

  at(delay: number, fn: () => void): void {
    this.push({ time: this.t + Math.max(0, delay), seq: this.seq++, fn });
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.at(ms, resolve));
  }

  /** Runs events until `done` settles. Between events all pending promise callbacks run (setImmediate). */
  async drive<T>(done: Promise<T>): Promise<T> {
    let settled = false;
    const p = done.finally(() => {
      settled = true;
    });
    while (!settled) {
      await new Promise<void>((r) => setImmediate(r));
      if (settled) break;
      const e = this.pop();
      if (!e) continue; // waiting on real I/O (e.g. file writes); keep yielding
      this.t = e.time;
      e.fn();
    }
    return p;
  }

  private push(e: Event): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): Event | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1,
          r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

const before = (a: Event, b: Event) => a.time < b.time || (a.time === b.time && a.seq < b.seq);
