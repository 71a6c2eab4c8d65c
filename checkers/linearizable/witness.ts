// Shrinking a non-linearizable partition to a small witness, by delta debugging over its operations.
//
// A witness is a set W of operations that proves the whole history is not linearizable: the history in
// which every operation outside W is *demoted* (its completion forgotten: it may take effect at any time
// after its invocation, or never; a failed op, being only an observation, is dropped) is still not
// linearizable. Demoting only relaxes constraints, so this implies the original history is not
// linearizable either, and W alone (every demoted op choosing "never") is not linearizable.
// Plain sub-histories would not do: removing the write a read saw turns every read into a "read of a
// value never written", a 1-op "witness" that proves nothing about the recorded history.
//
// The result is 1-minimal: demoting any single operation of W as well makes the history linearizable
// (unless the step budget ran out first: then `minimal` is false and W is the smallest proof found).
import type { Op } from "../../src/history/op.ts";
import type { Model, ModelOp } from "./model.ts";
import { searchLinearization, searchOp, type SearchOp } from "./wgl.ts";

export interface Shrunk {
  /** Partition-local op ids (indexes into the partition's ops), in call order. */
  ids: number[];
  minimal: boolean;
  checks: number;
  steps: number;
}

export interface ShrinkOptions {
  /** Total search steps the shrinker may spend, setting up each check charged as a step per op (default 1 million). */
  maxSteps?: number;
  /** Search steps for one check of a candidate (default 1,000,000); a check over budget keeps the op. */
  maxStepsPerCheck?: number;
  /** Position of the return that blocked the search, to try the prefix up to it first. */
  blockedReturn?: number;
}

export function shrinkWitness(model: Model, ops: readonly SearchOp[], options: ShrinkOptions = {}): Shrunk {
  let remaining = options.maxSteps ?? 1_000_000;
  const perCheck = options.maxStepsPerCheck ?? 250_000;
  let checks = 0,
    steps = 0,
    exhausted = false,
    gaveUp = false;
  /** true only when the sub-history is certainly not linearizable. */
  const inW = new Uint8Array(ops.length);
  const demoted = demotedOps(ops, model);
  const invalid = (ids: number[]): boolean => {
    if (remaining <= 0) {
      exhausted = true;
      return false;
    }
    const sub = withDemoted(ops, ids, inW, model, demoted);
    // A single check may not eat the whole budget: one that runs out counts as "could not remove".
    const r = searchLinearization(model, sub, {
      maxSteps: Math.min(remaining, perCheck),
      maxCacheBytes: 128 << 20,
      comparisonsPerStep: 256,
    });
    // Setting up a check costs about a step per op: charged too, so the budget bounds the time.
    checks++;
    steps += r.steps + sub.length;
    remaining -= r.steps + sub.length;
    if (r.valid === "unknown") {
      gaveUp = true;
      if (remaining <= 0) exhausted = true;
    }
    return r.valid === false;
  };

  let cur = ops.map((_, i) => i);
  // The ops invoked before the blocking return usually already fail: a cheap first cut.
  if (options.blockedReturn !== undefined) {
    const prefix = cur.filter((i) => ops[i].call <= options.blockedReturn!);
    if (prefix.length < cur.length && invalid(prefix)) cur = prefix;
  }
  // Chunked removal, halving the chunk size; at size 1 repeat until nothing more can go (1-minimal).
  let size = 1;
  while (size * 2 <= cur.length / 2) size *= 2;
  for (;;) {
    let changed = false;
    for (let start = cur.length - size; start > -size && !exhausted;) {
      const from = Math.max(0, start);
      const trial = cur.slice(0, from).concat(cur.slice(start + size));
      if (trial.length > 0 && trial.length < cur.length && invalid(trial)) {
        cur = trial;
        changed = true;
      }
      start -= size;
    }
    if (exhausted) break;
    if (size > 1) {
      size = Math.max(1, size >> 1);
      continue;
    }
    if (!changed) break;
  }
  return { ids: cur, minimal: !exhausted && !gaveUp, checks, steps };
}

/** W's ops as recorded plus every other op demoted, in call order (ops called after W's last return are
 *  left out: they can always be placed after everything, or never). Ids are renumbered 0..m-1. */
export function withDemoted(
  ops: readonly SearchOp[],
  ids: readonly number[],
  inW = new Uint8Array(ops.length),
  model?: Model,
  demoted: readonly (ModelOp | null | undefined)[] = demotedOps(ops, model),
): SearchOp[] {
  let lastRet = -Infinity;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    inW[id] = 1;
    if (ops[id].ret !== Infinity && ops[id].ret > lastRet) lastRet = ops[id].ret;
  }
  const sub: SearchOp[] = [];
  for (let id = 0; id < ops.length; id++) {
    const o = ops[id];
    if (inW[id]) sub.push(searchOp(sub.length, o.op, o.call, o.ret));
    else if (o.call < lastRet) {
      const d = demoted[id];
      if (d) sub.push(searchOp(sub.length, d, o.call, Infinity));
    }
  }
  for (let i = 0; i < ids.length; i++) inW[ids[i]] = 0;
  return sub;
}

/** Each op demoted (its completion forgotten), once: null where demoting leaves nothing (a failed op, being
 *  only an observation, is dropped; a demoted read-only op constrains and changes nothing: leaving it out is
 *  exact, and cheaper). */
function demotedOps(ops: readonly SearchOp[], model?: Model): (ModelOp | null)[] {
  return ops.map((o) => {
    if (o.op.type === "fail") return null;
    const d: ModelOp = { ...o.op, type: "info", output: undefined };
    return model?.readOnly?.(d) ? null : d;
  });
}

/**
 * The witness as a history: the events of every operation in `keep` (invoke indexes) as recorded; every
 * other client op of the history demoted (its invocation kept under a fresh process number, its completion
 * dropped, so it is indeterminate), and failed ops dropped. Checking it tells whether `keep` is a witness.
 */
export function demotedHistory(history: readonly Op[], keep: ReadonlySet<number>): Op[] {
  let fresh = 0;
  for (const o of history) if (typeof o.process === "number" && o.process >= fresh) fresh = o.process + 1;
  const open = new Map<number, Op>();
  const drop = new Set<number>();
  const remap = new Map<number, number>();
  // Find each op's completion to know which ops failed.
  const completion = new Map<number, Op>();
  for (const o of history) {
    if (o.process === "nemesis") continue;
    if (o.type === "invoke") open.set(o.process, o);
    else {
      const inv = open.get(o.process);
      if (inv) {
        completion.set(inv.index, o);
        open.delete(o.process);
      }
    }
  }
  const out: Op[] = [];
  const owner = new Map<number, number>(); // process → invoke index of its open op
  for (const o of history) {
    if (o.process === "nemesis") continue;
    if (o.type === "invoke") {
      owner.set(o.process, o.index);
      if (keep.has(o.index)) {
        out.push(o);
        continue;
      }
      if (completion.get(o.index)?.type === "fail") {
        drop.add(o.index);
        continue;
      }
      const p = fresh++;
      remap.set(o.index, p);
      out.push({ ...o, process: p });
    } else {
      const inv = owner.get(o.process);
      if (inv !== undefined && keep.has(inv)) out.push(o);
    }
  }
  return out;
}
