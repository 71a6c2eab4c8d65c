// `faultline list`: stored runs, newest first, with their verdicts.
import type { Command } from "commander";
import { listRuns, reapRuns } from "../../results/store.ts";

export function register(program: Command): void {
  program
    .command("list")
    .description("list stored runs with their verdicts, newest first")
    .option("--results <dir>", "results directory", "results")
    .action((o: { results: string }) => {
      // A run killed with SIGKILL never wrote its end: its run.json says running, with a pid that is gone.
      try {
        reapRuns(o.results);
      } catch {
        /* listing never fails for it */
      }
      const runs = listRuns(o.results);
      if (!runs.length) {
        process.stdout.write(`no runs under ${o.results}/\n`);
        return;
      }
      const word = (v: unknown) => (v === true ? "valid" : v === false ? "INVALID" : v === "unknown" ? "unknown" : "-");
      for (const r of runs)
        process.stdout.write(
          `${(r.started ?? "").padEnd(25)} ${word(r.valid).padEnd(8)} ${String(r.anomalies ?? "-").padStart(4)}  ${[r.target, r.mode, r.workload].filter(Boolean).join("/").padEnd(36)} ${(r.nemesis ?? []).join(",").padEnd(16)} ${r.status ?? ""}  ${r.dir}\n`,
        );
    });
}
