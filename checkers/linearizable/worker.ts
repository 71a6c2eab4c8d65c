// A linearizability worker thread (started by parallel.ts): rebuilds the model from its serialisable spec,
// searches the partitions it is sent interleaved (schedule.ts) and, for an invalid one, builds the anomaly with
// its shrunk witness (index.ts explain), exactly as the synchronous checker does. No clock, no I/O: the time
// and memory budgets are enforced from outside (parallel.ts terminates the thread; its heap is capped).
//
// Each message starts a round: the new tasks and then, if `resume`, the searches still going here (in the
// order they paused) each get one turn, a slice of steps that doubles on every turn, within `maxSteps`.
// Message in:    { spec, maxSteps, maxCacheBytes, shrink, shrinkSteps, reset, resume, tasks: WireTask[] }
// Messages out, one per turn, in the round's order:
//                { type: "result", id, valid, steps, total, cacheEntries, reason?, anomaly? } when a search ended,
//                { type: "paused", id, steps } when it goes on in the next round,
//                { type: "error", id, message } when the model threw (the round stops there).
// `steps` is the turn's, `total` the search's in all.
import { parentPort, workerData } from "node:worker_threads";
import type { Operation } from "../../src/history/pairs.ts";
import type { Anomaly } from "../types.ts";
import { explain, shrinkBudget, type Partition } from "./index.ts";
import type { Model, ModelOp } from "./model.ts";
import { createModel, type ModelSpec } from "./models/index.ts";
import { Interleaver } from "./schedule.ts";
import { searchOp, type SearchOp } from "./wgl.ts";

/** Columns per operation in WireTask.cols. */
export const COLS = 5;

/** One partition on the wire: distinct model ops once, then 5 numbers per operation:
 *  [index into table, call position (= invoke index), return position (Infinity: indeterminate),
 *   completion index (-1: none), process]. */
export interface WireTask {
  id: number;
  key: string;
  n: number;
  table: ModelOp[];
  cols: Float64Array;
}

export interface Batch {
  spec: ModelSpec;
  maxSteps: number;
  maxCacheBytes: number;
  shrink?: boolean;
  shrinkSteps?: number;
  /** The first round of a check in this thread: forget any earlier check's searches. */
  reset?: boolean;
  /** Give the paused searches a turn too (after the new tasks). */
  resume?: boolean;
  tasks: WireTask[];
}

export type WorkerReply =
  | {
      type: "result";
      id: number;
      valid: boolean | "unknown";
      steps: number;
      total: number;
      cacheEntries: number;
      reason?: string;
      anomaly?: Anomaly;
    }
  | { type: "paused"; id: number; steps: number }
  | { type: "error"; id: number; message: string };

/** Rebuilds a partition from its wire form: the search ops, and (on first use: only explain() reads them)
 *  what the anomaly needs of each operation. */
export function decodeTask(t: WireTask): Partition {
  const search: SearchOp[] = new Array(t.n);
  const c = t.cols;
  for (let i = 0, j = 0; i < t.n; i++, j += COLS) search[i] = searchOp(i, t.table[c[j]], c[j + 1], c[j + 2]);
  let operations: Operation[] | undefined;
  const build = (): Operation[] => {
    const out: Operation[] = new Array(t.n);
    for (let i = 0, j = 0; i < t.n; i++, j += COLS) {
      const done = c[j + 3];
      out[i] = {
        process: c[j + 4],
        invoke: { index: c[j + 1] },
        complete: done >= 0 ? { index: done } : undefined,
      } as unknown as Operation;
    }
    return out;
  };
  return {
    key: t.key,
    search,
    get operations() {
      return (operations ??= build());
    },
  };
}

const models = new Map<string, Model>();
const modelFor = (spec: ModelSpec): Model => {
  const k = JSON.stringify(spec);
  let m = models.get(k);
  if (!m) {
    m = createModel(spec);
    models.set(k, m);
  }
  return m;
};

/** Marks a thread started by parallel.ts (importing this module anywhere else attaches nothing). */
export const WORKER_ROLE = "faultline-linearizable";

/** The searches of the current check in this thread (a new check starts on a fresh or idle worker). */
let sched: Interleaver | undefined;
const partitions = new Map<number, Partition>();

function round(b: Batch): void {
  const model = modelFor(b.spec);
  if (b.reset) {
    sched = undefined;
    partitions.clear();
  }
  sched ??= new Interleaver(model, b.maxCacheBytes);
  for (const t of b.tasks) {
    const p = decodeTask(t);
    partitions.set(t.id, p);
    sched.add(t.id, p.search);
  }
  let remaining = b.maxSteps;
  for (let turns = b.resume ? sched.live : b.tasks.length; turns > 0; turns--) {
    let reply: WorkerReply;
    let id = -1;
    try {
      id = sched.nextIndex;
      const turn = sched.next(Math.max(0, remaining));
      remaining -= turn.steps;
      const r = turn.result;
      if (!r) reply = { type: "paused", id, steps: turn.steps };
      else {
        const p = partitions.get(id)!;
        partitions.delete(id);
        reply = { type: "result", id, valid: r.valid, steps: turn.steps, total: r.steps, cacheEntries: r.cacheEntries };
        if (r.reason) reply.reason = r.reason;
        if (r.valid === false)
          reply.anomaly = explain(model, p, r, {
            shrink: b.shrink,
            shrinkSteps: b.shrinkSteps ?? shrinkBudget(r.steps),
          });
      }
    } catch (e) {
      parentPort!.postMessage({ type: "error", id, message: (e as Error)?.message ?? String(e) } satisfies WorkerReply);
      return;
    }
    parentPort!.postMessage(reply);
  }
  if (sched.live === 0) sched = undefined;
}

if (parentPort && (workerData as { role?: string } | null)?.role === WORKER_ROLE) parentPort.on("message", round);
