// One set of rules for a history, whichever command reads it: check, report, export, import.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";

const bin = join(import.meta.dirname, "../../bin/faultline.js");
const fl = (args: string[]) => execa("node", [bin, ...args], { reject: false });
const runDir = (text: string) => {
  const d = mkdtempSync(join(tmpdir(), "fl-rules-"));
  writeFileSync(join(d, "history.jsonl"), text);
  return d;
};

describe("the same rules everywhere", () => {
  it("export refuses the unpaired ops that import would refuse", async () => {
    const d = runDir('{"index":0,"time":0,"process":2,"type":"ok","f":"read","value":1}\n');
    const out = join(d, "h.edn");
    const e = await fl(["export", "--to", "jepsen-edn", join(d, "history.jsonl"), "-o", out]);
    expect(e.exitCode).toBe(3);
    expect(e.stderr).toContain(`${join(d, "history.jsonl")}:1: type: ok for process 2 with no open invocation`);
    expect(existsSync(out)).toBe(false);
  }, 30_000);

  it("report reads the history as check does: a value check refuses is refused by report too", async () => {
    const d = runDir('{"index":0,"time":0,"process":0,"type":"invoke","f":"write","value":["x",1e400]}\n');
    for (const args of [
      ["check", join(d, "history.jsonl")],
      ["report", d],
    ]) {
      const r = await fl(args);
      expect(r.exitCode, args[0]).toBe(3);
      expect(r.stderr).toContain(`${join(d, "history.jsonl")}:1: value: a number too large to represent`);
    }
  }, 30_000);

  it("a killed run's incomplete last line: check and report both leave it out and say so", async () => {
    const d = runDir(
      '{"index":0,"time":0,"process":0,"type":"invoke","f":"read","value":null}\n{"index":1,"time":1,"process":0,"type":"ok","f":"read","value":null}\n{"index":2,"ti',
    );
    const c = await fl(["check", join(d, "history.jsonl")]);
    expect([0, 1, 2]).toContain(c.exitCode); // a verdict on the complete lines
    expect(c.stderr).toContain(":3: the last line is incomplete");
    const r = await fl(["report", d]);
    expect(r.exitCode).toBe(0);
  }, 30_000);
});
