// Runs a suite's cases one after another and decides, per case, whether every expectation matched.
import { join } from "node:path";
import { run } from "../run/runner.ts";
import type { RunConfig } from "../run/config.ts";
import { compare, type Outcome } from "./expect.ts";
import type { Suite, SuiteCase } from "./parse.ts";

export interface CaseAttempt {
  seed: string;
  dir?: string;
  outcomes: Outcome[];
  error?: string;
  seconds: number;
}
export interface CaseResult {
  case: SuiteCase;
  attempts: CaseAttempt[];
  passed: boolean;
  seconds: number;
}

/** Seeds for repeats: numeric seeds count up, others get a suffix, so each repeat is reproducible alone. */
export const repeatSeed = (seed: string, i: number) =>
  i === 0 ? seed : /^\d+$/.test(seed) ? String(Number(seed) + i) : `${seed}-${i}`;

export async function runCase(
  c: SuiteCase,
  repeat = c.repeat,
  hooks: { onAttempt?: (a: CaseAttempt) => void; abort?: Promise<unknown>; onChecking?: (events: number) => void } = {},
): Promise<CaseResult> {
  const attempts: CaseAttempt[] = [];
  for (let i = 0; i < repeat; i++) {
    const config: RunConfig = { ...c.config, seed: repeatSeed(c.config.seed, i) };
    const started = performance.now();
    let attempt: CaseAttempt;
    try {
      const out = await run(config, { abort: hooks.abort, onChecking: hooks.onChecking });
      attempt = {
        seed: config.seed,
        dir: out.dir,
        outcomes: compare(out.results, c.expect, c.allowUnknown),
        seconds: (performance.now() - started) / 1000,
      };
      if (out.interrupted) attempt.error = "interrupted";
    } catch (e) {
      attempt = {
        seed: config.seed,
        outcomes: [],
        error: (e as Error).message ?? String(e),
        seconds: (performance.now() - started) / 1000,
      };
    }
    attempts.push(attempt);
    hooks.onAttempt?.(attempt);
  }
  const passed = attempts.every((a) => !a.error && a.outcomes.every((o) => o.matched));
  return { case: c, attempts, passed, seconds: attempts.reduce((s, a) => s + a.seconds, 0) };
}

export function selectCases(suite: Suite, names: string[] | undefined): SuiteCase[] {
  if (!names?.length) return suite.cases;
  const missing = names.filter((n) => !suite.cases.some((c) => c.name === n));
  if (missing.length)
    throw new Error(
      `no case named ${missing.map((m) => JSON.stringify(m)).join(", ")} in ${suite.file}; cases: ${suite.cases.map((c) => c.name).join(", ")}`,
    );
  return suite.cases.filter((c) => names.includes(c.name));
}

export const reportPath = (dir?: string) => (dir ? join(dir, "report.html") : "-");

/** One line per mismatch, naming the case and model. */
export function mismatches(r: CaseResult): string[] {
  const out: string[] = [];
  for (const a of r.attempts) {
    if (a.error) out.push(`${r.case.name} (seed ${a.seed}): run failed: ${a.error}`);
    for (const o of a.outcomes)
      if (!o.matched)
        out.push(
          `${r.case.name} (seed ${a.seed}): ${o.model}: expected ${o.expected}, got ${o.got}${o.unknown ? " (unknown is not allowed for this case)" : ""}${o.note ? ` — ${o.note}` : ""}; report: ${reportPath(a.dir)}`,
        );
  }
  return out;
}
