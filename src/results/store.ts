// Each run's files live in results/<name>/<timestamp>/, with `latest` links, as in Jepsen's store.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { hostname } from "node:os";
import { UsageError } from "../errors.ts";

export const FILES = { history: "history.jsonl", run: "run.json", results: "results.json", summary: "summary.txt", report: "report.html" } as const;

/** Why a test name cannot name a directory under the results directory, or undefined when it can: it must stay
 *  one plain path segment (not `.`, `..` or hidden) and not be `latest`, the link to the newest run. */
export function runNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return "may hold only letters, digits, '.', '_' and '-'";
  if (name.startsWith(".")) return "must not start with '.' (it would be '.', '..' or a hidden directory)";
  if (name === "latest") return "must not be 'latest': results/latest links to the newest run";
  return undefined;
}

export function createRunDir(root: string, name: string, now = new Date()): string {
  const problem = runNameProblem(name);
  if (problem) throw new UsageError(`name ${JSON.stringify(name)} ${problem}`);
  const stamp = now.toISOString().replace(/:/g, "").replace(/\.(\d+)Z$/, ".$1Z");
  // Absolute, so servers started with another working directory (and as other users) find their files.
  let dir = resolve(root, name, stamp);
  for (let i = 1; existsSync(dir); i++) dir = join(root, name, `${stamp}-${i}`);
  mkdirSync(dir, { recursive: true });
  link(join(root, name, "latest"), dir);
  link(join(root, "latest"), dir);
  return dir;
}

function link(at: string, to: string): void {
  const tmp = `${at}.tmp-${process.pid}`;
  try { if (lstatSync(tmp, { throwIfNoEntry: false })) unlinkSync(tmp); } catch { /* ignore */ }
  symlinkSync(relative(join(at, ".."), to), tmp);
  renameSync(tmp, at); // atomic replace
}

export function writeJson(path: string, value: unknown): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n");
  renameSync(tmp, path);
}

export function readJson<T = unknown>(path: string): T | undefined {
  try { return JSON.parse(readFileSync(path, "utf8")) as T; } catch { return undefined; }
}

export interface RunSummary { dir: string; name: string; started?: string; target?: string; mode?: string; workload?: string; nemesis?: string[]; valid?: true | false | "unknown"; anomalies?: number; status?: string }

const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const record = (v: unknown): Record<string, unknown> => (v !== null && typeof v === "object" && !Array.isArray(v) ? v as Record<string, unknown> : {});

/** One run's listing from its run.json and results.json, read loosely: a field of the wrong kind is left out
 *  (these files may come from anywhere, and what is shown of them must be plain text and numbers). */
export function summarizeRun(dir: string, name: string): RunSummary {
  const run = record(readJson(join(dir, FILES.run)));
  const res = readJson(join(dir, FILES.results));
  const config = record(run.config);
  const valid = record(res).valid;
  const nemesis = Array.isArray(config.nemesis) ? config.nemesis.filter((n): n is string => typeof n === "string") : undefined;
  let anomalies: number | undefined;
  if (res !== undefined) {
    anomalies = 0;
    for (const v of Object.values(record(record(res).checkers))) { const list = record(v).anomalies; if (Array.isArray(list)) anomalies += list.length; }
  }
  return {
    dir, name, started: text(run.started), target: text(config.target), mode: text(config.mode), workload: text(config.workload),
    nemesis, valid: valid === true || valid === false || valid === "unknown" ? valid : undefined, status: text(run.status), anomalies,
  };
}

/** Every run under root, newest first. */
export function listRuns(root: string): RunSummary[] {
  if (!existsSync(root)) return [];
  const out: RunSummary[] = [];
  for (const name of readdirSync(root)) {
    const nameDir = join(root, name);
    if (name === "latest" || !lstatSync(nameDir).isDirectory()) continue;
    for (const stamp of readdirSync(nameDir)) {
      const dir = join(nameDir, stamp);
      if (stamp === "latest" || !lstatSync(dir).isDirectory()) continue;
      out.push(summarizeRun(dir, name));
    }
  }
  return out.sort((a, b) => (b.started ?? "").localeCompare(a.started ?? ""));
}

/** Whether a process with this pid exists (EPERM: it does, owned by another user). */
export function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === "EPERM"; }
}

/** The lab targets' data directories inside a run's nodes/<node>/ (logs beside them are kept). */
const NODE_DATA = ["etcd-data", "data", "redis-data"];

export interface Reaped { killed: string[]; removed: string[] }

/** Runs whose run.json says `running` but whose recorded process (on this host) is gone (killed with SIGKILL, or the machine
 *  stopped) are marked `killed`. With `removeData`, a run that is over also loses its nodes' data directories,
 *  unless it was run with keep-data. Runs without a recorded pid are left as they are: nothing says they died. */
export function reapRuns(root: string, options: { removeData?: boolean; alive?: (pid: number) => boolean } = {}): Reaped {
  const alive = options.alive ?? pidAlive;
  const out: Reaped = { killed: [], removed: [] };
  for (const r of listRuns(root)) {
    const file = join(r.dir, FILES.run);
    const run = readJson<Record<string, unknown>>(file);
    if (!run || typeof run !== "object") continue;
    let status = run.status;
    if (status === "running") {
      if (!(Number.isInteger(run.pid) && (run.pid as number) > 0) || alive(run.pid as number)) continue;
      if (typeof run.host === "string" && run.host !== hostname()) continue;   // its pid means nothing here
      status = "killed";
      writeJson(file, { ...run, status, killed: `its process (pid ${run.pid}) was gone; found ${new Date().toISOString()}` });
      out.killed.push(r.dir);
    }
    if (!options.removeData || status === "running") continue;
    const opts = (run.config as { targetOptions?: Record<string, unknown> } | undefined)?.targetOptions;
    if (opts?.["keep-data"] === true || opts?.["keep-data"] === "true") continue;
    const nodes = join(r.dir, "nodes");
    if (!existsSync(nodes) || !lstatSync(nodes).isDirectory()) continue;
    for (const n of readdirSync(nodes)) for (const d of NODE_DATA) {
      const path = join(nodes, n, d);
      if (lstatSync(path, { throwIfNoEntry: false })?.isDirectory()) { rmSync(path, { recursive: true, force: true }); out.removed.push(path); }
    }
  }
  return out;
}
