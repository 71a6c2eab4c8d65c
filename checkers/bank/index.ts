// Bank invariants: transfers move money between accounts, so every read of all accounts must sum to the
// opening total, and (when the store refuses overdrafts) no balance may be negative.
// Jepsen's bank workload reads with `:read`; it is imported as `read-all` (src/history/formats/workloads.ts).
// Without `accounts`, the accounts are those the reads name; without `total`, the total is the sum most
// reads agree on (Jepsen's own checker takes it from the test; a history alone does not say).
import type { Op } from "../../src/history/op.ts";
import { pairOperations, type Operation } from "../../src/history/pairs.ts";
import { indexes, secs } from "../causal/graph.ts";
import { badValue, nothingToJudge, refuseUnknownOps } from "../fit.ts";
import type { Anomaly, Verdict } from "../types.ts";
import { witnessEvidence } from "../evidence.ts";

export interface BankOptions {
  accounts?: string[];
  total?: number;
  allowNegative?: boolean;
  maxAnomalies?: number;
}

const isBalances = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

export function checkBank(history: readonly Op[], o: BankOptions = {}): Verdict {
  refuseUnknownOps("bank", history, ["transfer", "read-all"]);
  const max = o.maxAnomalies ?? 50;
  const anomalies: Anomaly[] = [];
  const reads: Operation[] = [];
  for (const op of pairOperations(history)) {
    if (op.f !== "read-all" || op.type !== "ok") continue;
    if (!isBalances(op.value)) badValue(op.complete!, "bank", "a map of account → balance");
    reads.push(op);
  }
  if (reads.length === 0)
    return nothingToJudge(
      "bank",
      "no read-all operations completed ok: is this a bank history? (Jepsen's :read of all balances is imported as read-all)",
      { reads: 0 },
    );
  const accounts = o.accounts ?? [...new Set(reads.flatMap((r) => Object.keys(r.value as object)))].sort();
  const sumOf = (v: Record<string, unknown>) =>
    accounts.reduce((s, a) => s + (typeof v[a] === "number" ? (v[a] as number) : 0), 0);
  let total = o.total,
    inferred = false;
  if (total === undefined) {
    total = modalSum(reads.map((r) => sumOf(r.value as Record<string, unknown>)));
    inferred = true;
  }
  const totalWords = inferred ? `${total} (the total most reads agree on; set it with --wopt total=N)` : String(total);
  let wrongTotal = 0,
    negative = 0;
  for (const op of reads) {
    const v = op.value as Record<string, unknown>;
    const where = `read at ${secs(op.invoke.time)} on ${op.node ?? "?"} by session ${op.process}`;
    const shown = JSON.stringify(v);
    const bad = accounts.filter((a) => typeof v[a] !== "number");
    if (bad.length) {
      wrongTotal++;
      if (anomalies.length < max)
        anomalies.push({
          kind: "missing-account",
          ops: indexes(op),
          explanation: `A ${where} has no balance for ${bad.join(", ")}: ${shown}.`,
          evidence: witnessEvidence(indexes(op), "the read"),
        });
      continue;
    }
    const sum = sumOf(v);
    if (sum !== total) {
      wrongTotal++;
      if (anomalies.length < max)
        anomalies.push({
          kind: "wrong-total",
          ops: indexes(op),
          explanation: `A ${where} sums to ${sum}, not ${totalWords}: money was ${sum > total ? "created" : "destroyed"} (${shown}).`,
          details: { total: sum, expected: total },
          evidence: witnessEvidence(indexes(op), "the read"),
        });
    }
    const neg = accounts.filter((a) => (v[a] as number) < 0);
    if (neg.length && !o.allowNegative) {
      negative++;
      if (anomalies.length < max)
        anomalies.push({
          kind: "negative-balance",
          ops: indexes(op),
          explanation: `A ${where} shows a negative balance for ${neg.map((a) => `${a}=${v[a]}`).join(", ")}, which the store promises never to allow.`,
          evidence: witnessEvidence(indexes(op), "the read"),
        });
    }
  }
  return {
    checker: "bank",
    valid: anomalies.length === 0,
    anomalies,
    stats: {
      reads: reads.length,
      accounts: accounts.length,
      total,
      totalInferred: inferred ? 1 : 0,
      wrongTotal,
      negative,
    },
  };
}

/** The most common sum; on a tie, the one read first. */
function modalSum(sums: number[]): number {
  const count = new Map<number, number>();
  for (const s of sums) count.set(s, (count.get(s) ?? 0) + 1);
  let best = sums[0];
  for (const s of sums) if (count.get(s)! > count.get(best)!) best = s;
  return best;
}
