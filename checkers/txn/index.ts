// Transactional isolation, Elle's way: infer each key's version order, build the dependency graph (ww, wr, rw,
// process, real time), prove which isolation models it violates in linear time, then search each strongly
// connected component for the shortest cycle of each class to explain it. Plus the anomalies that are not
// cycles (aborted and intermediate reads, internal inconsistency, dirty and lost updates, duplicates, garbage).
import type { Op } from "../../src/history/op.ts";
import type { Anomaly, Validity, Verdict } from "../types.ts";
import {
  AUTOMATA,
  classify,
  components,
  cyclicWithin,
  MODES,
  Scratch,
  shortestCycleIn,
  shortestCycleThrough,
  STATES,
  type Components,
  type SearchBudget,
} from "./cycles.ts";
import { cycleAnomaly, faultsDuring } from "./explain.ts";
import { addOrderEdges, ALL, EdgeBuilder, finish, PROCESS, REALTIME, RW, WR, WW, type TxnGraph } from "./graph.ts";
import { listAppendDeps } from "./list-append.ts";
import { CYCLE_CLASSES, FORBIDS, implies, ISOLATION_MODELS, type CycleClass, type IsolationModel } from "./models.ts";
import { rwRegisterDeps } from "./rw-register.ts";
import { readTxns } from "./txns.ts";
import { opsOf } from "./words.ts";

export { ISOLATION_MODELS, parseIsolationModels, FORBIDS, type IsolationModel } from "./models.ts";
export { validateTxnHistory } from "./txns.ts";

export interface TxnCheckOptions {
  workload: "list-append" | "rw-register";
  /** Models whose violation makes the verdict invalid; default ["strict-serializable"] (as Elle). */
  consistencyModels?: IsolationModel[];
  /** rw-register only: per-key version order inference. */
  versionOrder?: "none" | "sequential" | "linearizable";
  /** Witness-search steps per component and cycle class. */
  budget?: number;
}

export type ModelStatus = "held" | "violated" | "unknown";
export interface IsolationResult {
  status: Record<IsolationModel, ModelStatus>;
  strongest: string;
  anomalyCounts: Record<string, number>;
}
export type TxnVerdict = Verdict & { isolation: IsolationResult };

export const DEFAULT_BUDGET = 100_000;
/** Anomalies kept per kind (the counts are complete). */
const KEEP_PER_KIND = 50;

export function checkTxn(history: readonly Op[], options: TxnCheckOptions): TxnVerdict {
  const models = options.consistencyModels ?? ["strict-serializable"];
  const { txns, failed } = readTxns(history, options.workload);
  const found: Anomaly[] = [];
  const edges = new EdgeBuilder();
  if (options.workload === "list-append") listAppendDeps(txns, failed, edges, found);
  else rwRegisterDeps(txns, failed, edges, found, options.versionOrder ?? "none");
  const { nodeCount, barrierOf } = addOrderEdges(txns, edges);
  const g = finish(txns, nodeCount, barrierOf, edges);

  // The faults in effect while each non-cycle anomaly's transactions ran (cycles say so themselves); its
  // evidence is its transactions.
  for (const a of found) {
    const times = a.ops.filter((i) => i >= 0 && i < history.length).map((i) => history[i].time);
    a.evidence ??= { witness: [...a.ops] };
    if (!times.length) continue;
    const fs = faultsDuring(history, Math.min(...times), Math.max(...times));
    if (fs.length) {
      a.explanation += ` In effect: ${fs.join(", ")}.`;
      a.evidence.faults = fs;
    }
  }
  const violated = new Set<IsolationModel>();
  const stats: Record<string, number> = {
    transactions: txns.length + failed.length,
    ok: txns.filter((t) => t.op.type === "ok").length,
    failed: failed.length,
    edges: g.src.length,
    components: 0,
    searchSteps: 0,
  };
  const cycles = findCycles(g, options, history, violated, stats);
  found.push(...cycles);

  const anomalyCounts: Record<string, number> = {};
  for (const a of found) {
    anomalyCounts[a.kind] = (anomalyCounts[a.kind] ?? 0) + 1;
    for (const m of ISOLATION_MODELS) if (FORBIDS[m].includes(a.kind)) violated.add(m);
  }
  const status = {} as Record<IsolationModel, ModelStatus>;
  const empty = stats.ok === 0;
  for (const m of ISOLATION_MODELS) status[m] = violated.has(m) ? "violated" : empty ? "unknown" : "held";
  const isolation: IsolationResult = { status, strongest: strongest(status), anomalyCounts };
  const valid: Validity = models.some((m) => status[m] === "violated")
    ? false
    : models.some((m) => status[m] === "unknown")
      ? "unknown"
      : true;
  // Keep the anomalies the chosen models forbid first, and a bounded number of each kind.
  const forbidden = new Set(models.flatMap((m) => FORBIDS[m]));
  const perKind = new Map<string, number>();
  const anomalies = [...found]
    .sort((a, b) => Number(!forbidden.has(a.kind)) - Number(!forbidden.has(b.kind)))
    .filter((a) => {
      const n = perKind.get(a.kind) ?? 0;
      perKind.set(a.kind, n + 1);
      return n < KEEP_PER_KIND;
    });
  const verdict: TxnVerdict = { checker: "isolation", valid, anomalies, stats, isolation };
  if (empty) verdict.reason = "no transaction committed: nothing to judge";
  return verdict;
}

