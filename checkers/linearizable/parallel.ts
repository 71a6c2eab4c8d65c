// Checking partitions (keys) in parallel on worker threads, within a wall-clock and a memory budget.
//
// Linearizability is compositional (Herlihy & Wing's locality; Porcupine's P-compositionality): a history is
// linearizable iff every key's sub-history is, so keys are checked independently. This module is the
// orchestration layer around the pure, synchronous checker (index.ts, wgl.ts): it pairs and partitions the
// history here, ships each partition to a worker in a compact columnar form (distinct model ops once, five
// numbers per operation), and gathers the verdicts, largest partitions first. Workers rebuild the model from
// its serialisable spec (models/index.ts createModel).
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
// On the first invalid key the other workers are cancelled, unless allAnomalies. The verdicts are the
// synchronous checker's; with allAnomalies the anomalies too, in the same order.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Op } from "../../src/history/op.ts";
import { pairOperations, type Operation } from "../../src/history/pairs.ts";
import type { Anomaly, Verdict } from "../types.ts";
import { checkLinearizable, DEFAULT_BUDGET, verdictOf } from "./index.ts";
import type { Model, ModelOp } from "./model.ts";
import { createModel, type ModelSpec } from "./models/index.ts";
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
const KEYS_NAMED = 10;

export const defaultWorkers = (): number => availableParallelism();

