// The chat workload's user-visible causal symptom: a reader's view of a conversation shows a reply without
// the message it answers (or without another message its sender had seen when replying). Also the chat
// history as causal events, so the generic causal checker (CC bad patterns) runs on it.
import type { Op } from "../../src/history/op.ts";
import { pairOperations, type Operation } from "../../src/history/pairs.ts";
import { indexes, PRESENT, secs, type Adapter } from "../causal/graph.ts";
import { badValue, nothingToJudge, refuseUnknownOps } from "../fit.ts";
import type { Anomaly, Verdict } from "../types.ts";
import { step, stepsEvidence } from "../evidence.ts";

export interface Message {
  conv: string;
  id: string;
  parent: string | null;
  seen: string[];
}

const isMessage = (m: unknown): m is Message =>
  !!m && typeof m === "object" && typeof (m as Message).id === "string" && Array.isArray((m as Message).seen);

/** post [conv, id] → [conv, message] writes "<conv>/<id>" after reading what it saw; scan [prefix] reads a whole conversation. */
export const chatAdapter: Adapter = (op: Operation) => {
  if (op.f === "post") {
    const [conv, x] = op.value as [string, unknown];
    const id = isMessage(x) ? x.id : String(x);
    const reads = new Map<string, unknown>();
    if (isMessage(x)) for (const s of x.seen) reads.set(`${conv}/${s}`, PRESENT);
    return { reads, writes: new Map([[`${conv}/${id}`, id]]) };
  }
  if (op.f === "scan") {
    const [prefix] = op.invoke.value as [string];
    const reads = new Map<string, unknown>();
    if (op.type === "ok" && op.value && typeof op.value === "object")
      for (const k of Object.keys(op.value)) reads.set(k, PRESENT);
    return { reads, domains: [prefix] };
  }
  return null;
};

export function checkChat(history: readonly Op[], options: { maxAnomalies?: number } = {}): Verdict {
  const max = options.maxAnomalies ?? 50;
  refuseUnknownOps("chat", history, ["post", "scan"]);
  const ops = pairOperations(history);
  for (const o of ops) {
    if (o.f === "post" && !(Array.isArray(o.value) && o.value.length === 2))
      badValue(o.type === "ok" ? o.complete! : o.invoke, "chat", "[conversation, message]");
    if (o.f === "scan" && !(Array.isArray(o.invoke.value) && typeof o.invoke.value[0] === "string"))
      badValue(o.invoke, "chat", "[conversation prefix]");
  }
  const posted = new Map<string, Operation>(); // "<conv>/<id>" → post
  for (const o of ops)
    if (o.f === "post") {
      const [conv, x] = o.value as [string, unknown];
      posted.set(`${conv}/${isMessage(x) ? x.id : String(x)}`, o);
    }
  const anomalies: Anomaly[] = [];
  const reported = new Set<string>();
  let views = 0,
    gaps = 0,
    orphans = 0;
  for (const o of ops) {
    if (o.f !== "scan" || o.type !== "ok" || !o.value || typeof o.value !== "object") continue;
    views++;
    const view = o.value as Record<string, unknown>;
    for (const [k, m] of Object.entries(view)) {
      if (!isMessage(m)) continue;
      for (const dep of m.seen) {
        const dk = `${m.conv}/${dep}`;
        if (dk in view) continue;
        const isParent = dep === m.parent;
        if (isParent) orphans++;
        else gaps++;
        const tag = `${o.process}|${k}|${dep}`;
        if (reported.has(tag) || anomalies.length >= max) continue;
        reported.add(tag);
        const p = posted.get(dk),
          r = posted.get(k);
        anomalies.push({
          kind: isParent ? "reply-without-parent" : "reply-without-context",
          key: k,
          ops: indexes(...(p ? [p] : []), ...(r ? [r] : []), o),
          explanation: `Session ${o.process}'s view of conversation ${m.conv} at ${secs(o.invoke.time)} on ${o.node ?? "?"} showed ${isParent ? "reply" : "message"} ${m.id}${r ? ` (posted by session ${r.process})` : ""} without ${isParent ? "its parent" : "message"} ${dep}${p ? ` (posted by session ${p.process}${p.type === "ok" ? `, acknowledged at ${secs(p.complete!.time)}` : ""})` : ""}${isParent ? "" : `, which ${m.id}'s sender had seen`}.`,
          evidence: stepsEvidence(
            [
              ...(p
                ? [
                    step(
                      p.invoke.index,
                      r ? r.invoke.index : o.invoke.index,
                      isParent ? "replied to by" : "seen before",
                      `${m.id} was posted after its sender had seen ${dep}`,
                    ),
                  ]
                : []),
              ...(r
                ? [step(r.invoke.index, o.invoke.index, "shown without", `the view shows ${m.id} but not ${dep}`)]
                : []),
            ],
            { witness: indexes(...(p ? [p] : []), ...(r ? [r] : []), o) },
          ),
        });
      }
    }
  }
  if (views === 0)
    return nothingToJudge(
      "chat",
      "no scans completed ok: no view of a conversation to judge (is this a chat history?)",
      { views: 0 },
    );
  return {
    checker: "chat",
    valid: anomalies.length === 0,
    anomalies,
    stats: { views, repliesWithoutParent: orphans, repliesWithoutContext: gaps },
  };
}
