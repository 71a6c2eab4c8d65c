// A counter per key: increments by positive deltas, and every read must lie between the sum of increments
// acknowledged before the read began and the sum of increments attempted (ok or indeterminate) before it ended.
import type { Op } from "../../src/history/op.ts";
import { pairOperations, type Operation } from "../../src/history/pairs.ts";
import { indexes, secs } from "../causal/graph.ts";
import { badValue, nothingToJudge, refuseUnknownOps } from "../fit.ts";
import type { Anomaly, Verdict } from "../types.ts";
import { keyId } from "../keys.ts";
import { witnessEvidence } from "../evidence.ts";

const isTuple = (v: unknown): v is [unknown, unknown] =>
  Array.isArray(v) && v.length === 2 && (typeof v[0] === "string" || typeof v[0] === "number");

export function checkCounter(history: readonly Op[], options: { maxAnomalies?: number } = {}): Verdict {
  const max = options.maxAnomalies ?? 50;
  const anomalies: Anomaly[] = [];
  refuseUnknownOps("counter", history, ["incr", "read"]);
  const byKey = new Map<string, { incrs: Operation[]; reads: Operation[] }>();
  for (const o of pairOperations(history)) {
    if (!isTuple(o.invoke.value) || (o.f === "incr" && typeof o.invoke.value[1] !== "number"))
      badValue(o.invoke, "counter", o.f === "incr" ? "[key, delta]" : "[key, null]");
    if (
      o.f === "read" &&
      o.type === "ok" &&
      !(isTuple(o.value) && (typeof o.value[1] === "number" || o.value[1] === null))
    )
      badValue(o.complete!, "counter", "[key, value]");
    const k = keyId((o.invoke.value as [unknown, unknown])[0]);
    let x = byKey.get(k);
    if (!x) byKey.set(k, (x = { incrs: [], reads: [] }));
    if (o.f === "incr" && o.type !== "fail") x.incrs.push(o);
    else if (o.f === "read" && o.type === "ok") x.reads.push(o);
  }
  let reads = 0,
    low = 0,
    high = 0;
  for (const [k, { incrs, reads: rs }] of byKey) {
    const delta = (o: Operation) => Number((o.invoke.value as [string, number])[1]);
    const acked = incrs
      .filter((o) => o.type === "ok")
      .map((o) => [o.complete!.index, delta(o)] as const)
      .sort((a, b) => a[0] - b[0]);
    const tried = incrs.map((o) => [o.invoke.index, delta(o)] as const).sort((a, b) => a[0] - b[0]);
    const sumBefore = (xs: readonly (readonly [number, number])[], index: number) => {
      let s = 0;
      for (const [i, d] of xs) {
        if (i >= index) break;
        s += d;
      }
      return s;
    };
    for (const r of rs) {
      reads++;
      const v = (r.value as [string, number | null])[1] ?? 0;
      const lower = sumBefore(acked, r.invoke.index),
        upper = sumBefore(tried, r.complete!.index);
      if (v >= lower && v <= upper) continue;
      if (v < lower) low++;
      else high++;
      if (anomalies.length >= max) continue;
      anomalies.push({
        kind: v < lower ? "counter-too-low" : "counter-too-high",
        key: k,
        ops: indexes(r),
        explanation:
          v < lower
            ? `Session ${r.process}'s read of counter ${k} at ${secs(r.invoke.time)} on ${r.node ?? "?"} returned ${v}, but increments totalling ${lower} had been acknowledged before it began (allowed range ${lower}–${upper}): acknowledged increments are missing.`
            : `Session ${r.process}'s read of counter ${k} at ${secs(r.invoke.time)} on ${r.node ?? "?"} returned ${v}, more than the ${upper} attempted before it ended (allowed range ${lower}–${upper}).`,
        details: { value: v, lower, upper },
        evidence: witnessEvidence(indexes(r), `the read (the allowed range was ${lower}–${upper})`),
      });
    }
  }
  if (reads === 0)
    return nothingToJudge(
      "counter",
      "no reads completed ok: nothing to compare the increments with (is this a counter history?)",
      { keys: byKey.size, reads: 0 },
    );
  return {
    checker: "counter",
    valid: anomalies.length === 0,
    anomalies,
    stats: { keys: byKey.size, reads, tooLow: low, tooHigh: high },
  };
}
