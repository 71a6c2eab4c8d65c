// Compares a run's results with a case's expectations. Expecting a violation is first-class:
// "async replicas must be flagged" is as much a regression test as "remote_apply must pass".
import type { Results } from "../run/check.ts";
import type { Expectation } from "./parse.ts";

export type Observed = "holds" | "violated" | "unknown" | "not checked" | "none" | "found" | "absent";

export interface Outcome {
  model: string;
  expected: Expectation;
  got: Observed;
  matched: boolean;
  /** Unknown is reported distinctly: it fails the case unless the case allows it. */
  unknown: boolean;
  note?: string;
}

const fromValid = (v: unknown): Observed => (v === true ? "holds" : v === false ? "violated" : "unknown");

/** What the results say about one model, checker or anomaly kind. */
export function observe(results: Results, key: string): Observed {
  const spectrum = (results as { spectrum?: { models?: Record<string, { status?: string }> } }).spectrum;
  const s = spectrum?.models?.[key]?.status;
  if (s !== undefined)
    return s === "held" || s === "holds"
      ? "holds"
      : s === "violated"
        ? "violated"
        : s === "unknown"
          ? "unknown"
          : "not checked";
  const iso = isolationOf(results)?.status?.[key]; // transactional isolation models (list-append, rw-register)
  if (iso !== undefined) return iso === "held" ? "holds" : iso === "violated" ? "violated" : "unknown";
  if (results.checkers[key]) return fromValid(results.checkers[key].valid);
  return "absent";
}

const isolationOf = (results: Results) =>
  (
    results.checkers.isolation as
      { isolation?: { status?: Record<string, string>; anomalyCounts?: Record<string, number> } } | undefined
  )?.isolation;

const countKind = (results: Results, key: string) => {
  const kinds = new Set([key, key.replace(/s$/, "")]);
  let n = 0;
  for (const v of Object.values(results.checkers)) for (const a of v.anomalies) if (kinds.has(a.kind)) n++;
  // The isolation checker counts every anomaly it found, beyond the ones it explains.
  return Math.max(n, isolationOf(results)?.anomalyCounts?.[key] ?? 0);
};

export function compare(results: Results, expect: Record<string, Expectation>, allowUnknown: string[]): Outcome[] {
  return Object.entries(expect).map(([model, expected]): Outcome => {
    if (expected === "none" || expected === "found") {
      const n = countKind(results, model);
      const got: Observed = n > 0 ? "found" : "none";
      return {
        model,
        expected,
        got,
        matched: got === expected,
        unknown: false,
        ...(n ? { note: `${n} anomal${n === 1 ? "y" : "ies"}` } : {}),
      };
    }
    const got = observe(results, model);
    if (got === "absent") {
      const available = [
        ...Object.keys((results as { spectrum?: { models?: object } }).spectrum?.models ?? {}),
        ...Object.keys(results.checkers),
      ];
      return {
        model,
        expected,
        got,
        matched: false,
        unknown: false,
        note: `no model or checker named ${JSON.stringify(model)} in this run (available: ${[...new Set(available)].join(", ")})`,
      };
    }
    if (got === "unknown")
      return { model, expected, got, matched: expected === "unknown" || allowUnknown.includes(model), unknown: true };
    return {
      model,
      expected,
      got,
      matched: got === expected,
      unknown: false,
      ...(got === "not checked" ? { note: "this workload cannot tell" } : {}),
    };
  });
}
