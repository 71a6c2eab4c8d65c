// The linearizability checker: pairs ops, splits them by the model's key, and searches each partition.
import type { Op } from "../../src/history/op.ts";
import { pairOperations, type Operation } from "../../src/history/pairs.ts";
import type { Anomaly, Verdict } from "../types.ts";
import type { Model } from "./model.ts";
import { searchLinearization, type SearchBudget, type SearchOp, type SearchResult } from "./wgl.ts";

export interface LinearizableOptions extends SearchBudget {
  model: Model;
  /** Check every partition and report every anomaly, instead of stopping at the first invalid key. */
  allAnomalies?: boolean;
}

export interface Partition { key: string; operations: Operation[]; search: SearchOp[] }

/** Splits a history into independently checkable partitions of model ops. */
export function partitionHistory(history: readonly Op[] | Operation[], model: Model): Partition[] {
  const operations = isOperations(history) ? history : pairOperations(history as readonly Op[]);
  const byKey = new Map<string, Partition>();
  for (const o of operations) {
    const m = model.prepare(o);
    if (!m) continue;
    const key = model.key ? model.key(o) : "";
    let p = byKey.get(key);
    if (!p) { p = { key, operations: [], search: [] }; byKey.set(key, p); }
    p.search.push({ id: p.search.length, op: m, call: o.invoke.index, ret: o.type === "info" || !o.complete ? Infinity : o.complete.index });
    p.operations.push(o);
  }
  return [...byKey.values()];
}

function isOperations(h: readonly Op[] | Operation[]): h is Operation[] {
  return h.length > 0 && "invoke" in (h[0] as object);
}

export function checkLinearizable(history: readonly Op[], options: LinearizableOptions): Verdict {
  const { model } = options;
  const partitions = partitionHistory(history, model);
  const anomalies: Anomaly[] = [];
  let unknown: string | undefined;
  let steps = 0, ops = 0;
  for (const p of partitions) {
    ops += p.search.length;
    const r = searchLinearization(model, p.search, options);
    steps += r.steps;
    if (r.valid === "unknown") unknown ??= `key ${JSON.stringify(p.key)}: ${r.reason}`;
    if (r.valid === false) {
      anomalies.push(explain(model, p, r));
      if (!options.allAnomalies) break;
    }
  }
  const verdict: Verdict = {
    checker: "linearizable",
    valid: anomalies.length > 0 ? false : unknown ? "unknown" : true,
    anomalies,
    stats: { operations: ops, partitions: partitions.length, steps },
  };
  if (verdict.valid === "unknown" && unknown) verdict.reason = unknown;
  return verdict;
}

export function explain(model: Model, p: Partition, r: SearchResult): Anomaly {
  const where = p.key === "" ? "" : ` on key ${JSON.stringify(p.key)}`;
  const desc = (id: number) => {
    const o = p.operations[id];
    return `process ${o.process} ${model.describeOp(p.search[id].op)} (ops ${o.invoke.index}${o.complete ? "–" + o.complete.index : ""})`;
  };
  const blocked = r.blocked.length ? r.blocked : [];
  const last = r.longest.length ? r.longest[r.longest.length - 1] : undefined;
  const stateText = last ? model.describeState(last.stateAfter) : model.describeState(model.init());
  const indexes = new Set<number>();
  for (const id of [...blocked, ...(last ? [last.id] : [])]) {
    const o = p.operations[id];
    indexes.add(o.invoke.index);
    if (o.complete) indexes.add(o.complete.index);
  }
  const explanation = blocked.length
    ? `Not linearizable${where}: after ${r.longest.length} operation(s) can be put in a legal order (leaving ${stateText}), ` +
      `${desc(blocked[0])} cannot be placed anywhere before it returned.`
    : `Not linearizable${where}: no order of the operations is legal.`;
  return {
    kind: "nonlinearizable",
    key: p.key,
    ops: [...indexes].sort((a, b) => a - b),
    explanation,
    details: {
      model: model.name,
      longest: r.longest.map((l) => ({ index: p.operations[l.id].invoke.index, op: model.describeOp(p.search[l.id].op), state: model.describeState(l.stateAfter) })),
      blocked: blocked.map((id) => ({ index: p.operations[id].invoke.index, op: model.describeOp(p.search[id].op) })),
    },
  };
}
