// Convergence for registers whose values are not unique: after the faults are healed and writes have
// stopped, every node's final read of a key must return the same value. (With unique values the session
// checkers' convergence check also finds lost writes; equal values are all this one can compare.)
// An indeterminate write may still land after the client gave up on it — during the final reads. So nodes
// whose reads differ are not called divergent when, in real time, the reads change value only forward, each
// change to a value some indeterminate write or cas of the key could have set: that is a late write, seen
// before and after it landed. Their count is in the stats (`lateWrites`).
import type { Op } from "../../src/history/op.ts";
import { pairOperations } from "../../src/history/pairs.ts";
import type { Anomaly, Verdict } from "../types.ts";
import { keyId } from "../keys.ts";
import { witnessEvidence } from "../evidence.ts";

const isTuple = (v: unknown): v is [unknown, unknown] => Array.isArray(v) && v.length === 2;

/** Convergence's verdict when the history ends without final reads (both convergence checkers). */
export const noFinalReads = (): Verdict => ({
  checker: "convergence",
  valid: "unknown",
  anomalies: [],
  reason: "no final reads after the faults were healed: convergence cannot be judged",
});

export function checkFinalAgreement(history: readonly Op[]): Verdict {
  const ops = pairOperations(history);
  // Final reads: issued after the last fault event and the last write, by processes that only read.
  let cutoff = -1;
  for (const op of history) if (op.process === "nemesis") cutoff = Math.max(cutoff, op.index);
  const writers = new Set<number>();
  for (const o of ops)
    if (o.f !== "read") {
      writers.add(o.process);
      cutoff = Math.max(cutoff, o.complete?.index ?? o.invoke.index);
    }
  const finals = ops.filter(
    (o) => o.f === "read" && o.type === "ok" && !writers.has(o.process) && o.invoke.index > cutoff && isTuple(o.value),
  );
  if (finals.length === 0) return noFinalReads();
  const byKey = new Map<string, Map<string, FinalRead>>(); // key → node → last final read
  for (const o of finals) {
    const [k, v] = o.value as [unknown, unknown];
    const node = o.node ?? `process ${o.process}`;
    let m = byKey.get(keyId(k));
    if (!m) byKey.set(keyId(k), (m = new Map()));
    m.set(node, { value: v, index: o.complete!.index, invoked: o.invoke.index });
  }
  // Values an indeterminate write or cas could have set, per key.
  const late = new Map<string, Set<string>>();
  for (const o of ops) {
    if (o.type !== "info" || !isTuple(o.invoke.value)) continue;
    const [k, v] = o.invoke.value;
    const set = o.f === "write" ? v : o.f === "cas" && Array.isArray(v) && v.length === 2 ? v[1] : undefined;
    if (set === undefined) continue;
    let l = late.get(keyId(k));
    if (!l) late.set(keyId(k), (l = new Set()));
    l.add(JSON.stringify(set));
  }
  const anomalies: Anomaly[] = [];
  let lateWrites = 0;
  for (const [k, byNode] of byKey) {
    const distinct = new Map<string, string[]>();
    for (const [node, r] of byNode) {
      const s = JSON.stringify(r.value);
      distinct.set(s, [...(distinct.get(s) ?? []), node]);
    }
    if (distinct.size < 2) continue;
    const changes = lateChanges([...byNode.values()], late.get(k));
    if (changes !== undefined) {
      lateWrites += changes;
      continue;
    }
    const parts = [...distinct].map(([v, nodes]) => `${nodes.join(", ")} return${nodes.length === 1 ? "s" : ""} ${v}`);
    anomalies.push({
      kind: "divergent",
      key: k,
      ops: [...byNode.values()].map((r) => r.index).sort((a, b) => a - b),
      explanation: `Key ${k} never converged: after healing and the quiet period, ${parts.join("; ")}.`,
      evidence: witnessEvidence(
        [...byNode.values()].map((r) => r.index),
        "the final reads that disagree",
      ),
    });
  }
  return {
    checker: "convergence",
    valid: anomalies.length === 0,
    anomalies,
    stats: { finalReads: finals.length, keys: byKey.size, divergentKeys: anomalies.length, lateWrites },
  };
}

interface FinalRead {
  value: unknown;
  index: number;
  invoked: number;
}

/** How many late writes explain the reads, or undefined: in invocation order the value never returns to an
 *  earlier one, each new value is one a pending write could set, and the write can land between the two
 *  groups of reads (every read of the old value began before some read of the new one ended). */
function lateChanges(reads: FinalRead[], settable: Set<string> | undefined): number | undefined {
  if (!settable) return undefined;
  const groups: { value: string; lastInvoked: number; firstDone: number }[] = [];
  for (const r of [...reads].sort((a, b) => a.invoked - b.invoked)) {
    const v = JSON.stringify(r.value);
    const g = groups[groups.length - 1];
    if (g && g.value === v) {
      g.lastInvoked = Math.max(g.lastInvoked, r.invoked);
      g.firstDone = Math.min(g.firstDone, r.index);
      continue;
    }
    if (groups.some((x) => x.value === v)) return undefined; // back to an earlier value
    if (g && !settable.has(v)) return undefined; // nothing pending could set it
    groups.push({ value: v, lastInvoked: r.invoked, firstDone: r.index });
  }
  for (let i = 1; i < groups.length; i++) if (groups[i - 1].lastInvoked > groups[i].firstDone) return undefined;
  return groups.length - 1;
}
