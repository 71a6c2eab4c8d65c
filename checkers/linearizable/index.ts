// The linearizability checker: pairs ops, splits them by the model's key (P-compositionality), searches
// the partitions with WGL (wgl.ts), interleaved so the cheapest refutation decides (schedule.ts), and for an
// invalid partition shrinks the failure to a small witness (witness.ts). Pure and synchronous; parallel.ts
// runs partitions on worker threads.
import type { Op } from "../../src/history/op.ts";
import { pairOperations, type Operation } from "../../src/history/pairs.ts";
import type { Anomaly, Evidence, Verdict } from "../types.ts";
import type { Model } from "./model.ts";
import { Interleaver } from "./schedule.ts";
import { searchOp, type SearchBudget, type SearchOp, type SearchResult } from "./wgl.ts";
import { shrinkWitness, type Shrunk } from "./witness.ts";

export interface LinearizableOptions extends SearchBudget {
  model: Model;
  /** Check every partition and report every anomaly, instead of stopping at the first invalid key. */
  allAnomalies?: boolean;
  /** Shrink each failure to a small witness (default true). */
  shrink?: boolean;
  /** Search steps the shrinker may spend per anomaly (default: shrinkBudget of the search's steps). */
  shrinkSteps?: number;
}

/** Defaults that keep any check bounded: "unknown" instead of a hang or an out-of-memory crash. */
export const DEFAULT_BUDGET = { maxSteps: 2_000_000_000, maxCacheBytes: 768 << 20 } as const;

export interface Partition {
  key: string;
  operations: Operation[];
  search: SearchOp[];
}

/** Splits a history into independently checkable partitions of model ops. */
export function partitionHistory(history: readonly Op[] | Operation[], model: Model): Partition[] {
  const operations = isOperations(history) ? history : pairOperations(history as readonly Op[]);
  const byKey = new Map<string, Partition>();
  for (let i = 0; i < operations.length; i++) {
    const o = operations[i];
    const m = model.prepare(o);
    if (!m) continue;
    const key = model.key ? model.key(o) : "";
    let p = byKey.get(key);
    if (!p) {
      p = { key, operations: [], search: [] };
      byKey.set(key, p);
    }
    p.search.push(
      searchOp(p.search.length, m, o.invoke.index, o.type === "info" || !o.complete ? Infinity : o.complete.index),
    );
    p.operations.push(o);
  }
  return [...byKey.values()];
}

function isOperations(h: readonly Op[] | Operation[]): h is Operation[] {
  return h.length > 0 && "invoke" in (h[0] as object);
}

export function checkLinearizable(history: readonly Op[] | Operation[], options: LinearizableOptions): Verdict {
  const { model } = options;
  const partitions = partitionHistory(history, model);
  const maxSteps = options.maxSteps ?? DEFAULT_BUDGET.maxSteps;
  const sched = new Interleaver(model, options.maxCacheBytes ?? DEFAULT_BUDGET.maxCacheBytes);
  for (const i of cheapestFirst(partitions.map((p) => p.search.length))) sched.add(i, partitions[i].search);
  const results: (SearchResult | undefined)[] = new Array(partitions.length);
  let steps = 0,
    limit = maxSteps,
    invalid = false;
  while (sched.live > 0 && steps < limit) {
    const t = sched.next(limit - steps);
    steps += t.steps;
    if (!t.result) continue;
    results[t.index] = t.result;
    if (t.result.valid === false && !invalid) {
      invalid = true;
      if (!options.allAnomalies) break;
      limit = Math.min(maxSteps, steps + stepsAfterInvalid(steps));
    }
  }
  const undecided = sched.liveIndexes();
  sched.stopAll("");
  const anomalies: Anomaly[] = [];
  let unknown: string | undefined;
  if (!invalid && undecided.length)
    unknown = budgetReason(
      maxSteps,
      undecided.map((i) => partitions[i].key),
      partitions.length,
    );
  let cache = 0,
    checked = 0;
  partitions.forEach((p, i) => {
    const r = results[i];
    if (!r) return;
    checked++;
    cache = Math.max(cache, r.cacheEntries);
    if (r.valid === "unknown") unknown ??= `key ${JSON.stringify(p.key)}: ${r.reason}`;
    if (r.valid === false)
      anomalies.push(
        explain(model, p, r, { shrink: options.shrink, shrinkSteps: options.shrinkSteps ?? shrinkBudget(r.steps) }),
      );
  });
  const ops = partitions.reduce((n, p) => n + p.search.length, 0);
  const verdict = verdictOf(anomalies, unknown, {
    operations: ops,
    partitions: partitions.length,
    checked,
    unchecked: partitions.length - checked,
    steps,
    maxCacheEntries: cache,
  });
  if (verdict.valid === false && undecided.length)
    markUndecided(
      verdict,
      undecided.map((i) => partitions[i].key),
      options.allAnomalies
        ? "its budget after the first invalid key ran out"
        : "the check stopped at the first invalid key",
    );
  return verdict;
}

