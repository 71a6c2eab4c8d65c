// Bank invariants: transfers move money between accounts, so every read of all accounts must sum to the
// opening total, and (when the store refuses overdrafts) no balance may be negative.
import type { Op } from "../../src/history/op.ts";
import { pairOperations } from "../../src/history/pairs.ts";
import { indexes, secs } from "../causal/graph.ts";
import type { Anomaly, Verdict } from "../types.ts";

export interface BankOptions { accounts: string[]; total: number; allowNegative?: boolean; maxAnomalies?: number }

export function checkBank(history: readonly Op[], o: BankOptions): Verdict {
  const max = o.maxAnomalies ?? 50;
  const anomalies: Anomaly[] = [];
  let reads = 0, wrongTotal = 0, negative = 0;
  for (const op of pairOperations(history)) {
    if (op.f !== "read-all" || op.type !== "ok") continue;
    reads++;
    const v = (op.value ?? {}) as Record<string, unknown>;
    const where = `read at ${secs(op.invoke.time)} on ${op.node ?? "?"} by session ${op.process}`;
    const shown = JSON.stringify(v);
    const bad = o.accounts.filter((a) => typeof v[a] !== "number");
    if (bad.length) {
      wrongTotal++;
      if (anomalies.length < max) anomalies.push({ kind: "missing-account", ops: indexes(op), explanation: `A ${where} has no balance for ${bad.join(", ")}: ${shown}.` });
      continue;
    }
    const sum = o.accounts.reduce((s, a) => s + (v[a] as number), 0);
    if (sum !== o.total) {
      wrongTotal++;
      if (anomalies.length < max) anomalies.push({ kind: "wrong-total", ops: indexes(op), explanation: `A ${where} sums to ${sum}, not ${o.total}: money was ${sum > o.total ? "created" : "destroyed"} (${shown}).`, details: { total: sum, expected: o.total } });
    }
    const neg = o.accounts.filter((a) => (v[a] as number) < 0);
    if (neg.length && !o.allowNegative) {
      negative++;
      if (anomalies.length < max) anomalies.push({ kind: "negative-balance", ops: indexes(op), explanation: `A ${where} shows a negative balance for ${neg.map((a) => `${a}=${v[a]}`).join(", ")}, which the store promises never to allow.` });
    }
  }
  return { checker: "bank", valid: anomalies.length === 0, anomalies, stats: { reads, wrongTotal, negative } };
}
