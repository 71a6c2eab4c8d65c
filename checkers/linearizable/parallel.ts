// Checking partitions (keys) in parallel on worker threads, within a wall-clock and a memory budget.
//
// Linearizability is compositional (Herlihy & Wing's locality; Porcupine's P-compositionality): a history is
// linearizable iff every key's sub-history is, so keys are checked independently. This module is the
// orchestration layer around the pure, synchronous checker (index.ts, wgl.ts): it pairs and partitions the
// history here, ships each partition to a worker in a compact columnar form (distinct model ops once, five
// numbers per operation), smallest partitions first, and gathers the verdicts. Workers rebuild the model from
// its serialisable spec (models/index.ts createModel) and search their partitions interleaved (schedule.ts);
// a worker keeps its paused searches, and they go on only once every key has had its first turn.
//
// Budgets, so a check always ends with a verdict, never a hang or an out-of-memory crash:
//   - time: `timeoutMs` of wall clock for the whole check; when it runs out the workers are terminated and the
//     verdict is "unknown", naming the keys checked, in progress and not started (an anomaly already found
//     still makes it invalid).
//   - memory: `memoryMb` of heap for the check's workers, split evenly (resourceLimits.maxOldGenerationSizeMb).
//     The search's cache is typed arrays, outside that heap, and bounded by its own account (maxCacheBytes,
//     default a quarter of a worker's heap), which stops it with "unknown"; what lives on the heap (model
//     states, the search path) is bounded by the heap limit: a worker that runs out of heap
//     (ERR_WORKER_OUT_OF_MEMORY) makes its key "unknown" with that reason, and the other keys are checked on
//     a fresh worker.
//   - steps: `maxSteps` over the whole check, as in the synchronous checker.
// On the first invalid key the other workers are cancelled; with allAnomalies the keys still undecided get
// max(2M, 4x the steps so far) more steps (index.ts stepsAfterInvalid). An invalid verdict names the keys it
// left undecided. The verdicts are the synchronous checker's; with allAnomalies the anomalies too, in the
// same order.
import { availableParallelism, totalmem } from "node:os";
import { Worker } from "node:worker_threads";
import type { Op } from "../../src/history/op.ts";
import type { Operation } from "../../src/history/pairs.ts";
import type { Anomaly, Verdict } from "../types.ts";
import {
  budgetReason,
  cheapestFirst,
  checkLinearizable,
  DEFAULT_BUDGET,
  markUndecided,
  namesOf,
  partitionHistory,
  stepsAfterInvalid,
  verdictOf,
} from "./index.ts";
import type { Model, ModelOp } from "./model.ts";
import { createModel, type ModelSpec } from "./models/index.ts";
import { workerBootstrap } from "../worker-boot.ts";
import { COLS, WORKER_ROLE, type Batch, type WireTask, type WorkerReply } from "./worker.ts";

export interface ParallelOptions {
  /** The model, as a serialisable spec (name and options), so workers can rebuild it. */
  spec: ModelSpec;
  /** Worker threads (default: the CPU count). 0 checks in this thread, synchronously, without a time budget. */
  workers?: number;
  /** Wall-clock budget for the whole check, in milliseconds (default: none). */
  timeoutMs?: number;
  /** Heap for the check's workers in MB, split evenly between them (default: 3072 per worker, at most half the RAM). */
  memoryMb?: number;
  /** Check every key and report every anomaly, instead of cancelling the rest at the first invalid key. */
  allAnomalies?: boolean;
  /** Search steps for the whole check (default 2·10⁹). */
  maxSteps?: number;
  /** The search's own memory estimate per key (default: a quarter of a worker's heap, at most 768 MB, the
   *  synchronous checker's default). Given explicitly it is used as is; the worker's heap limit stays the
   *  hard bound. */
  maxCacheBytes?: number;
  shrink?: boolean;
  shrinkSteps?: number;
  /** Reuse these workers (see LinearizablePool); its size and memory then apply. */
  pool?: LinearizablePool;
}

export const DEFAULT_WORKER_HEAP_MB = 3072;
/** Smallest heap a worker gets (it needs ~10 MB for tsx and the checker before any history). */
const MIN_WORKER_HEAP_MB = 16;
/** A batch sent to a worker holds partitions until it has this many operations. */
const BATCH_OPS = 4096;
/** Start every worker before partitioning for histories this large (their start-up overlaps ours). */
const PRESPAWN_EVENTS = 20_000;

export const defaultWorkers = (): number => availableParallelism();