/** Partition indexes by size, smallest first (equal sizes in partition order). */
export function cheapestFirst(sizes: number[]): number[] {
  return sizes.map((_, i) => i).sort((a, b) => sizes[a] - sizes[b] || a - b);
}

/** Why a check ran out of steps, naming the keys it left undecided. */
export function budgetReason(maxSteps: number, keys: string[], partitions: number): string {
  const r = `search budget of ${maxSteps} steps exhausted`;
  return partitions === 1 && keys[0] === ""
    ? r
    : `${r}: ${keys.length} of ${partitions} keys not decided (${namesOf(keys)})`;
}

/** Once a history is known to be invalid, the keys still undecided may go on for this many more steps
 *  in all (to report their anomalies too), not for the whole budget. */
export function stepsAfterInvalid(stepsSoFar: number): number {
  return Math.max(AFTER_INVALID_MIN_STEPS, 4 * stepsSoFar);
}
const AFTER_INVALID_MIN_STEPS = 2_000_000;

/** Shrinking explains a search: its budget is proportional to the search's steps (within bounds), so an
 *  invalid verdict never costs far more than finding it. */
export function shrinkBudget(searchSteps: number): number {
  return Math.min(SHRINK_MAX_STEPS, Math.max(SHRINK_MIN_STEPS, SHRINK_PER_STEP * searchSteps));
}
const SHRINK_MIN_STEPS = 200_000,
  SHRINK_PER_STEP = 20,
  SHRINK_MAX_STEPS = 10_000_000;

/** An invalid verdict that left keys undecided says which, and why. */
export function markUndecided(verdict: Verdict, keys: string[], why: string): void {
  verdict.undecided = keys;
  verdict.stats = { ...verdict.stats, undecided: keys.length };
  const text = `${keys.length} key${keys.length === 1 ? "" : "s"} not decided (${why}): ${namesOf(keys)}`;
  verdict.reason = verdict.reason ? `${verdict.reason}; ${text}` : text;
}

const KEYS_NAMED = 10;
export const namesOf = (ks: string[]): string =>
  ks
    .slice(0, KEYS_NAMED)
    .map((k) => JSON.stringify(k))
    .join(", ") + (ks.length > KEYS_NAMED ? `, … (${ks.length - KEYS_NAMED} more)` : "");

export function verdictOf(anomalies: Anomaly[], unknown: string | undefined, stats: Record<string, number>): Verdict {
  const verdict: Verdict = {
    checker: "linearizable",
    valid: anomalies.length > 0 ? false : unknown ? "unknown" : true,
    anomalies,
    stats,
  };
  if (verdict.valid === "unknown" && unknown) verdict.reason = unknown;
  return verdict;
}

const LONGEST_SHOWN = 20;
const WITNESS_LISTED = 12;

/**
 * The anomaly for a non-linearizable partition. `details` (JSON, for the report):
 *   model:          the model's name
 *   key:            the partition key ("" when the model does not partition)
 *   operations:     how many operations the partition has
 *   longestLength:  how many operations the longest legal order found covers
 *   longest:        its last (up to 20) operations: { index (invoke), complete, process, op, state (after it) }
 *   state:          the model state after the longest legal order
 *   blocked:        operation(s) that could not be placed after it: { index, complete, process, op }
 *   witness:        the shrunk failure: { ops: history indexes of its events (invokes and completions),
 *                   operations: [{ index, complete, process, op }], minimal: removing any one op makes it
 *                   linearizable, checks: sub-histories searched } — absent when shrinking was off
 */
