// A grow-only set per key (Jepsen's set test): adds during the run, then final reads on every node after
// healing. Finds acknowledged adds that were lost, adds that appeared though they failed (or were never
// attempted), replicas that never converged, and each add's time to visibility: from its acknowledgement
// until every node returns it for good (the read after which no read on that node misses it).
import type { Op } from "../../src/history/op.ts";
import { pairOperations, type Operation } from "../../src/history/pairs.ts";
import { indexes, secs } from "../causal/graph.ts";
import { badValue, nothingToJudge, refuseUnknownOps } from "../fit.ts";
import type { Anomaly, Verdict } from "../types.ts";
import { keyId } from "../keys.ts";
import { step, stepsEvidence, witnessEvidence } from "../evidence.ts";

const key = (o: Operation) => keyId((o.invoke.value as [unknown, unknown])[0]);
const elem = (o: Operation) => (o.invoke.value as [unknown, unknown])[1];
const id = (x: unknown) => JSON.stringify(x);
const isKey = (k: unknown) => typeof k === "string" || typeof k === "number";

/** Every op is a [key, element] add or a [key, null] read returning [key, elements]; else bad input. */
export function validateSetOps(checker: string, ops: readonly Operation[]): void {
  for (const o of ops) {
    const v = o.invoke.value;
    if (!Array.isArray(v) || v.length !== 2 || !isKey(v[0]))
      badValue(
        o.invoke,
        checker,
        o.f === "add" ? "[key, element] (Jepsen's plain elements are imported with --workload)" : "[key, null]",
      );
    if (o.f === "read" && o.type === "ok") {
      const r = o.value;
      if (!Array.isArray(r) || r.length !== 2 || !(r[1] === null || Array.isArray(r[1])))
        badValue(o.complete!, checker, "[key, [elements…]]");
    }
  }
}

