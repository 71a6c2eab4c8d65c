// `faultline report <run-dir...>`: (re)writes report.html for stored runs, e.g. runs made before reports existed.
import type { Command } from "commander";
import { existsSync, statSync } from "node:fs";
import { basename, dirname } from "node:path";
import { UsageError } from "../../errors.ts";
import { listRuns } from "../../results/store.ts";
import { declaredFaultKinds, writeReport } from "../../report/index.ts";

export function register(program: Command): void {
  program
    .command("report [run-dirs...]")
    .description("write report.html (timeline, anomalies explained, plots; one offline file) into run directories")
    .option("--all", "every run under --results")
    .option("--results <dir>", "results directory for --all", "results")
    .action(async (dirs: string[], o: { all?: boolean; results: string }) => {
      const targets = [
        ...dirs.map((d) => (existsSync(d) && statSync(d).isFile() && basename(d).endsWith(".jsonl") ? dirname(d) : d)),
      ];
      if (o.all) targets.push(...listRuns(o.results).map((r) => r.dir));
      if (!targets.length) throw new UsageError("name a run directory (e.g. results/latest) or use --all");
      const kinds = await declaredFaultKinds();
      for (const d of targets) {
        if (!existsSync(d) || !statSync(d).isDirectory()) throw new UsageError(`no such run directory: ${d}`);
        process.stdout.write(`${writeReport(d, undefined, kinds)}\n`);
      }
    });
}
