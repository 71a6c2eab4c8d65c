// A linearizability worker thread (started by parallel.ts): rebuilds the model from its serialisable spec,
// searches each partition it is sent with WGL (wgl.ts) and, for an invalid one, builds the anomaly with its
// shrunk witness (index.ts explain), exactly as the synchronous checker does. No clock, no I/O: the time and
// memory budgets are enforced from outside (parallel.ts terminates the thread; its heap is capped).
//
// Message in (a batch):  { spec, maxSteps, maxCacheBytes, shrink, shrinkSteps, tasks: WireTask[] }
// Messages out:          { type: "result", id, valid, steps, cacheEntries, reason?, anomaly? } per task,
//                        { type: "error", id, message } when the model threw (the batch stops there).
import { parentPort, workerData } from "node:worker_threads";
import type { Operation } from "../../src/history/pairs.ts";
import type { Anomaly } from "../types.ts";
import { explain, type Partition } from "./index.ts";
import type { Model, ModelOp } from "./model.ts";
import { createModel, type ModelSpec } from "./models/index.ts";
import { searchLinearization, type SearchOp } from "./wgl.ts";

/** Columns per operation in WireTask.cols. */
export const COLS = 5;

/** One partition on the wire: distinct model ops once, then 5 numbers per operation:
 *  [index into table, call position (= invoke index), return position (Infinity: indeterminate),
 *   completion index (-1: none), process]. */
export interface WireTask { id: number; key: string; n: number; table: ModelOp[]; cols: Float64Array }

export interface Batch {
  spec: ModelSpec;
  maxSteps: number;
  maxCacheBytes: number;
  shrink?: boolean;
  shrinkSteps?: number;
  tasks: WireTask[];
}

export type WorkerReply =
  | { type: "result"; id: number; valid: boolean | "unknown"; steps: number; cacheEntries: number; reason?: string; anomaly?: Anomaly }
  | { type: "error"; id: number; message: string };

/** Rebuilds a partition from its wire form: the search ops, and (on first use: only explain() reads them)
 *  what the anomaly needs of each operation. */
export function decodeTask(t: WireTask): Partition {
  const search: SearchOp[] = new Array(t.n);
  const c = t.cols;
  for (let i = 0, j = 0; i < t.n; i++, j += COLS) search[i] = { id: i, op: t.table[c[j]], call: c[j + 1], ret: c[j + 2] };
  let operations: Operation[] | undefined;
  const build = (): Operation[] => {
    const out: Operation[] = new Array(t.n);
    for (let i = 0, j = 0; i < t.n; i++, j += COLS) {
      const done = c[j + 3];
      out[i] = { process: c[j + 4], invoke: { index: c[j + 1] }, complete: done >= 0 ? { index: done } : undefined } as unknown as Operation;
    }
    return out;
  };
  return { key: t.key, search, get operations() { return (operations ??= build()); } };
}

const models = new Map<string, Model>();
const modelFor = (spec: ModelSpec): Model => {
  const k = JSON.stringify(spec);
  let m = models.get(k);
  if (!m) { m = createModel(spec); models.set(k, m); }
  return m;
};

/** Marks a thread started by parallel.ts (importing this module anywhere else attaches nothing). */
export const WORKER_ROLE = "faultline-linearizable";

if (parentPort && (workerData as { role?: string } | null)?.role === WORKER_ROLE) parentPort.on("message", (b: Batch) => {
  let remaining = b.maxSteps;
  for (const t of b.tasks) {
    let reply: WorkerReply;
    try {
      const model = modelFor(b.spec);
      const p = decodeTask(t);
      const r = searchLinearization(model, p.search, { maxSteps: remaining, maxCacheBytes: b.maxCacheBytes });
      remaining -= r.steps;
      reply = { type: "result", id: t.id, valid: r.valid, steps: r.steps, cacheEntries: r.cacheEntries };
      if (r.reason) reply.reason = r.reason;
      if (r.valid === false) reply.anomaly = explain(model, p, r, { shrink: b.shrink, shrinkSteps: b.shrinkSteps });
    } catch (e) {
      parentPort!.postMessage({ type: "error", id: t.id, message: (e as Error)?.message ?? String(e) } satisfies WorkerReply);
      return;
    }
    parentPort!.postMessage(reply);
  }
});
