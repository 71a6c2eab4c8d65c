// What every checker returns. A checker is a pure function of the history: no I/O, no clock, no randomness.
import type { Op } from "../src/history/op.ts";

export type Validity = true | false | "unknown";

export interface Anomaly {
  kind: string;            // e.g. "nonlinearizable", "stale-read", "read-your-writes", "lost-write"
  ops: number[];           // history indexes of the events that prove it
  explanation: string;     // a sentence or two a person understands
  key?: string;
  details?: unknown;       // checker-specific structured proof (witness, chain), for the report
  evidence?: Evidence;     // typed proof of a cycle, drawn by the report whatever the checker
}

/** A cycle (or chain) of operations: `order` names each node by the history index of its completion (its
 *  invocation if it never completed); each step is an edge between two of them, with its relation and a sentence. */
export interface Evidence {
  order?: number[];
  /** Short names of the nodes in `order` ("T1"…), and each one's contents in words. */
  names?: string[];
  texts?: string[];
  steps?: { from: number; to: number; relation: string; why: string }[];
  /** Every history index involved. */
  witness?: number[];
  /** Faults in effect while it happened, in words. */
  faults?: string[];
}

export interface Verdict {
  checker: string;
  valid: Validity;
  anomalies: Anomaly[];
  stats?: Record<string, number>;
  /** Staleness samples in milliseconds (e.g. each add's time to visibility), for the report's lag plot. */
  lagsMs?: number[];
  /** Why the verdict is "unknown" (budget exhausted, unsupported ops...). */
  reason?: string;
  /** Partitions (keys) left undecided by an invalid verdict: the check stopped at, or soon after, the first
   *  refutation instead of spending its whole budget on them. */
  undecided?: string[];
}

export type Checker = (history: readonly Op[], options?: Record<string, unknown>) => Verdict;

/** Combines validities: any false wins, then any unknown, else true. */
export function merge(...vs: Validity[]): Validity {
  if (vs.includes(false)) return false;
  if (vs.includes("unknown")) return "unknown";
  return true;
}
