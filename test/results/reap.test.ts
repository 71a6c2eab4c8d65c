// Runs killed with SIGKILL: the next `list` marks them killed; `lab clean`'s results step also removes their
// nodes' data (not logs, not with keep-data, never a live run's). On a temporary results directory only.
import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { reapRuns } from "../../src/results/store.ts";
import { cleanResults } from "../../src/lab/clean.ts";

const bin = join(import.meta.dirname, "../../bin/faultline.js");
const tmp = () => mkdtempSync(join(tmpdir(), "fl-reap-"));
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!;   // exited by the time we look

function fakeRun(root: string, name: string, run: object): string {
  const dir = join(root, name, "2026-01-01T000000.000Z");
  mkdirSync(join(dir, "nodes", "n1", "etcd-data", "member"), { recursive: true });
  writeFileSync(join(dir, "nodes", "n1", "etcd-data", "member", "wal"), "x".repeat(1000));
  writeFileSync(join(dir, "nodes", "n1", "etcd.log"), "log\n");
  writeFileSync(join(dir, "history.jsonl"), "");
  writeFileSync(join(dir, "run.json"), JSON.stringify({ name, started: "2026-01-01T00:00:00Z", ...run }));
  return dir;
}
const status = (dir: string) => JSON.parse(readFileSync(join(dir, "run.json"), "utf8")).status;

describe("runs whose process is gone", () => {
  it("are marked killed and lose their node data; live runs, kept data and logs stay", () => {
    const root = tmp();
    const killed = fakeRun(root, "killed", { status: "running", pid: deadPid() });
    const live = fakeRun(root, "live", { status: "running", pid: process.pid });
    const old = fakeRun(root, "no-pid", { status: "running" });
    const elsewhere = fakeRun(root, "elsewhere", { status: "running", pid: deadPid(), host: "another-machine" });
    const kept = fakeRun(root, "kept", { status: "complete", pid: deadPid(), config: { targetOptions: { "keep-data": true } } });
    const done = fakeRun(root, "done", { status: "complete", pid: deadPid() });
    const report = cleanResults(root, { undone: [], swept: [], busy: [], errors: [] });
    expect(status(killed)).toBe("killed");
    expect(status(live)).toBe("running");
    expect(status(old)).toBe("running");
    expect(status(elsewhere)).toBe("running");
    expect(report.undone).toEqual([`run ${killed}: marked killed (its process is gone)`]);
    expect(report.swept.sort()).toEqual([done, killed].map((d) => `node data ${join(d, "nodes", "n1", "etcd-data")}`).sort());
    for (const d of [killed, done]) { expect(existsSync(join(d, "nodes", "n1", "etcd-data"))).toBe(false); expect(existsSync(join(d, "nodes", "n1", "etcd.log"))).toBe(true); }
    for (const d of [live, old, kept, elsewhere]) expect(existsSync(join(d, "nodes", "n1", "etcd-data", "member", "wal"))).toBe(true);
    // Listing only marks; it removes nothing.
    const again = fakeRun(root, "again", { status: "running", pid: deadPid() });
    expect(reapRuns(root)).toEqual({ killed: [again], removed: [] });
    expect(existsSync(join(again, "nodes", "n1", "etcd-data"))).toBe(true);
  });

  it("a run killed with SIGKILL shows as killed in the next `faultline list`", async () => {
    const dir = tmp();
    const child = execa("node", [bin, "run", "--mode", "primary-async", "--rate", "0", "--ops", "100000000", "--time-limit", "100000", "--results", dir], { reject: false });
    const file = join(dir, "sim-primary-async-register", "latest", "history.jsonl");
    for (let i = 0; i < 400 && !(existsSync(file) && readFileSync(file).length > 10_000); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGKILL");
    await child;
    const runFile = join(dir, "sim-primary-async-register", "latest", "run.json");
    expect(JSON.parse(readFileSync(runFile, "utf8")).status).toBe("running");
    const r = await execa("node", [bin, "list", "--results", dir], { reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/ killed /);
    expect(JSON.parse(readFileSync(runFile, "utf8")).status).toBe("killed");
  }, 60_000);
});
