// Shared checks for lab tests: what of faultline's is left on the host for one slot / run directory.
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listLinks, listNetns, OUR_NETNS } from "../../src/lab/netns.ts";
import { stateDir } from "../../src/lab/journal.ts";

/** Everything a lab slot or a run directory still holds: namespaces, links, journal, processes. Empty when clean. */
export function leftovers(slot: number, runDir?: string): string[] {
  const out: string[] = [];
  for (const ns of listNetns()) {
    const m = OUR_NETNS.exec(ns);
    if (m && Number(m[1] || 0) === slot) out.push(`netns ${ns}`);
  }
  for (const l of listLinks()) if (l === `flbr${slot}` || l.startsWith(`fl${slot}v`)) out.push(`link ${l}`);
  if (existsSync(join(stateDir(), `lab-${slot}`))) out.push(`journal lab-${slot}`);
  if (runDir) {
    for (const d of readdirSync("/proc")) {
      if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
      try {
        const stat = readFileSync(`/proc/${d}/stat`, "utf8");
        if (stat.slice(stat.lastIndexOf(")") + 2)[0] === "Z") continue;
        const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8").replace(/\0/g, " ");
        const cwd = (() => {
          try {
            return readlinkSync(`/proc/${d}/cwd`);
          } catch {
            return "";
          }
        })();
        if (cmd.includes(runDir) || cwd.startsWith(runDir)) out.push(`process ${d}: ${cmd.slice(0, 120)}`);
      } catch {
        /* gone */
      }
    }
    // PostgreSQL's socket directories outside the run's (deep results directories get a short one in /tmp):
    // the socket's lock file names the data directory.
    for (const d of readdirSync(tmpdir())) {
      if (!/^flp[gt]-/.test(d)) continue;
      try {
        if (readFileSync(join(tmpdir(), d, ".s.PGSQL.5432.lock"), "utf8").includes(runDir))
          out.push(`socket dir ${join(tmpdir(), d)}`);
      } catch {
        /* no lock file: not a live or left socket */
      }
    }
  }
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `f` returns true or `ms` pass; returns whether it held. */
export async function eventually(f: () => Promise<boolean> | boolean, ms: number, every = 50): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await f()) return true;
    await sleep(every);
  }
  return false;
}
