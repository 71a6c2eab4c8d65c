// Convergence for registers whose values are not unique: after the faults are healed and writes have
// stopped, every node's final read of a key must return the same value. (With unique values the session
// checkers' convergence check also finds lost writes; equal values are all this one can compare.)
import type { Op } from "../../src/history/op.ts";
import { pairOperations } from "../../src/history/pairs.ts";
import type { Anomaly, Verdict } from "../types.ts";

const isTuple = (v: unknown): v is [unknown, unknown] => Array.isArray(v) && v.length === 2;

export function checkFinalAgreement(history: readonly Op[]): Verdict {
  const ops = pairOperations(history);
  // Final reads: issued after the last fault event and the last write, by processes that only read.
  let cutoff = -1;
  for (const op of history) if (op.process === "nemesis") cutoff = Math.max(cutoff, op.index);
  const writers = new Set<number>();
  for (const o of ops) if (o.f !== "read") { writers.add(o.process); cutoff = Math.max(cutoff, o.complete?.index ?? o.invoke.index); }
  const finals = ops.filter((o) => o.f === "read" && o.type === "ok" && !writers.has(o.process) && o.invoke.index > cutoff && isTuple(o.value));
  if (finals.length === 0) return { checker: "convergence", valid: "unknown", anomalies: [], reason: "no final reads after the faults were healed: convergence cannot be judged" };
  const byKey = new Map<string, Map<string, { value: unknown; index: number }>>();  // key → node → last final read
  for (const o of finals) {
    const [k, v] = o.value as [unknown, unknown];
    const node = o.node ?? `process ${o.process}`;
    let m = byKey.get(String(k));
    if (!m) byKey.set(String(k), (m = new Map()));
    m.set(node, { value: v, index: o.complete!.index });
  }
  const anomalies: Anomaly[] = [];
  for (const [k, byNode] of byKey) {
    const distinct = new Map<string, string[]>();
    for (const [node, r] of byNode) { const s = JSON.stringify(r.value); distinct.set(s, [...(distinct.get(s) ?? []), node]); }
    if (distinct.size < 2) continue;
    const parts = [...distinct].map(([v, nodes]) => `${nodes.join(", ")} return${nodes.length === 1 ? "s" : ""} ${v}`);
    anomalies.push({
      kind: "divergent", key: k, ops: [...byNode.values()].map((r) => r.index).sort((a, b) => a - b),
      explanation: `Key ${k} never converged: after healing and the quiet period, ${parts.join("; ")}.`,
    });
  }
  return { checker: "convergence", valid: anomalies.length === 0, anomalies, stats: { finalReads: finals.length, keys: byKey.size, divergentKeys: anomalies.length } };
}
