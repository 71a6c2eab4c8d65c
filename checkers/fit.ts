// Whether a history fits the checker asked to judge it. A checker that finds none of the operations it
// judges says "unknown" with the reason, never "valid" (it checked nothing); an operation it does not know
// means the history belongs to another workload, and is refused as bad input (exit 3), not guessed at.
import { HistoryError, type Op } from "../src/history/op.ts";
import type { Verdict } from "./types.ts";

/** The file a checker's HistoryError names; the CLI replaces it with the path it read. */
export const HISTORY = "<history>";

/** Throws for the first client op whose f the checker does not know. */
export function refuseUnknownOps(checker: string, history: readonly Op[], known: readonly string[]): void {
  for (const op of history) {
    if (op.process === "nemesis" || known.includes(op.f)) continue;
    throw new HistoryError(
      HISTORY,
      op.index + 1,
      "f",
      `the ${checker} checker does not know ${JSON.stringify(op.f)} (it judges ${known.map((f) => JSON.stringify(f)).join(", ")}): is this a ${checker} history? (check --workload names the workload)`,
    );
  }
}

/** Throws a value-shape problem for one op. */
export function badValue(op: Op, checker: string, expected: string): never {
  const shown = JSON.stringify(op.value);
  throw new HistoryError(
    HISTORY,
    op.index + 1,
    "value",
    `the ${checker} checker expects ${expected} for ${op.type} ${op.f}, got ${shown === undefined ? "nothing" : shown.length > 60 ? shown.slice(0, 60) + "…" : shown}`,
  );
}

/** The verdict for a history that holds nothing this checker judges. */
export function nothingToJudge(checker: string, reason: string, stats?: Record<string, number>): Verdict {
  return { checker, valid: "unknown", anomalies: [], ...(stats ? { stats } : {}), reason };
}
