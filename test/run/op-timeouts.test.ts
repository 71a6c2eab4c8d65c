import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Completion } from "../../src/history/op.ts";
import { OpTimeouts, TIMED_OUT } from "../../src/run/op-timeouts.ts";

const ok = (value: unknown): Completion => ({ type: "ok", value });
const later = <T>(ms: number, v: T) => new Promise<T>((r) => setTimeout(() => r(v), ms));

describe("op timeouts on one timer", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const make = (ms: number) => new OpTimeouts(ms, () => Date.now());

  it("an op that answers in time gets its answer; one that does not gets TIMED_OUT at its own deadline", async () => {
    const t = make(500);
    const a = t.wait(),
      b = t.wait();
    const fast = a.for(later(100, ok(1)));
    await vi.advanceTimersByTimeAsync(200);
    const slow = b.for(new Promise<Completion>(() => undefined)); // never answers; deadline 200 + 500
    expect(await fast).toEqual(ok(1));
    const next = a.for(later(50, ok(2))); // the same wait, reused for the next op
    await vi.advanceTimersByTimeAsync(50);
    expect(await next).toEqual(ok(2));
    let timedOut = false;
    void slow.then((r) => {
      timedOut = r === TIMED_OUT;
    });
    await vi.advanceTimersByTimeAsync(440); // t = 690: not yet
    expect(timedOut).toBe(false);
    expect(b.spent).toBe(false);
    await vi.advanceTimersByTimeAsync(20); // t = 710: past 700
    expect(timedOut).toBe(true);
    expect(b.spent).toBe(true);
    expect(a.spent).toBe(false);
    expect(() => b.for(later(1, ok(3)))).toThrow(/spent/);
    t.close();
  });

  it("a late answer after a timeout settles nothing the worker awaits next", async () => {
    const t = make(100);
    const w = t.wait();
    const first = w.for(later(150, ok("late")));
    await vi.advanceTimersByTimeAsync(110);
    expect(await first).toBe(TIMED_OUT);
    const w2 = t.wait(); // the worker moves on with a new wait
    const second = w2.for(later(80, ok("second"))); // answers at t = 190, due at 210
    let got: unknown;
    void second.then((r) => {
      got = r;
    });
    await vi.advanceTimersByTimeAsync(45); // the late answer arrives (t = 150) ...
    expect(got).toBeUndefined(); // ... and is not taken for the second op's
    await vi.advanceTimersByTimeAsync(40);
    expect(got).toEqual(ok("second"));
    t.close();
  });

  it("a failing op rejects; thousands of ops arm one timer at a time; close leaves no timer", async () => {
    const t = make(500);
    const w = t.wait();
    await expect(w.for(Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    for (let i = 0; i < 5000; i++) {
      const p = w.for(Promise.resolve(ok(i)));
      expect(await p).toEqual(ok(i));
    }
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(600); // fires, finds nothing in flight, stays off
    expect(vi.getTimerCount()).toBe(0);
    void w.for(new Promise<Completion>(() => undefined));
    expect(vi.getTimerCount()).toBe(1);
    t.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
