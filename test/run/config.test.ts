// Every setting is checked before anything runs: numbers finite, whole where a count is meant, in range; names
// that stay inside the results directory; option keys the target or workload knows. Flags and suites alike.
import { describe, expect, it } from "vitest";
import { mkdtempSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { resolveConfig } from "../../src/run/config.ts";
import { parseSuite } from "../../src/suite/parse.ts";
import { createRunDir } from "../../src/results/store.ts";
import { UsageError } from "../../src/errors.ts";
import { parseInitial } from "../../src/history/formats/index.ts";

const bin = join(import.meta.dirname, "../../bin/faultline.js");
const tmp = () => mkdtempSync(join(tmpdir(), "fl-config-"));
const refused = async (partial: object) => {
  try {
    await resolveConfig(partial);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
};

describe("run settings", () => {
  it("refuses numbers that are not finite, not whole where a count is meant, or out of range", async () => {
    expect(await refused({ nodes: 1e9 })).toBe("nodes must be a whole number from 1 to 100, got 1000000000");
    expect(await refused({ nodes: 2.5 })).toBe("nodes must be a whole number from 1 to 100, got 2.5");
    expect(await refused({ timeLimit: Infinity })).toBe(
      "time-limit must be a number from 0 to 100,000,000, got Infinity",
    );
    expect(await refused({ nemesisInterval: 1e-9 })).toBe(
      "nemesis-interval must be a number from 0.01 to 86,400, got 1e-9",
    );
    expect(await refused({ concurrency: 0 })).toMatch(/^concurrency must be a whole number from 1/);
    expect(await refused({ keys: NaN })).toMatch(/^keys must be .* got NaN/);
    expect(await refused({ rate: -1 })).toMatch(/^rate must be/);
    expect(await refused({ opTimeout: 0 })).toMatch(/^op-timeout must be a number more than 0/);
    expect(await refused({ ops: 10.5 })).toMatch(/^ops must be a whole number/);
    expect(await refused({ quiet: "abc" })).toBe('quiet must be a number from 0 to 86,400, got "abc"');
    expect(
      await refused({
        nodes: 5,
        concurrency: 10,
        keys: 8,
        timeLimit: 1e7,
        nemesisInterval: 0.3,
        quiet: 0,
        rate: 0,
        ops: 100,
      }),
    ).toBeUndefined();
  });

  it("refuses option keys the target or workload does not take", async () => {
    expect(await refused({ targetOptions: { latnecy: 5 } })).toBe(
      'target sim has no option "latnecy" (did you mean "latency"?); its options: latency, step-ms, stale-ms, replica-delay-ms',
    );
    expect(await refused({ targetOptions: { colour: 5 } })).toBe(
      'target sim has no option "colour"; its options: latency, step-ms, stale-ms, replica-delay-ms',
    );
    // the sim's txn-* knobs the README documents are declared, so the command line takes them
    expect(
      await refused({ mode: "txn-serializable", workload: "list-append", targetOptions: { "stale-ms": 20 } }),
    ).toBeUndefined();
    expect(await refused({ targetOptions: { latency: 5 } })).toBeUndefined();
    expect(await refused({ workloadOptions: { writes: 0.2 } })).toBe(
      'workload register has no option "writes"; it takes none',
    );
    expect(await refused({ workload: "session", workloadOptions: { writes: 0.2 } })).toBeUndefined();
  });

  it("refuses names that leave the results directory or collide with its links", async () => {
    for (const name of ["..", ".", ".hidden", "latest", "a/b"]) expect(await refused({ name }), name).toMatch(/^name /);
    const root = tmp();
    expect(() => createRunDir(root, "..")).toThrow(UsageError);
    expect(readdirSync(root)).toEqual([]);
    expect(existsSync(join(root, "..", "latest"))).toBe(false);
  });

  it("a malformed --initial is refused instead of becoming a string", () => {
    expect(() => parseInitial("{:x 0")).toThrow(/neither JSON nor EDN/);
    expect(parseInitial('"{:x 0"')).toBe("{:x 0");
    expect(parseInitial("{:x 0}")).toEqual({ x: 0 });
  });
});

describe("suite settings", () => {
  const suite = (fields: string) => `cases:\n  - name: c\n${fields}    expect: { linearizable: holds }\n`;
  const suiteProblem = async (text: string) => {
    try {
      await parseSuite(text, "s.yaml");
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  };
  it("the same numbers are refused in a suite, with file:line", async () => {
    expect(await suiteProblem(suite("    time-limit: .inf\n"))).toBe(
      "s.yaml:2: c: time-limit must be a number from 0 to 100,000,000, got Infinity",
    );
    expect(await suiteProblem(suite("    nodes: 2.5\n"))).toMatch(/^s\.yaml:2: c: nodes must be a whole number/);
    expect(await suiteProblem(suite("    options: { bogus: 1 }\n"))).toMatch(
      /^s\.yaml:2: c: target sim has no option "bogus"/,
    );
  });

  it("a billion-laughs suite is refused, not expanded", async () => {
    const lol = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...Array.from(
        { length: 9 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill("*" + String.fromCharCode(97 + i))
            .join(", ")}]`,
      ),
    ].join("\n");
    const t0 = performance.now();
    expect(await suiteProblem(`defaults:\n  nemesis: none\nlol:\n${lol.replace(/^/gm, "  ")}\ncases: []\n`)).toMatch(
      /^s\.yaml:1: yaml: .*alias/i,
    );
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

describe("the CLI", () => {
  it("bad numbers in flags exit 3 naming the flag's setting, before a run directory is made", async () => {
    const dir = tmp();
    for (const [flag, value, text] of [
      ["--nodes", "1e9", "nodes must be"],
      ["--nodes", "2.5", "nodes must be"],
      ["--nemesis-interval", "1e-9", "nemesis-interval must be"],
      ["--time-limit", "abc", 'time-limit must be a number from 0 to 100,000,000, got "abc"'],
      ["--name", "..", 'name ".."'],
      ["--opt", "bogus=1", 'no option "bogus"'],
    ]) {
      const r = await execa("node", [bin, "run", flag, value, "--results", dir], { reject: false });
      expect(r.exitCode, `${flag} ${value}`).toBe(3);
      expect(r.stderr).toContain(text);
    }
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);
});
