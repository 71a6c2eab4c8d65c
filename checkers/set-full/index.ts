// Jepsen's set-full analysis: adds of unique elements and reads of the whole set *during* the run (not only
// at the end). Per element, with its known time — the add's acknowledgement or the first read that showed it,
// whichever came first — and the reads that began after it:
//   stable      every read after some point shows it (latency: known → just after the last read that missed it);
//   stale       stable, but some read that began after it was known missed it (latency > 0);
//   lost        known, and the last read that began after it was known does not show it (after one that did,
//               or with none that did): an acknowledged element disappeared;
//   never-read  no read began after it was known (nothing can be said).
// Also elements that no add attempted (`unexpected`), and elements a read shows more than once (`duplicated`).
// Valid: no lost, unexpected or duplicated elements (and, with linearizable: true, no stale ones); unknown
// when no element is stable or lost (e.g. no read came after any add). Values are [key, element] and
// [key, [elements…]] (Jepsen's plain values are imported with the single key "s"); each key is its own set.
import type { Op } from "../../src/history/op.ts";
import { pairOperations, type Operation } from "../../src/history/pairs.ts";
import { indexes, secs } from "../causal/graph.ts";
import { nothingToJudge, refuseUnknownOps } from "../fit.ts";
import { validateSetOps } from "../set/index.ts";
import type { Anomaly, Verdict } from "../types.ts";
import { keyId } from "../keys.ts";
import { step, stepsEvidence, witnessEvidence } from "../evidence.ts";

export interface SetFullOptions {
  linearizable?: boolean;
  maxAnomalies?: number;
}

/** An element's identity: numbers as themselves (most sets hold integers), anything else as its JSON text. */
type Id = number | string;
const id = (x: unknown): Id => (typeof x === "number" ? x : JSON.stringify(x));
const label = (x: Id) => (typeof x === "number" ? String(x) : x);

interface Element {
  x: Id;
  add?: Operation;
  known?: { time: number; index: number; op: Operation };
  /** Position (in the key's reads, by invocation) of the last read that showed it, and where that run of reads showing it began. */
  prev?: number;
  runStart?: number;
}