/** Checks a history for linearizability on worker threads (see the top of this file). */
export async function checkLinearizableParallel(
  history: readonly Op[] | Operation[],
  options: ParallelOptions,
): Promise<Verdict> {
  if (options.pool) return options.pool.check(history, options);
  const workers = options.workers ?? defaultWorkers();
  if (workers === 0) {
    const { spec, pool: _p, workers: _w, timeoutMs: _t, memoryMb: _m, ...rest } = options;
    return checkLinearizable(history, { ...rest, model: createModel(spec) });
  }
  const pool = new LinearizablePool({ workers, memoryMb: options.memoryMb });
  try {
    return await pool.check(history, options);
  } finally {
    await pool.close();
  }
}

/** A worker and its share of the check: `live` are the searches going on in it (in the order they paused),
 *  `round` the keys of the round in flight, in the order it reports them, `reported` how many it has. */
interface Slot {
  worker: Worker;
  live: number[];
  round: number[];
  reported: number;
  stopping: boolean;
}

type Event =
  | { kind: "message"; m: WorkerReply }
  | { kind: "error"; e: Error & { code?: string } }
  | { kind: "exit"; code: number };
type Result = Extract<WorkerReply, { type: "result" }>;

/** Worker threads kept between checks (one check at a time; calls queue). Close it when done. */
export class LinearizablePool {
  readonly size: number;
  readonly heapMb: number;
  private slots: Slot[] = [];
  private handler?: (slot: Slot, ev: Event) => void;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(options: { workers?: number; memoryMb?: number } = {}) {
    this.size = Math.max(1, Math.floor(options.workers ?? defaultWorkers()));
    const total =
      options.memoryMb ?? Math.min(DEFAULT_WORKER_HEAP_MB * this.size, Math.floor(totalmem() / 2 / 1048576));
    if (!(total > 0)) throw new RangeError(`memory budget must be a positive number of MB, got ${total}`);
    this.heapMb = Math.max(MIN_WORKER_HEAP_MB, Math.floor(total / this.size));
  }

