// Runs a workload's checkers over a history and combines their verdicts. Shared by `run` and `check`.
import { HistoryError, type Op } from "../history/op.ts";
import { merge, type Validity, type Verdict } from "../../checkers/types.ts";
import type { CheckBudget, NamedChecker } from "./types.ts";
import { formatSpectrum, spectrum, type Decides, type Spectrum } from "../../checkers/spectrum.ts";
import { formatIsolation, type IsolationResult } from "../../checkers/txn/index.ts";

export interface Results {
  valid: Validity;
  checkers: Record<string, Verdict>;
  /** Per consistency model: held, violated, unknown or not checked, and the strongest model that held. */
  spectrum?: Spectrum;
  /** Per isolation model (transactional workloads): held, violated or unknown; from the verdict that has it. */
  isolation?: IsolationResult;
}

/** The isolation result of the first verdict that carries one (the transactional checker's). */
function isolationOf(out: Record<string, Verdict>): { isolation?: IsolationResult } {
  for (const v of Object.values(out)) {
    const i = (v as { isolation?: IsolationResult }).isolation;
    if (i) return { isolation: i };
  }
  return {};
}

/** Each checker's declared models, by name. */
export const decidesOf = (checkers: NamedChecker[]): Decides =>
  Object.fromEntries(checkers.map((c) => [c.name, c.decides]));

export function runCheckers(history: readonly Op[], checkers: NamedChecker[]): Results {
  const out: Record<string, Verdict> = {};
  for (const c of checkers) {
    try {
      out[c.name] = c.check(history);
    } catch (e) {
      out[c.name] = failed(c.name, e);
    }
  }
  return resultsOf(out, checkers);
}

/** The verdict of a checker that threw: "unknown" with the reason. Bad input (HistoryError: ops the checker does
 *  not know) is rethrown, to exit 3, not judged. */
function failed(name: string, e: unknown): Verdict {
  if (e instanceof HistoryError) throw e;
  return { checker: name, valid: "unknown", anomalies: [], reason: `checker failed: ${(e as Error).message}` };
}

function resultsOf(out: Record<string, Verdict>, checkers: NamedChecker[]): Results {
  return {
    valid: merge(...Object.values(out).map((v) => v.valid)),
    checkers: out,
    spectrum: spectrum(out, decidesOf(checkers)),
    ...isolationOf(out),
  };
}

/** As runCheckers, but a checker with `checkAsync` runs that way, within `budget` (e.g. on worker threads
 *  with a wall-clock limit); the others run synchronously, one after another. */
export async function runCheckersAsync(
  history: readonly Op[],
  checkers: NamedChecker[],
  budget: CheckBudget = {},
): Promise<Results> {
  const out: Record<string, Verdict> = {};
  for (const c of checkers) {
    try {
      out[c.name] = c.checkAsync ? await c.checkAsync(history, budget) : c.check(history);
    } catch (e) {
      out[c.name] = failed(c.name, e);
    }
  }
  return resultsOf(out, checkers);
}

export const exitCodeFor = (v: Validity) => (v === true ? 0 : v === false ? 1 : 2);

/** Plain-text summary a person reads first. */
export function summarize(results: Results, opCounts?: Record<string, number>): string {
  const lines: string[] = [];
  const word = (v: Validity) => (v === true ? "VALID" : v === false ? "INVALID" : "UNKNOWN");
  lines.push(`verdict: ${word(results.valid)}`);
  if (opCounts)
    lines.push(
      `ops: ${Object.entries(opCounts)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ")}`,
    );
  for (const [name, v] of Object.entries(results.checkers)) {
    lines.push(
      `  ${name}: ${word(v.valid)}${v.anomalies.length ? ` (${v.anomalies.length} anomal${v.anomalies.length === 1 ? "y" : "ies"})` : ""}${v.reason ? ` — ${v.reason}` : ""}`,
    );
    for (const a of v.anomalies.slice(0, 5)) lines.push(`    - [${a.kind}] ${a.explanation}`);
    if (v.anomalies.length > 5) lines.push(`    … and ${v.anomalies.length - 5} more (see results.json)`);
  }
  if (results.spectrum) lines.push(...formatSpectrum(results.spectrum));
  if (results.isolation) lines.push(...formatIsolation(results.isolation));
  return lines.join("\n") + "\n";
}
