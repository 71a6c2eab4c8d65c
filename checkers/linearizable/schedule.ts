// Searching many partitions (keys) interleaved, so the verdict of a many-key history costs about as much as
// its cheapest refutation, not as much as its hardest key. Each live search runs in turn for a slice of
// steps that doubles on each of its turns (first slice: ~10 steps per op, so an easy key ends in its first
// turn and pays nothing for the scheduling); searches pause and resume exactly (wgl.ts), so a key that is
// decided costs the same steps as it would alone. Every partition gets its first turn, in the order they were
// added (callers add the cheapest-looking first), before any paused search gets another; paused searches go
// round in the order they paused. Live searches share one cache
// budget: each may use what the others have not.
import type { Model } from "./model.ts";
import { LinearizationSearch, type SearchOp, type SearchResult } from "./wgl.ts";

const FIRST_SLICE_MIN = 10_000;
const FIRST_SLICE_PER_OP = 10;

interface Live {
  index: number;
  ops: SearchOp[];
  search?: LinearizationSearch;
  slice: number;
  bytes: number;
}

export interface Turn {
  /** The partition's index, as given to add(). */
  index: number;
  /** Steps spent in this turn. */
  steps: number;
  /** The search's result when it ended in this turn. */
  result?: SearchResult;
}

export class Interleaver {
  /** Partitions not searched yet, and the paused searches. */
  private fresh: Live[] = [];
  private freshHead = 0;
  private queue: Live[] = [];
  private head = 0;
  private bytes = 0;

  constructor(
    private readonly model: Model,
    private readonly maxCacheBytes: number,
  ) {}

  add(index: number, ops: SearchOp[]): void {
    this.fresh.push({ index, ops, slice: FIRST_SLICE_MIN + FIRST_SLICE_PER_OP * ops.length, bytes: 0 });
  }

  /** Searches still going (or not started). */
  get live(): number {
    return this.fresh.length - this.freshHead + this.queue.length - this.head;
  }

  /** Partitions not searched yet. */
  get unstarted(): number {
    return this.fresh.length - this.freshHead;
  }

  /** The partitions still live, by index. */
  liveIndexes(): number[] {
    return [...this.fresh.slice(this.freshHead), ...this.queue.slice(this.head)].map((l) => l.index);
  }

  /** The partition whose turn is next. */
  get nextIndex(): number {
    return this.freshHead < this.fresh.length ? this.fresh[this.freshHead].index : this.queue[this.head].index;
  }

  /** Runs the next live search for its slice (at most `maxSteps` steps). */
  next(maxSteps: number): Turn {
    let l: Live;
    if (this.freshHead < this.fresh.length) {
      l = this.fresh[this.freshHead++];
      if (this.freshHead === this.fresh.length) {
        this.fresh = [];
        this.freshHead = 0;
      }
    } else l = this.queue[this.head++];
    const s = (l.search ??= new LinearizationSearch(this.model, l.ops));
    const before = s.steps;
    s.cache.setBudget(Math.max(1, this.maxCacheBytes - (this.bytes - l.bytes)));
    const result = s.run(before + Math.min(l.slice, maxSteps));
    this.bytes += s.bytes - l.bytes;
    l.bytes = s.bytes;
    const turn: Turn = { index: l.index, steps: s.steps - before };
    if (result) {
      turn.result = result;
      this.bytes -= l.bytes;
      l.search = undefined;
    } else {
      l.slice *= 2;
      this.queue.push(l);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return turn;
  }

  /** Ends every live search as "unknown" with `reason`, with the longest linearization each found. */
  stopAll(reason: string): Turn[] {
    const out = [...this.fresh.slice(this.freshHead), ...this.queue.slice(this.head)].map((l): Turn => ({
      index: l.index,
      steps: 0,
      result: l.search?.stop(reason),
    }));
    this.fresh = [];
    this.freshHead = 0;
    this.queue = [];
    this.head = 0;
    this.bytes = 0;
    return out;
  }
}