  check(history: readonly Op[] | Operation[], options: ParallelOptions): Promise<Verdict> {
    const run = this.queue.then(() => this.run(history, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    // A copy: stop() takes each slot out of this.slots.
    await Promise.all([...this.slots].map((s) => this.stop(s)));
  }

  private spawn(): Slot {
    const w = new Worker(BOOT, {
      eval: true,
      workerData: { role: WORKER_ROLE },
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
    });
    const slot: Slot = { worker: w, live: [], round: [], reported: 0, stopping: false };
    w.unref();
    w.on("message", (m: WorkerReply) => this.handler?.(slot, { kind: "message", m }));
    w.on("error", (e) => {
      this.drop(slot);
      if (!slot.stopping) this.handler?.(slot, { kind: "error", e });
    });
    w.on("exit", (code) => {
      const was = this.slots.includes(slot);
      this.drop(slot);
      if (was && !slot.stopping) this.handler?.(slot, { kind: "exit", code });
    });
    this.slots.push(slot);
    return slot;
  }

  private drop(slot: Slot) {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
  }

  private async stop(slot: Slot) {
    slot.stopping = true;
    this.drop(slot);
    await slot.worker.terminate().catch(() => undefined);
  }

  private ensure(n: number) {
    while (this.slots.length < Math.min(n, this.size)) this.spawn();
  }

  private async run(history: readonly Op[] | Operation[], o: ParallelOptions): Promise<Verdict> {
    if (this.closed) throw new Error("the linearizability worker pool is closed");
    const started = performance.now();
    const maxSteps = o.maxSteps ?? DEFAULT_BUDGET.maxSteps;
    const maxCacheBytes =
      o.maxCacheBytes ?? Math.min(DEFAULT_BUDGET.maxCacheBytes, Math.floor(this.heapMb / 4) * 1048576);
    if (history.length >= PRESPAWN_EVENTS) this.ensure(this.size);
    else this.ensure(1);
    const model = createModel(o.spec);
    const parts = encodePartitions(history, model);
    // Cheapest-looking first: every key gets its first slice of steps before any gets a second.
    const order = cheapestFirst(parts.map((p) => p.n));
    const results: (Result | undefined)[] = new Array(parts.length);
    let stepsUsed = 0,
      limit = maxSteps,
      invalid = false;
    /** Keys sent for their first turn and not yet back from it. */
    let firstTurns = 0;
    const firstDone = new Uint8Array(parts.length);
    type Why = "done" | "invalid" | "timeout" | "steps";
    const workersUsed = new Set<Slot>();
    for (const s of this.slots) {
      s.live = [];
      s.round = [];
      s.reported = 0;
    }

    const outcome = await new Promise<{ why: Why; error?: Error }>((resolve) => {
      let finished = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (why: Why, error?: Error) => {
        if (finished) return;
        finished = true;
        if (timer) clearTimeout(timer);
        this.handler = undefined;
        // Cancel what is still running or paused; idle workers stay for the next check.
        const busy = this.slots.filter((s) => s.reported < s.round.length || s.live.length > 0);
        for (const s of this.slots) s.worker.unref();
        Promise.all(busy.map((s) => this.stop(s))).then(() => resolve({ why, error }));
      };
      const idle = (s: Slot) => s.reported === s.round.length;
      const pump = () => {
        if (finished) return;
        if (stepsUsed >= limit) return finish(invalid ? "invalid" : "steps");
        if (order.length > 0) this.ensure(Math.min(this.size, parts.length));
        for (const slot of this.slots) {
          if (!idle(slot) || slot.stopping) continue;
          // Guided scheduling: new keys go in batches of at most a 1/(2·workers) share of the keys left (and
          // BATCH_OPS operations), so many tiny keys travel together but no key waits while a worker idles.
          const tasks: WireTask[] = [];
          const most = Math.ceil(order.length / (2 * this.size));
          let ops = 0;
          while (
            order.length > 0 &&
            (tasks.length === 0 || (tasks.length < most && ops + parts[order[0]].n <= BATCH_OPS))
          ) {
            const i = order.shift()!;
            tasks.push(parts[i]);
            ops += parts[i].n;
          }
          // Paused searches go on only once every key has had its first turn (cheapest refutation first).
          const resume = slot.live.length > 0 && order.length === 0 && firstTurns === 0;
          if (tasks.length === 0 && !resume) continue;
          const batch: Batch = {
            spec: o.spec,
            maxSteps: limit - stepsUsed,
            maxCacheBytes,
            shrink: o.shrink,
            shrinkSteps: o.shrinkSteps,
            reset: slot.live.length === 0,
            resume,
            tasks,
          };
          firstTurns += tasks.length;
          slot.round = [...tasks.map((t) => t.id), ...(resume ? slot.live : [])];
          if (resume) slot.live = [];
          slot.reported = 0;
          slot.worker.ref();
          workersUsed.add(slot);
          slot.worker.postMessage(batch);
        }
        if (order.length === 0 && this.slots.every((s) => idle(s) && s.live.length === 0)) finish("done");
      };
      this.handler = (slot, ev) => {
        if (ev.kind === "message") {
          const m = ev.m;
          slot.reported++;
          if (idle(slot)) slot.worker.unref();
          if (m.type === "error")
            return finish("done", new Error(`key ${JSON.stringify(parts[m.id]?.key)}: ${m.message}`));
          stepsUsed += m.steps;
          if (!firstDone[m.id]) {
            firstDone[m.id] = 1;
            firstTurns--;
          }
          if (m.type === "paused") slot.live.push(m.id);
          else {
            results[m.id] = m;
            if (m.valid === false && !invalid) {
              invalid = true;
              if (!o.allAnomalies) return finish("invalid");
              limit = Math.min(maxSteps, stepsUsed + stepsAfterInvalid(stepsUsed));
            }
          }
          if (idle(slot)) pump();
          return;
        }
        // The worker is gone. Out of heap: the key in its turn is unknown; the others it held start again.
        const current = slot.reported < slot.round.length ? slot.round[slot.reported] : undefined;
        const others = [...slot.live, ...slot.round.slice(slot.reported + 1)];
        slot.round = [];
        slot.live = [];
        slot.reported = 0;
        for (const i of [current, ...others])
          if (i !== undefined && !firstDone[i]) {
            firstDone[i] = 1;
            firstTurns--;
          }
        for (const i of others) firstDone[i] = 0;
        if (ev.kind === "error" && ev.e.code === "ERR_WORKER_OUT_OF_MEMORY" && current !== undefined) {
          results[current] = {
            type: "result",
            id: current,
            valid: "unknown",
            steps: 0,
            total: 0,
            cacheEntries: 0,
            reason: `the worker ran out of memory (heap limit ${this.heapMb} MB) during the search`,
          };
          order.unshift(...others);
          pump();
          return;
        }
        const what = ev.kind === "error" ? ev.e.message : `exited with code ${ev.code}`;
        if (current === undefined && others.length === 0 && ev.kind === "exit") {
          pump();
          return;
        }
        finish(
          "done",
          new Error(
            `linearizability worker failed${current !== undefined ? ` on key ${JSON.stringify(parts[current].key)}` : ""}: ${what}`,
          ),
        );
      };
      if (o.timeoutMs !== undefined) {
        const left = o.timeoutMs - (performance.now() - started);
        timer = setTimeout(() => finish("timeout"), Math.max(0, left));
      }
      pump();
    });
    if (outcome.error) throw outcome.error;
    const { why } = outcome;

    // The verdict, in partition order (as the synchronous checker reports it).
    const anomalies: Anomaly[] = [];
    let unknown: string | undefined;
    let ops = 0,
      cache = 0,
      checked = 0;
    const done: string[] = [],
      notDone: string[] = [];
    parts.forEach((p, i) => {
      const r = results[i];
      ops += p.n;
      if (!r) {
        notDone.push(p.key);
        return;
      }
      done.push(p.key);
      checked++;
      cache = Math.max(cache, r.cacheEntries);
      if (r.valid === "unknown") unknown ??= `key ${JSON.stringify(p.key)}: ${r.reason}`;
      if (r.valid === false && r.anomaly) anomalies.push(r.anomaly);
    });
    if (why === "steps") unknown = budgetReason(maxSteps, notDone, parts.length);
    if (why === "timeout") {
      const t = `time budget of ${fmtSeconds(o.timeoutMs!)} exhausted: ${describeKeys(done, notDone)}`;
      unknown = unknown ? `${t}; ${unknown}` : t;
    }
    const verdict = verdictOf(anomalies, unknown, {
      operations: ops,
      partitions: parts.length,
      checked,
      unchecked: parts.length - checked,
      steps: stepsUsed,
      maxCacheEntries: cache,
      workers: workersUsed.size,
    });
    if (why === "timeout" && verdict.valid === false) verdict.reason = unknown;
    else if (verdict.valid === false && notDone.length)
      markUndecided(
        verdict,
        notDone,
        o.allAnomalies
          ? "its budget after the first invalid key ran out"
          : "the check stopped at the first invalid key",
      );
    return verdict;
  }
}

const fmtSeconds = (ms: number) => `${+(ms / 1000).toFixed(3)} s`;

function describeKeys(done: string[], notDone: string[]): string {
  const total = done.length + notDone.length;
  if (total === 1 && (done[0] ?? notDone[0]) === "")
    return done.length ? "the history was checked" : "the history (one partition, not split by key) was not checked";
  const names = namesOf;
  return `${done.length} of ${total} keys checked${done.length ? ` (${names(done)})` : ""}, ${notDone.length} not${notDone.length ? ` (${names(notDone)})` : ""}`;
}

/** A history's partitions (index.ts partitionHistory) in the wire form: per key, each distinct model op once
 *  and five numbers per operation (see worker.ts WireTask). */
export function encodePartitions(history: readonly Op[] | Operation[], model: Model): WireTask[] {
  return partitionHistory(history, model).map((p, id) => {
    const intern = new OpInterner();
    const t: WireTask = {
      id,
      key: p.key,
      n: p.search.length,
      table: [],
      cols: new Float64Array(p.search.length * COLS),
    };
    for (let i = 0, j = 0; i < t.n; i++, j += COLS) {
      const s = p.search[i],
        o = p.operations[i];
      t.cols[j] = intern.code(s.op, t.table);
      t.cols[j + 1] = s.call;
      t.cols[j + 2] = s.ret;
      t.cols[j + 3] = o.complete ? o.complete.index : -1;
      t.cols[j + 4] = o.process as number;
    }
    return t;
  });
}

const ARRAY = Symbol("array"),
  LEAF = Symbol("leaf");
type Trie = Map<unknown, Trie | number>;

/**
 * Gives equal model ops one code, so each distinct op crosses to a worker once. Exact: a trie over the op's
 * f, type, input and output, where a primitive is one step (Map keys: SameValueZero, so 1 and "1" differ)
 * and an array is ARRAY, its length, then its elements. Ops with other values (objects, deep arrays) are not
 * shared: each gets its own code.
 */
export class OpInterner {
  private root: Trie = new Map();
  code(m: ModelOp, table: ModelOp[]): number {
    let node: Trie | undefined = this.step(this.step(this.root, m.f), m.type);
    node = this.value(this.value(node, m.input, 0), m.output, 0);
    if (!node) {
      table.push(m);
      return table.length - 1;
    }
    let c = node.get(LEAF) as number | undefined;
    if (c === undefined) {
      c = table.length;
      table.push(m);
      node.set(LEAF, c);
    }
    return c;
  }
  private step(node: Trie, k: unknown): Trie {
    let next = node.get(k) as Trie | undefined;
    if (!next) {
      next = new Map();
      node.set(k, next);
    }
    return next;
  }
  private value(node: Trie | undefined, v: unknown, depth: number): Trie | undefined {
    if (!node) return undefined;
    if (v === null || typeof v !== "object")
      return typeof v === "function" || typeof v === "symbol" ? undefined : this.step(node, v);
    if (!Array.isArray(v) || depth > 3) return undefined;
    let n: Trie | undefined = this.step(this.step(node, ARRAY), v.length);
    for (let i = 0; i < v.length && n; i++) n = this.value(n, v[i], depth + 1);
    return n;
  }
}

// Each worker starts from this bootstrap (compiled worker.js when built, worker.ts through tsx from the sources).
const BOOT = workerBootstrap(import.meta.url, "./worker");
