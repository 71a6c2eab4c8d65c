// Op timeouts in real time without a timer per op. Every op of a run has the same timeout, and a worker has one
// op in flight at a time, so each worker keeps one Wait (reused op after op) holding its op's deadline, and one
// timer for the whole run is armed for the earliest deadline in flight: when it fires it times out what is
// due and re-arms for what is left. A setTimeout, a clearTimeout, a promise and two closures per op cost the
// harness several per cent of a store's throughput.
import type { Completion } from "../history/op.ts";

export class OpTimeouts {
  private readonly waits = new Set<Wait>();
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;

  constructor(
    readonly ms: number,
    readonly now: () => number = () => performance.now(),
  ) {}

  /** A wait for one worker's ops, one at a time; after a timeout it is spent and the worker takes a new one. */
  wait(): Wait {
    const w = new Wait(this);
    this.waits.add(w);
    return w;
  }

  /** Stops the timer; ops still in flight then never time out (the run is over). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  /** Called as an op starts: makes sure a timer is due no later than its deadline. */
  started(deadline: number): void {
    if (deadline >= this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = deadline;
    this.timer = setTimeout(this.fire, Math.max(0, deadline - this.now()));
  }

  retire(w: Wait): void {
    this.waits.delete(w);
  }

  /** Times out every op past its deadline, then re-arms for the earliest left (none in flight: no timer). */
  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.now();
    let next = Infinity;
    for (const w of this.waits) {
      // setTimeout counts whole milliseconds on its own clock: an op due within one is due now.
      if (w.deadline <= now + 1) w.timeOut();
      else if (w.deadline < next) next = w.deadline;
    }
    if (next < Infinity) this.started(next);
  };
}

/** One worker's wait for its op's answer or its deadline, whichever comes first. */
export class Wait {
  /** When the op in flight times out; Infinity when none is in flight. */
  deadline = Infinity;
  /** The op timed out: this wait is done with, the worker takes a new one. */
  spent = false;
  private resolve: ((c: Completion | typeof TIMED_OUT) => void) | undefined;
  private reject: ((e: unknown) => void) | undefined;

  constructor(private readonly owner: OpTimeouts) {}

  /** The op's answer, or TIMED_OUT once its timeout passes. */
  for(answer: Promise<Completion>): Promise<Completion | typeof TIMED_OUT> {
    if (this.spent) throw new Error("a spent wait was reused");
    this.deadline = this.owner.now() + this.owner.ms;
    const p = new Promise<Completion | typeof TIMED_OUT>(this.executor);
    this.owner.started(this.deadline);
    answer.then(this.answered, this.failed);
    return p;
  }

  timeOut(): void {
    const resolve = this.resolve;
    this.settle();
    this.spent = true;
    this.owner.retire(this);
    resolve?.(TIMED_OUT);
  }

  private settle(): void {
    this.deadline = Infinity;
    this.resolve = this.reject = undefined;
  }

  private readonly executor = (
    resolve: (c: Completion | typeof TIMED_OUT) => void,
    reject: (e: unknown) => void,
  ): void => {
    this.resolve = resolve;
    this.reject = reject;
  };

  // After a timeout these find nothing to settle: the answer came too late and the worker has moved on.
  private readonly answered = (c: Completion): void => {
    const resolve = this.resolve;
    this.settle();
    resolve?.(c);
  };

  private readonly failed = (e: unknown): void => {
    const reject = this.reject;
    this.settle();
    reject?.(e);
  };
}

export const TIMED_OUT = Symbol("timed out");