/** Models that held and that no other held model implies (ties: the later in the list). */
function strongest(status: Record<IsolationModel, ModelStatus>): string {
  const held = ISOLATION_MODELS.filter((m) => status[m] === "held");
  const top = held.filter((m, i) => !held.some((o, j) => o !== m && implies(o, m) && (!implies(m, o) || j > i)));
  return top.length ? top.join(" + ") : "none";
}

const CLASS_EDGE: Record<CycleClass, number> = { G0: WW, G1c: WR, "G-single": RW, "G-nonadjacent": RW, "G2-item": RW };

function findCycles(
  g: TxnGraph,
  options: TxnCheckOptions,
  history: readonly Op[],
  violated: Set<IsolationModel>,
  stats: Record<string, number>,
): Anomaly[] {
  const full = components(g, ALL, false);
  const nontrivial: number[] = [];
  for (let c = 0; c < full.count; c++) if (full.size[c] > 1) nontrivial.push(c);
  if (nontrivial.length === 0) return [];
  stats.components = nontrivial.length;
  // The linear pass: for each edge set, which components of the full graph hold a cycle in it.
  const byMode = new Map<string, { comps: Components; flags: Uint8Array }>();
  for (const mode of MODES) {
    const comps = mode.mask === ALL && !mode.product ? full : components(g, mode.mask, mode.product, full);
    byMode.set(mode.name, { comps, flags: cyclicWithin(g, full, comps, mode.product) });
  }
  const members = new Map<number, number[]>(); // transactions and barriers of each component
  for (const c of nontrivial) members.set(c, []);
  for (let v = 0; v < g.nodeCount; v++) members.get(full.comp[v])?.push(v);
  const local = new Int32Array(g.nodeCount).fill(-1);

  const out: Anomaly[] = [];
  const T = g.txns.length;
  for (const c of nontrivial) {
    const provedModels = new Set<IsolationModel>();
    for (const mode of MODES)
      if (byMode.get(mode.name)!.flags[c])
        for (const m of mode.models) {
          provedModels.add(m);
          violated.add(m);
        }
    const found = new Map<string, Anomaly>();
    const all = members.get(c)!,
      txnMembers = all.filter((v) => v < T);
    // Typed tables for the search unless the component is huge (then maps, bounded by the budget).
    let scratch: Scratch | undefined;
    if (all.length * STATES <= 1 << 24) {
      all.forEach((v, i) => {
        local[v] = i;
      });
      scratch = new Scratch(local, Int32Array.from(all));
    }
    const variants: ["" | "-process" | "-realtime", number, string, string][] = [
      ["", 0, "SI", "SER"],
      ["-process", PROCESS, "SI-process", "SER-process"],
      ["-realtime", PROCESS | REALTIME, "SI-realtime", "SER-realtime"],
    ];
    for (const [variant, extra, siMode, serMode] of variants) {
      for (const cls of CYCLE_CLASSES) {
        if (variant !== "" && (found.has(cls) || (variant === "-realtime" && found.has(cls + "-process")))) continue;
        // Gate and region: the edge set in which every cycle of this class lies.
        const gateMode =
          variant === "" && cls === "G0"
            ? "G0"
            : variant === "" && cls === "G1c"
              ? "G1"
              : cls === "G-single" || cls === "G-nonadjacent"
                ? siMode
                : serMode;
        const regionMode = variant === "" && cls === "G0" ? "G0" : variant === "" && cls === "G1c" ? "G1" : serMode;
        if (!byMode.get(gateMode)!.flags[c]) continue;
        const region = byMode.get(regionMode)!.comps;
        const automaton = AUTOMATA[cls](extra);
        const budget: SearchBudget = { steps: options.budget ?? 100_000 };
        let best: number[] | undefined;
        for (const s of txnMembers) {
          if (region.size[region.comp[s]] < 2 || !hasOut(g, s, CLASS_EDGE[cls], region.comp)) continue;
          const bound = best ? txnLength(g, best) : Infinity;
          const p = scratch
            ? shortestCycleIn(g, s, automaton, region.comp, budget, bound, scratch)
            : shortestCycleThrough(g, s, automaton, region.comp, budget, bound);
          if (p && (!best || txnLength(g, p) < txnLength(g, best))) best = p;
          if (budget.steps <= 0 || (best && txnLength(g, best) <= 2)) break;
        }
        stats.searchSteps += (options.budget ?? 100_000) - Math.max(0, budget.steps);
        if (!best) continue;
        const k = classify(g, best);
        const kind = k.cls + k.variant;
        if (found.has(kind)) continue;
        const a = cycleAnomaly(g, best, kind, options.workload, history);
        found.set(kind, a);
        out.push(a);
      }
    }
    // A model the linear pass proved violated, with no cycle found to show it: say so, with the component.
    const explained = new Set<IsolationModel>();
    for (const kind of found.keys()) for (const m of ISOLATION_MODELS) if (FORBIDS[m].includes(kind)) explained.add(m);
    const missing = [...provedModels].filter((m) => !explained.has(m));
    if (missing.length) {
      const ms = txnMembers;
      out.push({
        kind: "cycle-search-timeout",
        ops: opsOf(...ms.slice(0, 200).map((v) => g.txns[v])),
        evidence: { witness: opsOf(...ms.slice(0, 200).map((v) => g.txns[v])) },
        explanation: `These ${ms.length} transactions hold a dependency cycle that ${missing.join(", ")} forbid${missing.length === 1 ? "s" : ""} (proved by the linear pass), but the search for a shortest example ran out of its budget of ${options.budget ?? 100_000} steps; raise the budget to see one.`,
      });
    }
  }
  return out;
}

