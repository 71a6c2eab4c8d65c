// Each run's files live in results/<name>/<timestamp>/, with `latest` links, as in Jepsen's store.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

export const FILES = { history: "history.jsonl", run: "run.json", results: "results.json", summary: "summary.txt", report: "report.html" } as const;

export function createRunDir(root: string, name: string, now = new Date()): string {
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
      const run = readJson<Record<string, any>>(join(dir, FILES.run));
      const res = readJson<Record<string, any>>(join(dir, FILES.results));
      out.push({
        dir, name, started: run?.started, target: run?.config?.target, mode: run?.config?.mode, workload: run?.config?.workload,
        nemesis: run?.config?.nemesis, valid: res?.valid, status: run?.status,
        anomalies: res ? Object.values(res.checkers ?? {}).reduce((a: number, v: any) => a + (v.anomalies?.length ?? 0), 0) : undefined,
      });
    }
  }
  return out.sort((a, b) => (b.started ?? "").localeCompare(a.started ?? ""));
}