export function checkSet(history: readonly Op[], options: { maxAnomalies?: number } = {}): Verdict {
  const max = options.maxAnomalies ?? 50;
  refuseUnknownOps("set", history, ["add", "read"]);
  const ops = pairOperations(history);
  validateSetOps("set", ops);
  if (!ops.some((o) => o.f === "read" && o.type === "ok"))
    return nothingToJudge("set", "no reads completed ok: nothing shows what the sets hold (is this a set history?)", {
      keys: 0,
      finalReads: 0,
    });
  const anomalies: Anomaly[] = [];
  const push = (a: Anomaly) => {
    if (anomalies.length < max) anomalies.push(a);
  };
  type K = { adds: Map<string, Operation>; reads: Operation[] };
  const keys = new Map<string, K>();
  const get = (k: string) => {
    let x = keys.get(k);
    if (!x) keys.set(k, (x = { adds: new Map(), reads: [] }));
    return x;
  };
  let cutoff = 0;
  for (const op of history) if (op.process === "nemesis") cutoff = Math.max(cutoff, op.time);
  const firstInvoke = new Map<number, number>();
  const adder = new Set<number>();
  for (const o of ops) {
    if (!firstInvoke.has(o.process)) firstInvoke.set(o.process, o.invoke.time);
    if (o.f === "add") {
      get(key(o)).adds.set(id(elem(o)), o);
      adder.add(o.process);
      cutoff = Math.max(cutoff, o.complete?.time ?? o.invoke.time);
    } else if (o.f === "read" && o.type === "ok") get(key(o)).reads.push(o);
  }
  // Final reads: by fresh processes after every add and fault (faultline's final phase); failing any,
  // Jepsen's convention: reads that began after every add and fault ended, by any process.
  const strictFinal = (o: Operation) => !adder.has(o.process) && firstInvoke.get(o.process)! > cutoff;
  const anyStrict = ops.some((o) => o.f === "read" && o.type === "ok" && strictFinal(o));
  const isFinal = anyStrict ? strictFinal : (o: Operation) => o.invoke.time > cutoff;
  const lags: number[] = [];
  let lost = 0,
    phantom = 0,
    neverVisible = 0,
    recovered = 0,
    finalReads = 0,
    divergent = 0;
  for (const [k, { adds, reads }] of keys) {
    const contents = reads.map((r) => new Set(((r.value as [string, unknown[] | null])[1] ?? []).map(id)));
    // Elements that should not be there.
    const reported = new Set<string>();
    reads.forEach((r, i) => {
      for (const x of contents[i]) {
        if (reported.has(x)) continue;
        const a = adds.get(x);
        if (a && a.type !== "fail") continue;
        reported.add(x);
        phantom++;
        push({
          kind: a ? "failed-add-visible" : "phantom-element",
          key: k,
          ops: indexes(...(a ? [a] : []), r),
          explanation: a
            ? `${x} appeared in set ${k} (read at ${secs(r.invoke.time)} on ${r.node ?? "?"}), though its add failed (op ${a.invoke.index}: ${a.error ?? "fail"}).`
            : `${x} appeared in set ${k} (read at ${secs(r.invoke.time)} on ${r.node ?? "?"}), but nobody added it.`,
          evidence: a
            ? stepsEvidence([step(a.invoke.index, r.invoke.index, "seen by", `the read shows ${x}, whose add failed`)])
            : witnessEvidence(indexes(r), `the read that shows ${x}`),
        });
      }
    });
    // Final state per node.
    const finalByNode = new Map<string, number>();
    reads.forEach((r, i) => {
      if (isFinal(r)) finalByNode.set(r.node ?? `process ${r.process}`, i);
    });
    finalReads += finalByNode.size;
    const finals = [...finalByNode.entries()];
    if (finals.length > 1) {
      const sig = finals.map(([, i]) => [...contents[i]].sort().join(","));
      if (new Set(sig).size > 1) {
        divergent++;
        const all = new Set(finals.flatMap(([, i]) => [...contents[i]]));
        const missing = finals.map(
          ([n, i]) =>
            `${n} has ${contents[i].size} (missing ${
              [...all]
                .filter((x) => !contents[i].has(x))
                .slice(0, 5)
                .join(", ") || "none"
            })`,
        );
        push({
          kind: "divergent",
          key: k,
          ops: indexes(...finals.map(([, i]) => reads[i])),
          explanation: `Set ${k} never converged: after healing and the quiet period, ${missing.join("; ")}.`,
          evidence: witnessEvidence(indexes(...finals.map(([, i]) => reads[i])), "the final reads that disagree"),
        });
      }
    }
    for (const [x, a] of adds) {
      if (a.type === "fail") continue;
      const inFinal = finals.some(([, i]) => contents[i].has(x));
      if (a.type === "info") {
        if (inFinal) recovered++;
        continue;
      }
      if (finals.length && !inFinal) {
        lost++;
        push({
          kind: "lost-add",
          key: k,
          ops: indexes(a, ...finals.map(([, i]) => reads[i])),
          explanation: `Acknowledged add lost: session ${a.process} added ${x} to ${k} on ${a.node ?? "?"} (acknowledged at ${secs(a.complete!.time)}), but no node's final read returns it.`,
          evidence: stepsEvidence(
            finals
              .slice(0, 8)
              .map(([n, i]) =>
                step(a.invoke.index, reads[i].invoke.index, "lost by", `the final read on ${n} does not return ${x}`),
              ),
          ),
        });
        continue;
      }
      // Time to visibility: per node, the first read after the last read that missed x.
      const ack = a.complete!.time;
      const byNode = new Map<string, { lastMiss: number; firstHit?: number }>();
      reads.forEach((r, i) => {
        const n = r.node ?? "?";
        let s = byNode.get(n);
        if (!s) byNode.set(n, (s = { lastMiss: -1 }));
        if (contents[i].has(x)) {
          if (s.firstHit === undefined || s.firstHit < s.lastMiss) s.firstHit = r.complete!.time;
        } else {
          s.lastMiss = r.complete!.time;
          s.firstHit = undefined;
        }
      });
      let worst = 0,
        never = false;
      for (const s of byNode.values()) {
        if (s.firstHit === undefined) never = true;
        else worst = Math.max(worst, s.firstHit);
      }
      if (never) {
        if (!finals.length) neverVisible++;
        continue;
      }
      lags.push(Math.max(0, worst - ack) / 1e6);
    }
  }
  lags.sort((a, b) => a - b);
  const q = (p: number) => (lags.length ? lags[Math.min(lags.length - 1, Math.floor(p * lags.length))] : 0);
  const stats = {
    keys: keys.size,
    finalReads,
    lostAdds: lost,
    unexpected: phantom,
    divergentKeys: divergent,
    recoveredIndeterminate: recovered,
    visibleAdds: lags.length,
    neverVisibleEverywhere: neverVisible,
    visibilityMsP50: q(0.5),
    visibilityMsP95: q(0.95),
    visibilityMsMax: lags.length ? lags[lags.length - 1] : 0,
  };
  if (finalReads === 0 && anomalies.length === 0)
    return {
      checker: "set",
      valid: "unknown",
      anomalies,
      stats,
      reason: "no final reads after the faults were healed: lost adds and convergence cannot be judged",
    };
  return { checker: "set", valid: anomalies.length === 0, anomalies, stats, lagsMs: lags };
}
