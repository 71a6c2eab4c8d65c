// `faultline lab clean`: undo what dead runs left (replaying their journals: processes continued and killed,
// rules flushed, clocks reset, namespaces, veths and bridges deleted), then sweep any namespace or link
// with faultline's names that belongs to no live run. Live runs' slots are left alone.
import { Journal, slots } from "./journal.ts";
import { killNamespace, listLinks, listNetns, OUR_LINK, OUR_NETNS } from "./netns.ts";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pidAlive, reapRuns } from "../results/store.ts";

export interface CleanReport {
  undone: string[];
  swept: string[];
  busy: string[];
  errors: string[];
}

export function cleanLab(): CleanReport {
  const report: CleanReport = { undone: [], swept: [], busy: [], errors: [] };
  for (const s of slots()) {
    if (s.alive) {
      report.busy.push(`slot ${s.slot}: pid ${s.owner?.pid} is running (${s.owner?.argv.join(" ") ?? "?"})`);
      continue;
    }
    const { undone, errors } = Journal.open(s.slot).undoAll();
    report.undone.push(...undone.map((u) => `slot ${s.slot}: ${u}`));
    report.errors.push(...errors.map((e) => `slot ${s.slot}: ${e}`));
  }
  // Live slots again, after the undo above took its time: a run may have claimed a slot (and made its
  // namespaces) meanwhile; a slot directory whose owner line is not written yet is being claimed.
  const live = new Set(
    slots()
      .filter((s) => s.alive || !s.owner)
      .map((s) => s.slot),
  );
  for (const ns of listNetns()) {
    const m = OUR_NETNS.exec(ns);
    if (!m || live.has(Number(m[1] || 0))) continue;
    killNamespace(ns);
    const r = spawnSync("ip", ["netns", "del", ns], { encoding: "utf8" });
    if (r.status === 0) report.swept.push(`netns ${ns}`);
    else report.errors.push(`ip netns del ${ns}: ${r.stderr.trim()}`);
  }
  for (const link of listLinks()) {
    const m = OUR_LINK.exec(link);
    if (!m) continue;
    const slot = Number(/\d+/.exec(m[1])![0]);
    if (live.has(slot)) continue;
    const r = spawnSync("ip", ["link", "del", link], { encoding: "utf8" });
    if (r.status === 0) report.swept.push(`link ${link}`);
    else if (listLinks().includes(link)) report.errors.push(`ip link del ${link}: ${r.stderr.trim()}`);
  }
  // Socket directories live runs journaled are theirs (a server a nemesis killed leaves its lock behind).
  const claimed = new Set(
    slots()
      .filter((s) => live.has(s.slot))
      .flatMap((s) => Journal.open(s.slot).entries())
      .filter((e) => e.kind === "node-dir")
      .map((e) => e.name as string),
  );
  report.swept.push(...sweepSocketDirs(tmpdir(), claimed));
  return report;
}

/** PostgreSQL socket directories the postgres and patroni targets keep in `dir` (deep results directories
 *  need a short path) whose server is gone: runs journal them now, but runs killed before did not. Left
 *  alone: those in `claimed` (live runs'), those whose lock file names a live process, and those made in the
 *  last minute without a lock yet (a run starting its server). Returns what was removed. */
export function sweepSocketDirs(dir = tmpdir(), claimed: ReadonlySet<string> = new Set()): string[] {
  const swept: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!/^flp[gt]-[0-9a-f]{12}$/.test(name)) continue;
    const path = join(dir, name);
    if (claimed.has(path)) continue;
    let pid = NaN;
    try {
      pid = Number(readFileSync(join(path, ".s.PGSQL.5432.lock"), "utf8").split("\n")[0]);
    } catch {
      // No lock file: no server, or one not started yet.
      try {
        if (Date.now() - statSync(path).mtimeMs < 60_000) continue;
      } catch {
        continue; // gone meanwhile
      }
    }
    if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) continue;
    rmSync(path, { recursive: true, force: true });
    swept.push(`socket dir ${path}`);
  }
  return swept;
}

/** The results side of a clean: runs whose process is gone are marked killed, and runs that are over lose
 *  their nodes' data directories (an etcd run leaves ~100 MB a node), unless run with keep-data. */
export function cleanResults(root: string, report: CleanReport, alive?: (pid: number) => boolean): CleanReport {
  try {
    const r = reapRuns(root, { removeData: true, alive });
    report.undone.push(...r.killed.map((d) => `run ${d}: marked killed (its process is gone)`));
    report.swept.push(...r.removed.map((d) => `node data ${d}`));
  } catch (e) {
    report.errors.push(`results ${root}: ${(e as Error).message}`);
  }
  return report;
}