export function explain(
  model: Model,
  p: Partition,
  r: SearchResult,
  options: Pick<LinearizableOptions, "shrink" | "shrinkSteps"> = {},
): Anomaly {
  const where = p.key === "" ? "" : ` on key ${JSON.stringify(p.key)}`;
  const opInfo = (id: number) => {
    const o = p.operations[id];
    return {
      index: o.invoke.index,
      complete: o.complete ? o.complete.index : null,
      process: o.process,
      op: model.describeOp(p.search[id].op),
    };
  };
  const desc = (id: number) => {
    const o = p.operations[id];
    return `process ${o.process} ${model.describeOp(p.search[id].op)} (ops ${o.invoke.index}${o.complete ? "–" + o.complete.index : ""})`;
  };
  const blocked = r.blocked;
  const last = r.longest.length ? r.longest[r.longest.length - 1] : undefined;
  const stateText = last ? model.describeState(last.stateAfter) : model.describeState(model.init());
  const indexes = new Set<number>();
  const addOp = (id: number) => {
    const o = p.operations[id];
    indexes.add(o.invoke.index);
    if (o.complete) indexes.add(o.complete.index);
  };

  let shrunk: Shrunk | undefined;
  if (options.shrink !== false) {
    const blockedReturn = blocked.length ? p.search[blocked[0]].ret : undefined;
    shrunk = shrinkWitness(model, p.search, { maxSteps: options.shrinkSteps, blockedReturn });
  }
  let explanation = blocked.length
    ? `Not linearizable${where}: after ${r.longest.length} operation(s) can be put in a legal order (leaving ${stateText}), ` +
      `${desc(blocked[0])} cannot be placed anywhere before it returned.`
    : `Not linearizable${where}: no order of the operations is legal.`;
  if (shrunk) {
    for (const id of shrunk.ids) addOp(id);
    const n = shrunk.ids.length;
    const what = `${shrunk.minimal ? "A minimal witness" : "A smaller witness"} (${n} op${n === 1 ? "" : "s"}, from ${model.describeState(model.init())}, every other op allowed to take effect at any time after its invocation, or never)`;
    explanation +=
      n <= WITNESS_LISTED ? ` ${what}: ${shrunk.ids.map(desc).join("; ")}.` : ` ${what}: see details.witness.`;
  } else {
    for (const id of [...blocked, ...(last ? [last.id] : [])]) addOp(id);
  }
  const witnessOps: number[] = [];
  if (shrunk)
    for (const id of shrunk.ids) {
      const o = p.operations[id];
      witnessOps.push(o.invoke.index);
      if (o.complete) witnessOps.push(o.complete.index);
    }
  const details: Record<string, unknown> = {
    model: model.name,
    key: p.key,
    operations: p.search.length,
    longestLength: r.longest.length,
    longest: r.longest
      .slice(-LONGEST_SHOWN)
      .map((l) => ({ ...opInfo(l.id), state: model.describeState(l.stateAfter) })),
    state: stateText,
    blocked: blocked.map(opInfo),
  };
  if (shrunk)
    details.witness = {
      ops: witnessOps.sort((a, b) => a - b),
      operations: shrunk.ids.map(opInfo),
      minimal: shrunk.minimal,
      checks: shrunk.checks,
    };
  const evidence: Evidence = {
    prefix: r.longest.slice(-LONGEST_SHOWN).map((l) => ({
      index: p.operations[l.id].invoke.index,
      op: model.describeOp(p.search[l.id].op),
      state: model.describeState(l.stateAfter),
    })),
    prefixLength: r.longest.length,
    blocked: blocked.map((id) => ({ index: p.operations[id].invoke.index, op: model.describeOp(p.search[id].op) })),
  };
  if (shrunk) {
    evidence.witness = witnessOps;
    evidence.witnessText = `a shrunk witness: operations that cannot be linearized even on their own${shrunk.minimal ? " (minimal: dropping any one makes them linearizable)" : ""}; ${shrunk.checks} sub-histories searched`;
  }
  return {
    kind: "nonlinearizable",
    key: p.key,
    ops: [...indexes].sort((a, b) => a - b),
    explanation,
    details,
    evidence,
  };
}
