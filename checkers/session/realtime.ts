// Fast, sound proofs that a register history with unique values and blind writes is not linearizable, from
// real-time order alone (no search): a read that returns a value already overwritten by a write that began
// after it was acknowledged and ended before the read began; the initial value after an acknowledged write;
// a value whose write began only after the read ended; or a value nobody wrote. Used by the `session`
// workload before the full linearizability search, which it can skip when a proof is found.
import type { Op } from "../../src/history/op.ts";
import { pairOperations, type Operation } from "../../src/history/pairs.ts";
import { indexes, secs } from "../causal/graph.ts";
import type { Anomaly } from "../types.ts";
import { step, stepsEvidence, witnessEvidence } from "../evidence.ts";

const isTuple = (v: unknown): v is [string, unknown] => Array.isArray(v) && v.length === 2 && typeof v[0] === "string";

export function realTimeViolations(history: readonly Op[], max = 50): Anomaly[] {
  const byKey = new Map<string, { writes: Operation[]; reads: Operation[] }>();
  for (const o of pairOperations(history)) {
    if (!isTuple(o.invoke.value)) continue;
    const k = o.invoke.value[0];
    let x = byKey.get(k);
    if (!x) byKey.set(k, (x = { writes: [], reads: [] }));
    if (o.f === "write" && o.type !== "fail") x.writes.push(o);
    else if (o.f === "read" && o.type === "ok" && isTuple(o.value)) x.reads.push(o);
    else if (o.f !== "read" && o.f !== "write" && o.type !== "fail") return []; // cas or other ops: not blind writes
  }
  const out: Anomaly[] = [];
  for (const [k, { writes, reads }] of byKey) {
    const byValue = new Map(writes.map((w) => [JSON.stringify((w.invoke.value as [string, unknown])[1]), w]));
    // Acknowledged writes by completion index, with the latest invocation among those completed so far.
    const acked = writes.filter((w) => w.type === "ok").sort((a, b) => a.complete!.index - b.complete!.index);
    const bestInvoke: Operation[] = [];
    for (const w of acked)
      bestInvoke.push(
        !bestInvoke.length || w.invoke.index > bestInvoke[bestInvoke.length - 1].invoke.index
          ? w
          : bestInvoke[bestInvoke.length - 1],
      );
    const latestDoneBefore = (index: number) => {
      // the acknowledged write invoked last among those completed before index
      let lo = 0,
        hi = acked.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (acked[mid].complete!.index < index) lo = mid + 1;
        else hi = mid;
      }
      return lo ? bestInvoke[lo - 1] : undefined;
    };
    for (const r of reads) {
      if (out.length >= max) return out;
      const v = (r.value as [string, unknown])[1];
      const who = `process ${r.process} read ${k} → ${JSON.stringify(v)} at ${secs(r.invoke.time)} (ops ${r.invoke.index}–${r.complete!.index})`;
      const later = latestDoneBefore(r.invoke.index);
      if (v === null) {
        if (later)
          out.push({
            kind: "stale-read",
            key: k,
            ops: indexes(later, r),
            explanation: `Not linearizable on key ${JSON.stringify(k)}: ${who}, the initial value, although process ${later.process}'s write ${JSON.stringify(later.invoke.value)} was acknowledged at ${secs(later.complete!.time)}, before the read began.`,
            evidence: stepsEvidence([
              step(
                later.complete!.index,
                r.invoke.index,
                "acknowledged before",
                `the write was acknowledged before the read began, yet the read returned the initial value`,
              ),
            ]),
          });
        continue;
      }
      const w = byValue.get(JSON.stringify(v));
      if (!w) {
        out.push({
          kind: "nonlinearizable",
          key: k,
          ops: indexes(r),
          explanation: `Not linearizable on key ${JSON.stringify(k)}: ${who}, a value no write wrote.`,
          evidence: witnessEvidence(indexes(r), "a read of a value no write wrote"),
        });
        continue;
      }
      if (w.invoke.index > r.complete!.index) {
        out.push({
          kind: "nonlinearizable",
          key: k,
          ops: indexes(r, w),
          explanation: `Not linearizable on key ${JSON.stringify(k)}: ${who}, a value whose write began only at ${secs(w.invoke.time)}, after the read returned.`,
          evidence: stepsEvidence([
            step(
              r.complete!.index,
              w.invoke.index,
              "returned before",
              `the read returned the value before its write began`,
            ),
          ]),
        });
        continue;
      }
      if (w.type === "ok" && later && later !== w && later.invoke.index > w.complete!.index) {
        out.push({
          kind: "stale-read",
          key: k,
          ops: indexes(w, later, r),
          explanation: `Not linearizable on key ${JSON.stringify(k)}: ${who}, a value already overwritten — process ${later.process}'s write of ${JSON.stringify((later.invoke.value as [string, unknown])[1])} began at ${secs(later.invoke.time)}, after the write of ${JSON.stringify(v)} was acknowledged (${secs(w.complete!.time)}), and was acknowledged at ${secs(later.complete!.time)}, before the read began.`,
          evidence: stepsEvidence([
            step(
              w.complete!.index,
              later.invoke.index,
              "overwritten by",
              `the write of ${JSON.stringify(v)} was acknowledged before this write began`,
            ),
            step(
              later.complete!.index,
              r.invoke.index,
              "acknowledged before",
              `the overwrite was acknowledged before the read began, yet the read returned the older value`,
            ),
          ]),
        });
      }
    }
  }
  return out;
}
