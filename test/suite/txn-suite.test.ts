import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseSuite } from "../../src/suite/parse.ts";
import { compare } from "../../src/suite/expect.ts";
import { run } from "../../src/run/runner.ts";
import { resolveConfig } from "../../src/run/config.ts";

const bin = join(import.meta.dirname, "../../bin/faultline.js");
const tmp = () => mkdtempSync(join(tmpdir(), "fl-txn-suite-"));

describe("transactional isolation in suites and on the command line", () => {
  it("consistency-models: in defaults and cases becomes a workload option, merged with workload-options", async () => {
    const s = await parseSuite(
      `defaults:
  workload: list-append
  workload-options: { key-count: 3 }
  consistency-models: serializable
cases:
  - name: a
    mode: txn-snapshot
    consistency-models: [snapshot-isolation, read-committed]
    expect: { snapshot-isolation: holds }
  - name: b
    mode: txn-snapshot
    workload-options: { max-txn-length: 2 }
    expect: { serializable: violated }
`,
      "s.yaml",
    );
    expect(s.cases[0].config.workloadOptions).toEqual({
      "key-count": 3,
      "consistency-models": "snapshot-isolation,read-committed",
    });
    expect(s.cases[1].config.workloadOptions).toEqual({
      "key-count": 3,
      "max-txn-length": 2,
      "consistency-models": "serializable",
    });
    const bad = () =>
      parseSuite(
        "cases:\n  - name: a\n    workload: list-append\n    consistency-models: 3\n    expect: {serializable: holds}\n",
        "s.yaml",
      );
    await expect(bad()).rejects.toThrow(
      /^s\.yaml:4: a\.consistency-models: must be a list of names or a comma-separated string, got 3/,
    );
  });

  it("expectations name isolation models and anomaly classes, and are compared with the isolation checker's results", async () => {
    const out = await run(
      await resolveConfig({
        resultsDir: tmp(),
        target: "sim",
        mode: "txn-snapshot",
        workload: "list-append",
        nemesis: [],
        timeLimit: 3,
        concurrency: 10,
        seed: "1",
      }),
    );
    const got = compare(
      out.results,
      { "snapshot-isolation": "holds", serializable: "violated", "G2-item": "found", "G-single": "none" },
      [],
    );
    expect(got.map((o) => [o.model, o.got, o.matched])).toEqual([
      ["snapshot-isolation", "holds", true],
      ["serializable", "violated", true],
      ["G2-item", "found", true],
      ["G-single", "none", true],
    ]);
    const wrong = compare(out.results, { serializable: "holds" }, []);
    expect(wrong[0].matched).toBe(false);
  });

  it("--consistency-models decides run's and check's exit code", async () => {
    const dir = tmp();
    const args = [
      "run",
      "--mode",
      "txn-snapshot",
      "--workload",
      "list-append",
      "--nemesis",
      "none",
      "--time-limit",
      "3",
      "--concurrency",
      "10",
      "--results",
      dir,
    ];
    const strict = await execa("node", [bin, ...args, "--name", "strict"], { reject: false });
    expect(strict.exitCode).toBe(1);
    expect(strict.stdout).toMatch(/G2-item/);
    const si = await execa("node", [bin, ...args, "--name", "si", "--consistency-models", "snapshot-isolation"], {
      reject: false,
    });
    expect(si.exitCode).toBe(0);
    // check re-reads the run's models from run.json, and the flag overrides them.
    expect((await execa("node", [bin, "check", join(dir, "si", "latest")], { reject: false })).exitCode).toBe(0);
    expect(
      (
        await execa("node", [bin, "check", join(dir, "si", "latest"), "--consistency-models", "serializable"], {
          reject: false,
        })
      ).exitCode,
    ).toBe(1);
    const bad = await execa("node", [bin, ...args, "--name", "bad", "--consistency-models", "serialisable"], {
      reject: false,
    });
    expect(bad.exitCode).toBe(3);
    expect(bad.stderr).toMatch(/consistency-models.*serialisable/);
  });
});
