import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { parseSuite } from "../../src/suite/parse.ts";
import { compare } from "../../src/suite/expect.ts";
import { junitXml } from "../../src/suite/junit.ts";

const bin = join(import.meta.dirname, "../../bin/faultline.js");
const root = join(import.meta.dirname, "../..");
const tmp = () => mkdtempSync(join(tmpdir(), "fl-suite-"));

describe("suite files", () => {
  it("names file, line and field for bad input", async () => {
    const bad = async (text: string) => {
      try {
        await parseSuite(text, "s.yaml");
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(await bad("cases:\n  - name: a\n    mode: linearizable\n    expect:\n      linearizable: maybe\n")).toBe(
      's.yaml:5: a.expect.linearizable: must be one of holds, violated, unknown, none, found, got "maybe"',
    );
    expect(await bad("cases:\n  - name: a\n    tme-limit: 3\n    expect: {linearizable: holds}\n")).toMatch(
      /^s\.yaml:3: a\.tme-limit: unknown field/,
    );
    expect(await bad("cases:\n  - name: a\n    mode: nope\n    expect: {linearizable: holds}\n")).toMatch(
      /^s\.yaml:2: a: target sim has no mode "nope"/,
    );
    expect(
      await bad(
        "cases:\n  - name: a\n    expect: {linearizable: holds}\n  - name: a\n    expect: {linearizable: holds}\n",
      ),
    ).toMatch(/^s\.yaml:4: cases\[1\]\.name: duplicate/);
    expect(await bad("cases: [\n")).toMatch(/^s\.yaml:\d+: yaml:/);
    expect(await bad("cases:\n  - name: a\n    time-limit: soon\n    expect: {linearizable: holds}\n")).toBe(
      's.yaml:3: a.time-limit: must be a number, got "soon"',
    );
  });

  it("expectations: holds/violated match checker verdicts; unknown is distinct; absent models fail with a note", () => {
    const results = {
      valid: false as const,
      checkers: {
        linearizable: {
          checker: "linearizable",
          valid: false as const,
          anomalies: [{ kind: "lost-write", ops: [1], explanation: "" }],
        },
        other: { checker: "other", valid: "unknown" as const, anomalies: [] },
      },
    };
    const o = compare(
      results,
      { linearizable: "violated", "lost-writes": "found", other: "holds", bogus: "holds" },
      [],
    );
    expect(o.map((x) => [x.model, x.got, x.matched])).toEqual([
      ["linearizable", "violated", true],
      ["lost-writes", "found", true],
      ["other", "unknown", false],
      ["bogus", "absent", false],
    ]);
    expect(o[2].unknown).toBe(true);
    expect(compare(results, { other: "holds" }, ["other"])[0].matched).toBe(true);
    expect(o[3].note).toContain("available: linearizable, other");
  });

  it("JUnit XML has the testsuites/testsuite/testcase/failure shape and escapes text", () => {
    const xml = junitXml("s", [
      { name: "ok-case", classname: "faultline.s", seconds: 1.5 },
      {
        name: "bad <case>",
        classname: "faultline.s",
        seconds: 2,
        failure: { message: 'linearizable: expected holds, got "violated"', body: "a & b\u0001" },
      },
    ]);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    const suite = doc.testsuites.testsuite;
    expect(doc.testsuites.tests).toBe("2");
    expect(suite.failures).toBe("1");
    expect(suite.testcase).toHaveLength(2);
    expect(suite.testcase[1].name).toBe("bad <case>");
    expect(suite.testcase[1].failure.message).toContain("expected holds");
    expect(suite.testcase[1].failure["#text"]).toBe("a & b");
  });

  it("suites/sim.yaml passes; changing an expectation exits non-zero naming the case and model", async () => {
    const dir = tmp();
    const junit = join(dir, "junit.xml");
    const ok = await execa(
      "node",
      [bin, "suite", "run", join(root, "suites/sim.yaml"), "--results", dir, "--junit", junit],
      { reject: false },
    );
    expect(ok.stdout).toMatch(/(\d+)\/\1 case\(s\) passed/);
    expect(ok.exitCode).toBe(0);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(readFileSync(junit, "utf8"));
    expect(Number(doc.testsuites.failures)).toBe(0);
    expect(Number(doc.testsuites.tests)).toBeGreaterThanOrEqual(3);

    const text = readFileSync(join(root, "suites/sim.yaml"), "utf8");
    const changed = join(dir, "changed.yaml");
    const flipped = text.replace(/(name: async-replicas-flagged[\s\S]*?linearizable: )violated/, "$1holds");
    expect(flipped).not.toBe(text);
    writeFileSync(changed, flipped);
    const bad = await execa(
      "node",
      [bin, "suite", "run", changed, "--case", "async-replicas-flagged", "--results", dir, "--junit", junit],
      { reject: false },
    );
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain("async-replicas-flagged (seed 7): linearizable: expected holds, got violated");
    const failed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(
      readFileSync(junit, "utf8"),
    );
    expect(failed.testsuites.testsuite.testcase.failure.message).toContain(
      "linearizable: expected holds, got violated",
    );
  });
});
