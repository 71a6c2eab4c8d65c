// The shipped CLI: bin/faultline.js runs the compiled dist/ (built by the globalSetup, as `npm ci` builds it),
// each command loads only what it uses, and usage mistakes exit 3.
import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { worstExit } from "../../src/cli/worst-exit.ts";

const root = join(import.meta.dirname, "../..");
const bin = join(root, "bin/faultline.js");
const fl = (args: string[], opts: object = {}) => execa("node", [bin, ...args], { reject: false, ...opts });
const tmp = () => mkdtempSync(join(tmpdir(), "fl-bin-"));
const porcupine = (f: string) => join(root, "test/corpus/data/porcupine/jepsen", f);

/** Every module (ESM and CommonJS) a CLI call loads, through test/fixtures/trace-loads.mjs. */
async function loadedBy(args: string[]): Promise<{ modules: string[]; exitCode?: number }> {
  const out = join(tmp(), "loads.txt");
  writeFileSync(out, "");
  const r = await execa("node", ["--import", join(root, "test/fixtures/trace-loads.mjs"), bin, ...args], {
    reject: false,
    env: { FAULTLINE_TRACE_LOADS: out },
  });
  return { modules: [...new Set(readFileSync(out, "utf8").split("\n").filter(Boolean))], exitCode: r.exitCode };
}

describe("the compiled CLI", () => {
  it("--version prints the package version and loads no command", async () => {
    const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
    const r = await fl(["--version"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe(version);
    const { modules } = await loadedBy(["--version"]);
    expect(modules.filter((m) => m.includes("/dist/src/cli/commands/"))).toEqual([]);
  });

  it("runs compiled JavaScript only: no tsx, no .ts module, and check loads no target, lab or store driver", async () => {
    const { modules, exitCode } = await loadedBy([
      "check",
      "--format",
      "porcupine-etcd",
      "--workers",
      "1",
      porcupine("etcd_005.log"),
      porcupine("etcd_000.log"),
    ]);
    expect(exitCode).toBe(1); // etcd_000 is not linearizable; the workers loaded and decided it
    expect(modules.some((m) => m.endsWith("/dist/src/cli/commands/check.js"))).toBe(true); // the trace saw the CLI
    expect(modules.filter((m) => /\.ts$/.test(m) || /node_modules\/tsx\//.test(m))).toEqual([]);
    expect(
      modules.filter(
        (m) =>
          /node_modules\/(pg|pg-[a-z]+|ioredis|dockerode|execa)\//.test(m) ||
          /\/dist\/(targets|nemeses)\/|\/dist\/src\/lab\//.test(m),
      ),
    ).toEqual([]);
    expect(modules.filter((m) => /\/dist\/src\/cli\/commands\/(?!check\.js)/.test(m))).toEqual([]); // no other command
  });

  it("usage mistakes exit 3: unknown option, unknown command, missing argument, unknown suite case", async () => {
    for (const args of [
      ["check", "--bogus", "x"],
      ["nope"],
      ["check"],
      ["suite", "run"],
      ["run", "--target", "nope"],
    ]) {
      const r = await fl(args);
      expect({ args, code: r.exitCode }).toEqual({ args, code: 3 });
    }
    const r = await fl(["suite", "run", join(root, "suites/sim.yaml"), "--case", "no-such-case", "--results", tmp()]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(`no case named "no-such-case"`);
  });

  it("checks several histories and a directory in one call: a line each, a summary, the worst exit code", async () => {
    const dir = tmp();
    for (const f of ["etcd_000.log", "etcd_005.log"]) copyFileSync(porcupine(f), join(dir, f));
    const valid = await fl([
      "check",
      "--format",
      "porcupine-etcd",
      porcupine("etcd_005.log"),
      porcupine("etcd_005.log"),
    ]);
    expect(valid.exitCode).toBe(0);
    expect(valid.stdout).toMatch(/^2 histories: 2 valid, 0 invalid, 0 unknown, 0 error\(s\) in [\d.]+ s; exit 0$/m);
    const both = await fl(["check", "--format", "porcupine-etcd", dir]);
    expect(both.exitCode).toBe(1);
    expect(both.stdout.split("\n").slice(0, 2)).toEqual([
      `${join(dir, "etcd_000.log")}: INVALID · linearizable invalid (1 anomaly)`,
      `${join(dir, "etcd_005.log")}: VALID · linearizable valid`,
    ]);
    writeFileSync(join(dir, "garbled.log"), "INFO jepsen.util - 0 :invoke\n");
    const json = await fl(["check", "--json", "--format", "porcupine-etcd", dir]);
    expect(json.exitCode).toBe(3); // bad input outranks an anomaly
    const lines = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.file?.split("/").pop(), l.exitCode, l.valid])).toEqual([
      ["etcd_000.log", 1, false],
      ["etcd_005.log", 0, true],
      ["garbled.log", 3, undefined],
      [undefined, undefined, undefined],
    ]);
    expect(lines[2].error).toMatch(/garbled\.log:1: /);
    expect(lines[3].summary).toMatchObject({ histories: 3, valid: 1, invalid: 1, unknown: 0, error: 1, exitCode: 3 });
    const empty = tmp();
    mkdirSync(join(empty, "sub"));
    expect((await fl(["check", empty])).exitCode).toBe(3);
  });

  it("the worst exit code: bad input 3, then infrastructure 4, then invalid 1, unknown 2, valid 0", () => {
    expect(worstExit([])).toBe(0);
    expect(worstExit([0, 2, 0])).toBe(2);
    expect(worstExit([2, 1, 0])).toBe(1);
    expect(worstExit([1, 4, 2])).toBe(4);
    expect(worstExit([4, 3, 1])).toBe(3);
    expect(worstExit([0, 99])).toBe(99); // an unexpected code outranks verdicts, as an infrastructure error
  });
});