export function checkSetFull(history: readonly Op[], o: SetFullOptions = {}): Verdict {
  refuseUnknownOps("set-full", history, ["add", "read"]);
  const max = o.maxAnomalies ?? 50;
  const ops = pairOperations(history);
  validateSetOps("set-full", ops);
  const reads = ops.filter((r) => r.f === "read" && r.type === "ok");
  if (!reads.length)
    return nothingToJudge(
      "set-full",
      "no reads completed ok: nothing shows what the set holds (is this a set-full history?)",
      { reads: 0 },
    );
  const anomalies: Anomaly[] = [];
  const push = (a: Anomaly) => {
    if (anomalies.length < max) anomalies.push(a);
  };
  const byKey = new Map<string, { elements: Map<Id, Element>; reads: Operation[] }>();
  const keyOf = (r: Operation) => keyId((r.invoke.value as unknown[])[0]);
  const get = (k: string) => {
    let s = byKey.get(k);
    if (!s) byKey.set(k, (s = { elements: new Map(), reads: [] }));
    return s;
  };
  for (const a of ops)
    if (a.f === "add") {
      const x = id((a.invoke.value as unknown[])[1]);
      get(keyOf(a)).elements.set(x, { x, add: a });
    }
  for (const r of reads) get(keyOf(r)).reads.push(r);
  const counts = { stable: 0, stale: 0, lost: 0, neverRead: 0, unexpected: 0, duplicated: 0 };
  const stableLat: number[] = [],
    lostLat: number[] = [];
  for (const [k, { elements, reads: rs }] of byKey) {
    rs.sort((a, b) => a.invoke.index - b.invoke.index);
    // Known time: the add's acknowledgement, or the completion of the first read that showed the element.
    for (const e of elements.values())
      if (e.add?.type === "ok") e.known = { time: e.add.complete!.time, index: e.add.complete!.index, op: e.add };
    for (const [i, r] of rs.entries()) {
      const shown = ((r.value as unknown[])[1] ?? []) as unknown[];
      const ids = shown.map(id);
      const seen = new Set<Id>();
      for (const x of ids) {
        if (seen.has(x)) {
          counts.duplicated++;
          push({
            kind: "duplicated-element",
            key: k,
            ops: indexes(r),
            explanation: `A read of set ${k} at ${secs(r.invoke.time)} on ${r.node ?? "?"} shows ${label(x)} more than once.`,
            evidence: witnessEvidence(indexes(r), "the read"),
          });
        }
        seen.add(x);
        let e = elements.get(x);
        if (!e) {
          elements.set(x, (e = { x }));
          counts.unexpected++;
          push({
            kind: "unexpected-element",
            key: k,
            ops: indexes(r),
            explanation: `${label(x)} appeared in set ${k} (read at ${secs(r.invoke.time)} on ${r.node ?? "?"}), but no add of it was attempted.`,
            evidence: witnessEvidence(indexes(r), "the read"),
          });
        }
        if (!e.known || r.complete!.index < e.known.index)
          e.known = { time: r.complete!.time, index: r.complete!.index, op: r };
        if (e.prev !== i) {
          if (e.prev !== i - 1) e.runStart = i;
          e.prev = i;
        }
      }
    }
    for (const e of elements.values()) {
      if (!e.add || !e.known) {
        if (e.add) counts.neverRead++;
        continue;
      }
      // One pass over the reads found the last read showing it and the run of reads showing it up to there:
      // stable if the last read shows it (the read before that run is the last that missed it), else the
      // last read is the last that missed it.
      const shownLast = e.prev === rs.length - 1;
      const lastPresent = e.prev === undefined ? undefined : rs[e.prev];
      const lastAbsent = shownLast ? (e.runStart! > 0 ? rs[e.runStart! - 1] : undefined) : rs[rs.length - 1];
      const inv = (r?: Operation) => (r ? r.invoke.index : -1);
      if (lastPresent && inv(lastAbsent) < inv(lastPresent)) {
        counts.stable++;
        const latency = lastAbsent ? Math.max(0, lastAbsent.invoke.time + 1 - e.known.time) / 1e6 : 0;
        stableLat.push(latency);
        if (latency > 0) {
          counts.stale++;
          if (o.linearizable)
            push({
              kind: "stale-read",
              key: k,
              ops: indexes(...(e.add ? [e.add] : []), lastAbsent!),
              explanation: `${label(e.x)} was known to be in set ${k} at ${secs(e.known.time)}, but a read that began at ${secs(lastAbsent!.invoke.time)} missed it (it showed up for good ${latency.toFixed(1)} ms after it was known).`,
              evidence: e.add
                ? stepsEvidence([
                    step(
                      e.add.invoke.index,
                      lastAbsent!.invoke.index,
                      "missed by",
                      `${label(e.x)} was known to be in the set before this read began, which missed it`,
                    ),
                  ])
                : witnessEvidence(indexes(lastAbsent!), "the read that missed it"),
            });
        }
      } else if (lastAbsent && inv(lastAbsent) > inv(lastPresent) && lastAbsent.invoke.index > e.known.index) {
        counts.lost++;
        lostLat.push(lastPresent ? Math.max(0, lastPresent.invoke.time + 1 - e.known.time) / 1e6 : 0);
        const how =
          e.add.type === "ok"
            ? `acknowledged at ${secs(e.add.complete!.time)}`
            : `seen by a read at ${secs(e.known.op.invoke.time)} though its add ${e.add.type === "fail" ? "failed" : "was indeterminate"}`;
        push({
          kind: "lost-element",
          key: k,
          ops: indexes(e.add, ...(lastPresent ? [lastPresent] : []), lastAbsent),
          explanation: `Element lost: session ${e.add.process} added ${label(e.x)} to set ${k} (${how}), ${lastPresent ? `a read at ${secs(lastPresent.invoke.time)} still showed it, ` : ""}but the last read, at ${secs(lastAbsent.invoke.time)} on ${lastAbsent.node ?? "?"}, does not.`,
          evidence: stepsEvidence(
            lastPresent
              ? [
                  step(e.add.invoke.index, lastPresent.invoke.index, "seen by", `a read showed ${label(e.x)}`),
                  step(
                    lastPresent.invoke.index,
                    lastAbsent.invoke.index,
                    "then lost by",
                    `the last read does not show it`,
                  ),
                ]
              : [
                  step(
                    e.add.invoke.index,
                    lastAbsent.invoke.index,
                    "lost by",
                    `the last read does not show ${label(e.x)}`,
                  ),
                ],
          ),
        });
      } else counts.neverRead++;
    }
  }
  const q = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0;
  };
  const stats = {
    keys: byKey.size,
    reads: reads.length,
    attempts: ops.filter((a) => a.f === "add").length,
    stableCount: counts.stable,
    lostCount: counts.lost,
    neverReadCount: counts.neverRead,
    staleCount: counts.stale,
    unexpectedCount: counts.unexpected,
    duplicatedCount: counts.duplicated,
    stableLatencyMsP50: q(stableLat, 0.5),
    stableLatencyMsP95: q(stableLat, 0.95),
    stableLatencyMsMax: q(stableLat, 1),
    lostLatencyMsMax: q(lostLat, 1),
  };
  if (anomalies.length) return { checker: "set-full", valid: false, anomalies, stats, lagsMs: stableLat };
  if (counts.stable === 0)
    return {
      checker: "set-full",
      valid: "unknown",
      anomalies,
      stats,
      reason: "no element became stable or was lost: no read began after any add was known",
    };
  return { checker: "set-full", valid: true, anomalies, stats, lagsMs: stableLat };
}
