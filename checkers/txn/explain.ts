// A cycle in words: each transaction's micro-ops, each edge as a sentence, the faults in effect; and the same
// as typed evidence the report draws.
import type { Op } from "../../src/history/op.ts";
import { faults as faultIntervals } from "../../src/history/pairs.ts";
import type { Anomaly, Evidence } from "../types.ts";
import { PROCESS, REALTIME, RW, WR, WW, type TxnGraph } from "./graph.ts";
import type { Txn } from "./txns.ts";
import { show } from "./txns.ts";
import { idx, mopText, ms, opsOf } from "./words.ts";

export const RELATION: Record<number, string> = {
  [WW]: "ww",
  [WR]: "wr",
  [RW]: "rw",
  [PROCESS]: "process",
  [REALTIME]: "realtime",
};

/** A cycle given as edge ids (barrier hops included) → its transaction steps, barrier chains collapsed. */
export function cycleSteps(g: TxnGraph, path: number[]): { from: number; to: number; type: number; aux: number }[] {
  const T = g.txns.length,
    out: { from: number; to: number; type: number; aux: number }[] = [];
  let from = -1;
  for (const e of path) {
    const a = g.src[e],
      b = g.dst[e];
    if (a < T) from = a;
    if (b < T) {
      out.push({ from, to: b, type: g.type[e], aux: g.aux[e] });
    }
  }
  return out;
}

function writeWords(t: Txn, m: number, workload: string): string {
  const mop = t.mops[m];
  return workload === "list-append"
    ? `append of ${show(mop[2])} to key ${show(mop[1])}`
    : `write of ${show(mop[2])} to key ${show(mop[1])}`;
}

export function edgeSentence(
  g: TxnGraph,
  s: { from: number; to: number; type: number; aux: number },
  name: (n: number) => string,
  workload: string,
): string {
  const a = g.txns[s.from],
    b = g.txns[s.to],
    A = name(s.from),
    B = name(s.to);
  switch (s.type) {
    case WW: {
      const k = b.mops[s.aux]?.[1];
      const prior = [...a.mops].reverse().find((m) => m[0] !== "r" && m[1] === k);
      return `${B}'s ${writeWords(b, s.aux, workload)} came after ${A}'s${prior ? ` ${workload === "list-append" ? "append" : "write"} of ${show(prior[2])}` : " write"} (ww)`;
    }
    case WR:
      return `${B} observed ${A}'s ${writeWords(a, s.aux, workload)} (wr)`;
    case RW:
      return `${A} did not observe ${B}'s ${writeWords(b, s.aux, workload)} (rw)`;
    case PROCESS:
      return `${A} and ${B} ran in this order on process ${a.op.process} (process)`;
    default: {
      const gap = a.op.complete ? b.op.invoke.time - a.op.complete.time : 0;
      return `${A} completed ${ms(gap)} before ${B} began (realtime)`;
    }
  }
}

/** The history's fault intervals, computed once per history (every cycle asks). */
const faultCache = new WeakMap<readonly Op[], ReturnType<typeof faultIntervals>>();

/** The faults (nemesis events) in effect at any time during [t0, t1]. */
export function faultsDuring(history: readonly Op[], t0: number, t1: number): string[] {
  const out: string[] = [];
  let fs = faultCache.get(history);
  if (!fs) faultCache.set(history, (fs = faultIntervals(history)));
  for (const f of fs) {
    const end = f.stop ? f.stop.time : Infinity;
    if (f.start.time <= t1 && end >= t0)
      out.push(
        `${f.f}${f.value !== null && f.value !== undefined ? ` ${show(f.value)}` : ""} (from op ${f.start.index}${f.stop ? ` to ${f.stop.index}` : ", never healed"})`,
      );
  }
  return out;
}

export function cycleAnomaly(
  g: TxnGraph,
  path: number[],
  kind: string,
  workload: string,
  history: readonly Op[],
): Anomaly {
  const steps = cycleSteps(g, path);
  const nodes = steps.map((s) => s.from);
  const label = new Map<number, string>();
  nodes.forEach((n, i) => label.set(n, `T${i + 1}`));
  const name = (n: number) => label.get(n) ?? `T?`;
  const txns = nodes.map((n) => g.txns[n]);
  const sentences = steps.map((s) => edgeSentence(g, s, name, workload));
  const t0 = Math.min(...txns.map((t) => t.op.invoke.time));
  const t1 = Math.max(...txns.map((t) => (t.op.complete ?? t.op.invoke).time));
  const faults = faultsDuring(history, t0, t1);
  const who = txns
    .map(
      (t, i) =>
        `T${i + 1} (process ${t.op.process}, op ${idx(t)}${t.op.type === "info" ? ", indeterminate" : ""}): [${t.mops.map(mopText).join(", ")}]`,
    )
    .join("; ");
  const explanation = `${kind} cycle of ${nodes.length} transaction${nodes.length === 1 ? "" : "s"}: ${who}. ${sentences.map((x) => x[0].toUpperCase() + x.slice(1)).join("; ")}; so T1 would have to precede itself.${faults.length ? ` In effect: ${faults.join(", ")}.` : ""}`;
  const evidence: Evidence = {
    order: txns.map(idx),
    names: nodes.map(name),
    texts: txns.map((t) => `[${t.mops.map(mopText).join(", ")}]`),
    steps: steps.map((s, i) => ({
      from: idx(g.txns[s.from]),
      to: idx(g.txns[s.to]),
      relation: RELATION[s.type],
      why: sentences[i],
    })),
    witness: opsOf(...txns),
    ...(faults.length ? { faults } : {}),
  };
  return { kind, ops: opsOf(...txns), explanation, evidence };
}