/** Checks a history for linearizability on worker threads (see the top of this file). */
export async function checkLinearizableParallel(history: readonly Op[] | Operation[], options: ParallelOptions): Promise<Verdict> {
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

interface Slot { worker: Worker; tasks: number[]; stopping: boolean }

type Event = { kind: "message"; m: WorkerReply } | { kind: "error"; e: Error & { code?: string } } | { kind: "exit"; code: number };

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
    const total = options.memoryMb ?? Math.min(DEFAULT_WORKER_HEAP_MB * this.size, Math.floor(totalmem() / 2 / 1048576));
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
    await Promise.all(this.slots.map((s) => this.stop(s)));
  }

  private spawn(): Slot {
    const w = new Worker(BOOT, {
      eval: true,
      workerData: { role: WORKER_ROLE },
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
    });
    const slot: Slot = { worker: w, tasks: [], stopping: false };
    w.unref();
    w.on("message", (m: WorkerReply) => this.handler?.(slot, { kind: "message", m }));
    w.on("error", (e) => { this.drop(slot); if (!slot.stopping) this.handler?.(slot, { kind: "error", e }); });
    w.on("exit", (code) => { const was = this.slots.includes(slot); this.drop(slot); if (was && !slot.stopping) this.handler?.(slot, { kind: "exit", code }); });
    this.slots.push(slot);
    return slot;
  }

  private drop(slot: Slot) { const i = this.slots.indexOf(slot); if (i >= 0) this.slots.splice(i, 1); }

  private async stop(slot: Slot) {
    slot.stopping = true;
    this.drop(slot);
    await slot.worker.terminate().catch(() => undefined);
  }

  private ensure(n: number) { while (this.slots.length < Math.min(n, this.size)) this.spawn(); }

  private async run(history: readonly Op[] | Operation[], o: ParallelOptions): Promise<Verdict> {
    if (this.closed) throw new Error("the linearizability worker pool is closed");
    const started = performance.now();
    const maxSteps = o.maxSteps ?? DEFAULT_BUDGET.maxSteps;
    const maxCacheBytes = o.maxCacheBytes ?? Math.min(DEFAULT_BUDGET.maxCacheBytes, Math.floor(this.heapMb / 4) * 1048576);
    if (history.length >= PRESPAWN_EVENTS) this.ensure(this.size); else this.ensure(1);
    const model = createModel(o.spec);
    const parts = encodePartitions(history, model);
    const order = parts.map((_, i) => i).sort((a, b) => parts[b].n - parts[a].n || a - b);
    const results: (Extract<WorkerReply, { type: "result" }> | undefined)[] = new Array(parts.length);
    let stepsUsed = 0;
    type Why = "done" | "invalid" | "timeout" | "steps";
    const workersUsed = new Set<Slot>();

    const outcome = await new Promise<{ why: Why; error?: Error }>((resolve) => {
      let finished = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (why: Why, error?: Error) => {
        if (finished) return;
        finished = true;
        if (timer) clearTimeout(timer);
        this.handler = undefined;
        // Cancel what is still running; idle workers stay for the next check.
        const busy = this.slots.filter((s) => s.tasks.length > 0);
        for (const s of busy) s.tasks = [];
        Promise.all(busy.map((s) => this.stop(s))).then(() => resolve({ why, error }));
      };
      const pump = () => {
        if (finished) return;
        if (order.length > 0) this.ensure(Math.min(this.size, parts.length));
        for (const slot of this.slots) {
          if (order.length === 0) break;
          if (slot.tasks.length > 0 || slot.stopping) continue;
          // Guided scheduling: a batch takes at most a 1/(2·workers) share of the keys left (and BATCH_OPS
          // operations), so many tiny keys travel together but no key waits behind a slow one while a worker idles.
          const tasks: WireTask[] = [];
          const most = Math.ceil(order.length / (2 * this.size));
          let ops = 0;
          while (order.length > 0 && (tasks.length === 0 || (tasks.length < most && ops + parts[order[0]].n <= BATCH_OPS))) {
            const i = order.shift()!;
            tasks.push(parts[i]);
            slot.tasks.push(i);
            ops += parts[i].n;
          }
          const batch: Batch = { spec: o.spec, maxSteps: maxSteps - stepsUsed, maxCacheBytes, shrink: o.shrink, shrinkSteps: o.shrinkSteps, tasks };
          slot.worker.ref();
          workersUsed.add(slot);
          slot.worker.postMessage(batch);
        }
        if (order.length === 0 && this.slots.every((s) => s.tasks.length === 0)) finish("done");
      };
      this.handler = (slot, ev) => {
        if (ev.kind === "message") {
          const m = ev.m;
          slot.tasks = slot.tasks.filter((i) => i !== m.id);
          if (slot.tasks.length === 0) slot.worker.unref();
          if (m.type === "error") return finish("done", new Error(`key ${JSON.stringify(parts[m.id].key)}: ${m.message}`));
          results[m.id] = m;
          stepsUsed += m.steps;
          if (m.valid === false && !o.allAnomalies) return finish("invalid");
          if (stepsUsed >= maxSteps) return finish("steps");
          pump();
          return;
        }
        // The worker is gone. Out of heap: its current key is unknown, the rest of its batch goes back.
        const [current, ...rest] = slot.tasks;
        slot.tasks = [];
        if (ev.kind === "error" && ev.e.code === "ERR_WORKER_OUT_OF_MEMORY" && current !== undefined) {
          results[current] = { type: "result", id: current, valid: "unknown", steps: 0, cacheEntries: 0, reason: `the worker ran out of memory (heap limit ${this.heapMb} MB) during the search` };
          order.unshift(...rest);
          pump();
          return;
        }
        const what = ev.kind === "error" ? ev.e.message : `exited with code ${ev.code}`;
        if (current === undefined && ev.kind === "exit") { pump(); return; }
        finish("done", new Error(`linearizability worker failed${current !== undefined ? ` on key ${JSON.stringify(parts[current].key)}` : ""}: ${what}`));
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
    let ops = 0, steps = 0, cache = 0, checked = 0;
    const done: string[] = [], notDone: string[] = [];
    parts.forEach((p, i) => {
      const r = results[i];
      if (!r) { notDone.push(p.key); return; }
      done.push(p.key);
      checked++; ops += p.n; steps += r.steps;
      cache = Math.max(cache, r.cacheEntries);
      if (r.valid === "unknown") unknown ??= `key ${JSON.stringify(p.key)}: ${r.reason}`;
      if (r.valid === false && r.anomaly) anomalies.push(r.anomaly);
    });
    if (why === "steps") unknown ??= `search budget of ${maxSteps} steps exhausted`;
    if (why === "timeout") {
      const t = `time budget of ${fmtSeconds(o.timeoutMs!)} exhausted: ${describeKeys(done, notDone)}`;
      unknown = unknown ? `${t}; ${unknown}` : t;
    }
    const verdict = verdictOf(anomalies, unknown, { operations: ops, partitions: parts.length, checked, unchecked: parts.length - checked, steps, maxCacheEntries: cache, workers: workersUsed.size });
    if (why === "timeout" && verdict.valid === false) verdict.reason = unknown;
    return verdict;
  }
}

const fmtSeconds = (ms: number) => `${+(ms / 1000).toFixed(3)} s`;

function describeKeys(done: string[], notDone: string[]): string {
  const total = done.length + notDone.length;
  if (total === 1 && (done[0] ?? notDone[0]) === "") return done.length ? "the history was checked" : "the history (one partition, not split by key) was not checked";
  const names = (ks: string[]) => ks.slice(0, KEYS_NAMED).map((k) => JSON.stringify(k)).join(", ") + (ks.length > KEYS_NAMED ? `, … (${ks.length - KEYS_NAMED} more)` : "");
  return `${done.length} of ${total} keys checked${done.length ? ` (${names(done)})` : ""}, ${notDone.length} not${notDone.length ? ` (${names(notDone)})` : ""}`;
}

/** Pairs and partitions a history (as index.ts partitionHistory) straight into the wire form: per key, each
 *  distinct model op once and five numbers per operation (see worker.ts WireTask). */
export function encodePartitions(history: readonly Op[] | Operation[], model: Model): WireTask[] {
  const operations = history.length > 0 && "invoke" in (history[0] as object) ? (history as Operation[]) : pairOperations(history as readonly Op[]);
  interface Acc { task: WireTask; intern: OpInterner }
  const byKey = new Map<string, Acc>();
  const out: WireTask[] = [];
  for (const o of operations) {
    const m = model.prepare(o);
    if (!m) continue;
    const key = model.key ? model.key(o) : "";
    let a = byKey.get(key);
    if (!a) {
      a = { task: { id: out.length, key, n: 0, table: [], cols: new Float64Array(64 * COLS) }, intern: new OpInterner() };
      byKey.set(key, a);
      out.push(a.task);
    }
    const t = a.task;
    const code = a.intern.code(m, t.table);
    if ((t.n + 1) * COLS > t.cols.length) { const c = new Float64Array(t.cols.length * 2); c.set(t.cols); t.cols = c; }
    const j = t.n * COLS;
    t.cols[j] = code;
    t.cols[j + 1] = o.invoke.index;
    t.cols[j + 2] = o.type === "info" || !o.complete ? Infinity : o.complete.index;
    t.cols[j + 3] = o.complete ? o.complete.index : -1;
    t.cols[j + 4] = o.process;
    t.n++;
  }
  for (const t of out) t.cols = t.cols.slice(0, t.n * COLS);
  return out;
}

const ARRAY = Symbol("array"), LEAF = Symbol("leaf");
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
    if (!node) { table.push(m); return table.length - 1; }
    let c = node.get(LEAF) as number | undefined;
    if (c === undefined) { c = table.length; table.push(m); node.set(LEAF, c); }
    return c;
  }
  private step(node: Trie, k: unknown): Trie {
    let next = node.get(k) as Trie | undefined;
    if (!next) { next = new Map(); node.set(k, next); }
    return next;
  }
  private value(node: Trie | undefined, v: unknown, depth: number): Trie | undefined {
    if (!node) return undefined;
    if (v === null || typeof v !== "object") return typeof v === "function" || typeof v === "symbol" ? undefined : this.step(node, v);
    if (!Array.isArray(v) || depth > 3) return undefined;
    let n: Trie | undefined = this.step(this.step(node, ARRAY), v.length);
    for (let i = 0; i < v.length && n; i++) n = this.value(n, v[i], depth + 1);
    return n;
  }
}

// Each worker starts from this bootstrap. Built (dist/, .js), it imports the compiled worker.js. From the
// sources (.ts), worker threads cannot take a module loader through execArgv on Node 20 (nodejs/node#47747),
// so it registers tsx's ESM hooks in the thread, then imports worker.ts.
const COMPILED = import.meta.url.endsWith(".js");
const WORKER_URL = new URL(COMPILED ? "./worker.js" : "./worker.ts", import.meta.url).href;
const BOOT = COMPILED ? `import(${JSON.stringify(WORKER_URL)});`
  : `import(${JSON.stringify(tsxEsmApi())}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL)}); });`;

function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const pkgFile = require.resolve("tsx/package.json");
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as { exports: Record<string, { import?: { default?: string } }> };
  const entry = pkg.exports["./esm/api"]?.import?.default ?? "./dist/esm/api/index.mjs";
  return pathToFileURL(join(dirname(pkgFile), entry)).href;
}
