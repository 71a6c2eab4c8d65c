import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { endlessRun } from "../helpers.ts";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = join(import.meta.dirname, "../../bin/faultline.js");
const fl = (args: string[], opts: object = {}) => execa("node", [bin, ...args], { reject: false, ...opts });
const tmp = () => mkdtempSync(join(tmpdir(), "fl-cli-"));

describe("faultline CLI", () => {
  it("run exits 1 on primary-async with partitions and 0 on linearizable; check agrees offline", async () => {
    const dir = tmp();
    const bad = await fl(["run", "--mode", "primary-async", "--nemesis", "partition", "--seed", "7", "--results", dir]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain("linearizable: INVALID");
    expect(bad.stdout).toMatch(/read → /);
    const good = await fl(["run", "--mode", "linearizable", "--nemesis", "partition", "--seed", "7", "--results", dir]);
    expect(good.exitCode).toBe(0);
    expect(good.stdout).toContain("verdict: VALID");
    const again = await fl(["check", join(dir, "sim-primary-async-register", "latest", "history.jsonl")]);
    expect(again.exitCode).toBe(1);
    const list = await fl(["list", "--results", dir]);
    expect(list.stdout).toContain("INVALID");
    expect(list.stdout).toContain("valid");
  });

  it("check on a garbled history prints file:line and exits 3; a truncated last line is left out, as report does", async () => {
    const dir = tmp();
    const f = join(dir, "h.jsonl");
    writeFileSync(
      f,
      '{"index":0,"time":0,"process":0,"type":"invoke","f":"read","value":null}\n{"index":1,"time":1,"proc',
    );
    const r = await fl(["check", f]);
    expect(r.exitCode).not.toBe(3);
    expect(r.stderr).toContain(`${f}:2: the last line is incomplete`);
    writeFileSync(
      f,
      '{"index":0,"time":0,"process":0,"type":"invoke","f":"read","value":null}\n{"index":1,"time":1,"proc\n{"index":2}\n',
    );
    const mid = await fl(["check", f]);
    expect(mid.exitCode).toBe(3);
    expect(mid.stderr).toContain(`${f}:2: line: not valid JSON`);
    writeFileSync(
      f,
      '{"index":0,"time":0,"process":0,"type":"invoke","f":"read","value":null}\n{"index":1,"time":1,"process":0,"type":"ok","f":7,"value":1}\n',
    );
    const g = await fl(["check", f]);
    expect(g.exitCode).toBe(3);
    expect(g.stderr).toContain(`${f}:2: f: must be a non-empty string`);
  });

  it("a history file that does not exist is a usage error naming it (exit 3)", async () => {
    const r = await fl(["check", "/nonexistent/history.jsonl"]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toBe("faultline: no such file or directory: /nonexistent/history.jsonl");
  });

  it("unknown flag values are usage errors (exit 3)", async () => {
    const r = await fl(["run", "--mode", "bogus", "--results", tmp()]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain("modes: linearizable");
  });

  it("a run killed with SIGKILL leaves a history that check accepts", async () => {
    const dir = tmp();
    const { child, file } = await endlessRun(bin, dir, 200_000);
    child.kill("SIGKILL");
    await child;
    expect(readFileSync(file).length).toBeGreaterThan(200_000);
    const r = await fl(["check", file]);
    expect([0, 1]).toContain(r.exitCode);
    expect(r.stderr).toBe("");
  });
});
