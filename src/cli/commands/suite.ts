// `faultline suite run <file>`: CI regression tests for database configurations.
import type { Command } from "commander";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { readSuite } from "../../suite/parse.ts";
import { mismatches, reportPath, runCase, selectCases, type CaseResult } from "../../suite/run.ts";
import { junitXml } from "../../suite/junit.ts";
import { UsageError } from "../../errors.ts";
import { EXIT } from "../errors.ts";

const collect = (v: string, acc: string[]) => [...acc, v];

export function register(program: Command): void {
  const suite = program
    .command("suite")
    .description("run YAML suites of cases with expected verdicts (CI regression tests)");
  suite
    .command("run <file>")
    .description("run every case (or --case ones), print a table, exit 0 only if every expectation matched")
    .option("--case <name>", "run only this case (repeatable)", collect, [])
    .option("--junit <file>", "write JUnit XML here")
    .option("--repeat <n>", "run each case n times (seeds count up), overriding the file", (v) => Number(v))
    .option("--results <dir>", "results directory", "results")
    .action(async (file: string, o: { case: string[]; junit?: string; repeat?: number; results: string }) => {
      const s = await readSuite(file, o.results);
      let cases;
      try {
        cases = selectCases(s, o.case);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      if (o.repeat !== undefined && !(Number.isInteger(o.repeat) && o.repeat > 0))
        throw new UsageError(`--repeat must be a positive integer`);
      let abort!: () => void;
      const aborted = new Promise<void>((r) => (abort = r));
      let stopping = false;
      const onSignal = () => {
        if (stopping) process.exit(EXIT.interrupted);
        stopping = true;
        process.stderr.write(
          "\nfaultline: stopping the current case (healing its faults, or cancelling its check; again to force)\n",
        );
        abort();
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);

      const results: CaseResult[] = [];
      process.stdout.write(`suite ${s.name}: ${cases.length} case(s) from ${file}\n`);
      const header = ["case", "expected", "got", "time", "report"];
      const rows: string[][] = [];
      for (const c of cases) {
        if (stopping) break;
        process.stderr.write(`  running ${c.name}…\n`);
        const r = await runCase(c, o.repeat ?? c.repeat, {
          abort: aborted,
          onChecking: (n) => process.stderr.write(`  checking ${n} events…\n`),
        });
        results.push(r);
        const last = r.attempts[r.attempts.length - 1];
        const exp = Object.entries(c.expect)
          .map(([m, e]) => `${m}: ${e}`)
          .join(", ");
        const got = last.error
          ? `error: ${last.error}`
          : last.outcomes.map((x) => `${x.model}: ${x.got}${x.matched ? "" : " ✗"}`).join(", ");
        rows.push([
          `${r.passed ? "PASS" : "FAIL"} ${c.name}${r.attempts.length > 1 ? ` ×${r.attempts.length}` : ""}`,
          exp,
          got,
          `${r.seconds.toFixed(1)}s`,
          reportPath(last.dir),
        ]);
      }
      printTable(header, rows);
      const failed = results.filter((r) => !r.passed);
      for (const r of failed) for (const line of mismatches(r)) process.stdout.write(`✗ ${line}\n`);
      process.stdout.write(
        `${results.length - failed.length}/${results.length} case(s) passed${stopping ? " (interrupted)" : ""}\n`,
      );
      if (o.junit) {
        mkdirSync(dirname(o.junit), { recursive: true });
        writeFileSync(
          o.junit,
          junitXml(
            s.name,
            results.map((r) => {
              const m = mismatches(r);
              const errored =
                r.attempts.some((a) => a.error) && r.attempts.every((a) => a.outcomes.every((x) => x.matched));
              const base = { name: r.case.name, classname: `faultline.${s.name}`, seconds: r.seconds };
              if (r.passed) return base;
              const detail = { message: m[0] ?? "failed", body: m.join("\n") };
              return errored ? { ...base, error: detail } : { ...base, failure: detail };
            }),
          ),
        );
        process.stdout.write(`junit: ${o.junit}\n`);
      }
      process.exitCode = stopping ? EXIT.interrupted : failed.length ? EXIT.invalid : EXIT.valid;
    });
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const cell = (c: string, w: number) => (c.length > w ? c.slice(0, w - 1) + "…" : c.padEnd(w));
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : cell(c, widths[i]))).join("  ");
  process.stdout.write(fmt(header) + "\n" + fmt(widths.map((w) => "-".repeat(w))) + "\n");
  for (const r of rows) process.stdout.write(fmt(r) + "\n");
}