function hasOut(g: TxnGraph, v: number, type: number, region: Int32Array): boolean {
  for (let i = g.outStart[v]; i < g.outStart[v + 1]; i++) {
    const e = g.outEdge[i];
    if (g.type[e] === type && region[g.dst[e]] === region[v]) return true;
  }
  return false;
}

const txnLength = (g: TxnGraph, path: number[]) => path.reduce((n, e) => n + (g.dst[e] < g.txns.length ? 1 : 0), 0);

/** The isolation spectrum as a small table for people. */
export function formatIsolation(r: IsolationResult): string[] {
  const lines = ["isolation:"];
  const width = Math.max(...ISOLATION_MODELS.map((m) => m.length));
  for (const m of ISOLATION_MODELS) {
    const s = r.status[m];
    const why =
      s === "violated"
        ? ` (${
            Object.keys(r.anomalyCounts)
              .filter((k) => FORBIDS[m].includes(k))
              .join(", ") || "cycle"
          })`
        : "";
    lines.push(`  ${m.padEnd(width)}  ${s}${why}`);
  }
  const counts = Object.entries(r.anomalyCounts);
  if (counts.length) lines.push(`  anomalies: ${counts.map(([k, n]) => `${k} ×${n}`).join(", ")}`);
  lines.push(`  strongest model that held: ${r.strongest}`);
  return lines;
}
