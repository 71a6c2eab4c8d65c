// Jepsen's long-fork test (parallel snapshot isolation's signature anomaly, forbidden by snapshot isolation):
// every key is inserted once by a single-write transaction `[["w", k, 1]]`, and read-only transactions read
// whole groups of `group-size` keys, `[["r", k, v], …]` (nil/null: not inserted yet). Since a key only goes
// from nil to its one value, the reads of a group must form one chain, each seeing a superset of the one
// before; two reads where one saw x but not y and the other y but not x observed the two inserts in opposite
// orders: a long fork. Ops are `txn` ops as Jepsen writes them (passed through unchanged on import).
// Options: groupSize (default: the size of the first read; every read must cover one whole group).
import type { Op } from "../../src/history/op.ts";
import { pairOperations, type Operation } from "../../src/history/pairs.ts";
import { indexes, secs } from "../causal/graph.ts";
import { badValue, nothingToJudge, refuseUnknownOps, HISTORY } from "../fit.ts";
import { HistoryError } from "../../src/history/op.ts";
import type { Anomaly, Verdict } from "../types.ts";
import { step, stepsEvidence } from "../evidence.ts";

export interface LongForkOptions {
  groupSize?: number;
  maxAnomalies?: number;
}

type Mop = [string, unknown, unknown];
const isMop = (m: unknown): m is Mop => Array.isArray(m) && m.length === 3 && (m[0] === "r" || m[0] === "w");

export function checkLongFork(history: readonly Op[], o: LongForkOptions = {}): Verdict {
  refuseUnknownOps("long-fork", history, ["txn"]);
  const max = o.maxAnomalies ?? 50;
  const ops = pairOperations(history);
  const written = new Map<string, Operation>();
  const reads: { op: Operation; state: Map<string, unknown> }[] = [];
  for (const t of ops) {
    const v = t.type === "ok" ? t.value : t.invoke.value;
    const at = t.type === "ok" ? t.complete! : t.invoke;
    if (!Array.isArray(v) || v.length === 0 || !v.every(isMop))
      badValue(at, "long-fork", `a transaction: a list of ["r", key, value] or one ["w", key, value]`);
    const mops = v as Mop[];
    if (mops.every((m) => m[0] === "r")) {
      if (t.type === "ok") reads.push({ op: t, state: new Map(mops.map((m) => [JSON.stringify(m[1]), m[2]])) });
    } else if (mops.length === 1) {
      const k = JSON.stringify(mops[0][1]);
      const before = written.get(k);
      if (before)
        return nothingToJudge(
          "long-fork",
          `key ${k} is written twice (ops ${before.invoke.index} and ${t.invoke.index}): long-fork assumes one insert per key`,
          { reads: reads.length },
        );
      written.set(k, t);
    } else badValue(at, "long-fork", "a read-only transaction or a single write (long-fork mixes neither)");
  }
  if (!reads.length)
    return nothingToJudge(
      "long-fork",
      "no read-only transactions completed ok: nothing to compare (is this a long-fork history?)",
      { reads: 0, inserts: written.size },
    );
  const n = o.groupSize ?? reads[0].state.size;
  // Reads grouped by the keys they read; each must read exactly one group.
  const groups = new Map<string, { op: Operation; state: Map<string, unknown> }[]>();
  for (const r of reads) {
    if (r.state.size !== n)
      throw new HistoryError(
        HISTORY,
        r.op.complete!.index + 1,
        "value",
        `every read should read a group of ${n} keys (--wopt group-size=${n}${o.groupSize === undefined ? ", from the first read" : ""}), this one read ${r.state.size}`,
      );
    const g = [...r.state.keys()].sort().join(",");
    let l = groups.get(g);
    if (!l) groups.set(g, (l = []));
    l.push(r);
  }
  const anomalies: Anomaly[] = [];
  let forks = 0;
  for (const [g, rs] of groups) {
    // Distinct observed states only: equal reads compare alike.
    const distinct = new Map<string, (typeof rs)[number]>();
    for (const r of rs) {
      const sig = [...r.state.keys()]
        .sort()
        .map((k) => JSON.stringify(r.state.get(k) ?? null))
        .join(",");
      if (!distinct.has(sig)) distinct.set(sig, r);
    }
    const list = [...distinct.values()];
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i],
          b = list[j];
        let aOnly: string | undefined, bOnly: string | undefined, clash: string | undefined;
        for (const [k, va] of a.state) {
          const vb = b.state.get(k);
          const na = va === null || va === undefined,
            nb = vb === null || vb === undefined;
          if (na && nb) continue;
          if (!na && nb) aOnly ??= k;
          else if (na && !nb) bOnly ??= k;
          else if (JSON.stringify(va) !== JSON.stringify(vb)) clash ??= k;
        }
        if (clash)
          return nothingToJudge(
            "long-fork",
            `reads ${a.op.invoke.index} and ${b.op.invoke.index} saw different values of key ${clash}: long-fork assumes one insert per key`,
            { reads: reads.length, groups: groups.size },
          );
        if (!aOnly || !bOnly) continue;
        forks++;
        if (anomalies.length >= max) continue;
        const who = (r: Operation) =>
          `session ${r.process}'s read at ${secs(r.invoke.time)}${r.node ? ` on ${r.node}` : ""}`;
        const ins = [written.get(aOnly), written.get(bOnly)].filter((x): x is Operation => !!x);
        anomalies.push({
          kind: "long-fork",
          key: g,
          ops: indexes(a.op, b.op, ...ins),
          explanation: `Long fork over keys ${g}: ${who(a.op)} saw ${aOnly} inserted but not ${bOnly}, while ${who(b.op)} saw ${bOnly} but not ${aOnly}: the two inserts were observed in opposite orders, which no single order of transactions allows.`,
          evidence: stepsEvidence(
            [
              ...(written.get(aOnly)
                ? [
                    step(
                      written.get(aOnly)!.invoke.index,
                      a.op.invoke.index,
                      "seen by",
                      `the read saw ${aOnly} but not ${bOnly}`,
                    ),
                  ]
                : []),
              ...(written.get(bOnly)
                ? [
                    step(
                      written.get(bOnly)!.invoke.index,
                      b.op.invoke.index,
                      "seen by",
                      `the read saw ${bOnly} but not ${aOnly}`,
                    ),
                  ]
                : []),
            ],
            { witness: indexes(a.op, b.op, ...ins) },
          ),
        });
      }
  }
  return {
    checker: "long-fork",
    valid: forks === 0,
    anomalies,
    stats: { reads: reads.length, inserts: written.size, groups: groups.size, groupSize: n, forks },
  };
}
