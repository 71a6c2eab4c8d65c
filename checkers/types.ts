// What every checker returns. A checker is a pure function of the history: no I/O, no clock, no randomness.
import type { Op } from "../src/history/op.ts";

export type Validity = true | false | "unknown";

export interface Anomaly {
  kind: string; // e.g. "nonlinearizable", "stale-read", "read-your-writes", "lost-write"
  ops: number[]; // history indexes of the events that prove it
  explanation: string; // a sentence or two a person understands
  key?: string;
  details?: unknown; // checker-specific structured proof, machine-readable (the report does not read it)
  evidence?: Evidence; // the proof in a shape every checker shares: the report draws this, whatever the checker
}

/** One link of a proof: operation `from` (a history index) relates to `to` by `relation` ("ww", "wr",
 *  "rw", "session", "real time", "overwritten by"...), and `why` says so in a sentence. */
export interface Step {
  from: number;
  to: number;
  relation: string;
  why: string;
}

/** The proof of an anomaly, typed so the report draws any checker's without knowing it. Everything is
 *  optional; nodes and ops are named by history indexes (an op's completion, or its invocation if it never
 *  completed — either one finds it). */
export interface Evidence {
  /** The steps: a cycle when the last one ends where the first began, else a chain. */
  steps?: Step[];
  /** The nodes of a cycle in order, for a diagram; with their short names ("T1"…) and contents in words. */
  order?: number[];
  names?: string[];
  texts?: string[];
  /** A small set of ops that is itself a proof (e.g. a shrunk, minimal non-linearizable sub-history), and what it is. */
  witness?: number[];
  witnessText?: string;
  /** A legal order found before the contradiction (a linearization prefix): its last steps, each op with the
   *  state after it; `prefixLength` counts every step, also those left out. */
  prefix?: { index: number; op: string; state: string }[];
  prefixLength?: number;
  /** Ops that cannot come next after the prefix. */
  blocked?: { index: number; op: string }[];
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
