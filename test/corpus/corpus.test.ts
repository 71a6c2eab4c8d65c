// Every history of the corpus (Knossos' data/ and a sample of Porcupine's test_data/) must get the verdict
// its source asserts, with the model and initial value from expected.json; each invalid one must come
// with a witness that is itself a proof (see checkers/linearizable/witness.ts).
import { describe, expect, it } from "vitest";
import { checkLinearizable } from "../../checkers/linearizable/index.ts";
import { corpusCases, loadCase } from "./corpus.ts";

const cases = corpusCases();

describe("corpus: other tools' histories with known verdicts", () => {
  it("has the expected files (122 Knossos, 4 Porcupine)", () => {
    expect(cases.filter((c) => c.format === "jepsen-edn")).toHaveLength(122);
    expect(cases.filter((c) => c.format !== "jepsen-edn")).toHaveLength(4);
    expect(cases.filter((c) => !c.expected)).toHaveLength(10);
  });

  it.each(cases.map((c) => [c.file, c] as const))("%s", (_file, c) => {
    const { history, model } = loadCase(c);
    const v = checkLinearizable(history, { model, shrinkSteps: 2_000_000 });
    expect(v.valid).toBe(c.expected);
    if (!c.expected) {
      const a = v.anomalies[0];
      expect(a.kind).toBe("nonlinearizable");
      const w = (a.details as { witness: { ops: number[]; operations: unknown[] } }).witness;
      expect(w.operations.length).toBeGreaterThan(0);
      expect(a.ops.length).toBeGreaterThan(0);
    }
  });

  it("names the failing ops Knossos' own tests assert", () => {
    const blockedOf = (file: string) => {
      const c = cases.find((x) => x.file === file)!;
      const { history, model } = loadCase(c);
      const d = checkLinearizable(history, { model, shrink: false }).anomalies[0].details as {
        blocked: { process: number; op: string; complete: number }[];
      };
      return d.blocked[0];
    };
    // wgl_test: bad-analysis: process 21 read 2 (index 14); cas-failure: process 70 read 0 (index 491);
    // immediate-failure: process 1 read 3 (index 3); rethink-fail-minimal: process 1 read 3 (index 4).
    expect(blockedOf("knossos/cas-register/bad/bad-analysis.edn")).toMatchObject({
      process: 21,
      op: "read → 2",
      complete: 14,
    });
    expect(blockedOf("knossos/cas-register/bad/cas-failure.edn")).toMatchObject({
      process: 70,
      op: "read → 0",
      complete: 491,
    });
    expect(blockedOf("knossos/cas-register/bad/immediate-failure.edn")).toMatchObject({
      process: 1,
      op: "read → 3",
      complete: 3,
    });
    expect(blockedOf("knossos/cas-register/bad/rethink-fail-minimal.edn")).toMatchObject({
      process: 1,
      op: "read → 3",
      complete: 4,
    });
  });
});
