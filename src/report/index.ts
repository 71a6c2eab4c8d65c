// report.html for a run directory: `writeReport(dir)` reads the run's files and writes the page beside them.
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FILES } from "../results/store.ts";
import { buildReportData, readRunDir, type FaultKind, type RunFiles } from "./data.ts";
import { renderReport } from "./html.ts";

export { buildReportData, readRunDir, type FaultKind, type RunFiles } from "./data.ts";
export { declaredFaultKinds } from "./fault-kinds.ts";
export { renderReport } from "./html.ts";

/** The report page for a run directory, as a string (nothing is written). `faultKinds`: declared fault
 *  colours for runs whose run.json has none (see declaredFaultKinds). */
export function reportHtml(dir: string, faultKinds?: Record<string, FaultKind>): string {
  return renderReport(buildReportData(readRunDir(dir), faultKinds));
}

/** Writes `<dir>/report.html` and returns its path. `files` lets a caller that already holds the run's data skip re-reading it. */
export function writeReport(dir: string, files?: RunFiles, faultKinds?: Record<string, FaultKind>): string {
  const html = renderReport(buildReportData(files ?? readRunDir(dir), faultKinds));
  const path = join(dir, FILES.report);
  writeFileSync(`${path}.tmp`, html);
  renameSync(`${path}.tmp`, path);
  return path;
}

/** For the runner: writes report.html and never throws; a failure is logged and the run goes on. */
export function reportAfterRun(
  dir: string,
  files?: RunFiles,
  log: (line: string) => void = (l) => process.stderr.write(l + "\n"),
): string | undefined {
  try {
    return writeReport(dir, files);
  } catch (e) {
    log(`faultline: report.html not written: ${(e as Error)?.message ?? String(e)}`);
    return undefined;
  }
}
