import { describe, expect, it } from "vitest";
import { formatSpectrum, spectrum, type ModelName } from "../../checkers/spectrum.ts";
import type { Verdict } from "../../checkers/types.ts";
import { linearizableChecker } from "../../checkers/linearizable/spec.ts";
import { runCheckers } from "../../src/run/check.ts";
import { historyBuilder } from "../helpers.ts";

const v = (checker: string, valid: Verdict["valid"], n = 0): Verdict => ({
  checker,
  valid,
  anomalies: Array.from({ length: n }, (_, i) => ({ kind: "x", ops: [i], explanation: `anomaly ${i}` })),
});

/** The spectrum of verdicts whose checkers each declare the model of their own name. */
const sp = (vs: Record<string, Verdict>) =>
  spectrum(vs, Object.fromEntries(Object.keys(vs).map((c) => [c, [c as ModelName]])));

describe("spectrum", () => {
  it("the linearizability checker `check --model` runs declares the model it decides", () => {
    const h = historyBuilder();
    h.invoke(0, "write", ["x", 1]);
    h.ok(0, "write", ["x", 1]);
    h.invoke(0, "write", ["x", 2]);
    h.ok(0, "write", ["x", 2]);
    h.invoke(1, "read", ["x", null]);
    h.ok(1, "read", ["x", 1]);
    const r = runCheckers(h.ops, [linearizableChecker({ name: "register", keyed: true })]);
    expect(r.spectrum?.models.linearizable).toMatchObject({ status: "violated", by: ["linearizable"], anomalies: 1 });
  });

  it("reads the models from the checkers' declarations, not from their names", () => {
    // A checker named after no model decides causal because it says so; one named "linearizable" that declares nothing decides nothing.
    const s = spectrum(
      { zebra: v("zebra", false, 2), linearizable: v("linearizable", false, 1) },
      { zebra: ["causal"], linearizable: [] },
    );
    expect(s.models.causal).toMatchObject({ status: "violated", by: ["zebra"], anomalies: 2 });
    expect(s.models.linearizable.status).toBe("violated");
    expect(s.models.linearizable.by).toEqual(["implied: causal violated"]);
    const held = spectrum(
      { zebra: v("zebra", true), "read-your-writes": v("read-your-writes", false, 1) },
      { zebra: ["sequential", "convergence"] },
    );
    expect(held.models.sequential).toMatchObject({ status: "held", by: ["zebra"] });
    expect(held.models.convergence).toMatchObject({ status: "held", by: ["zebra"] });
    expect(held.models["read-your-writes"].status).toBe("held"); // undeclared: its own verdict is not read; implied by sequential
    expect(held.models.sequential.note).toBeUndefined(); // decided, so no "not searched" note
  });

  it("a linearizable register run implies every model below it; convergence stays not checked", () => {
    const s = sp({ linearizable: v("linearizable", true) });
    expect(s.models.sequential.status).toBe("held");
    expect(s.models["read-your-writes"].status).toBe("held");
    expect(s.models["read-your-writes"].by).toEqual(["implied: linearizable held"]);
    expect(s.models.convergence.status).toBe("not checked");
    expect(s.strongest).toBe("linearizable");
  });
  it("a violated session guarantee makes causal, sequential and linearizable violated", () => {
    const s = sp({
      "read-your-writes": v("read-your-writes", false, 2),
      "monotonic-reads": v("monotonic-reads", true),
      convergence: v("convergence", true),
    });
    expect(s.models["read-your-writes"]).toMatchObject({ status: "violated", anomalies: 2 });
    expect(s.models.causal.status).toBe("violated");
    expect(s.models.sequential.status).toBe("violated");
    expect(s.models.linearizable.status).toBe("violated");
    expect(s.models["monotonic-writes"].status).toBe("not checked");
    expect(s.strongest).toBe("monotonic-reads + convergence");
  });
  it("causal held with linearizable violated gives causal as the strongest; sequential stays undecided", () => {
    const s = sp({ linearizable: v("linearizable", false, 1), causal: v("causal", true) });
    expect(s.models.sequential.status).toBe("not checked");
    expect(s.models.sequential.note).toMatch(/not searched for this workload/);
    expect(s.strongest).toBe("causal");
    expect(formatSpectrum(s).join("\n")).toMatch(/linearizable\s+violated \(1 anomaly\)/);
  });
  it("flags checkers that disagree", () => {
    const s = sp({ linearizable: v("linearizable", true), "read-your-writes": v("read-your-writes", false, 1) });
    expect(s.models.linearizable.note).toMatch(/inconsistent/);
  });
  it("PRAM held: read-your-writes, monotonic reads and monotonic writes held, causal violated", () => {
    const s = sp({
      causal: v("causal", false, 1),
      "read-your-writes": v("read-your-writes", true),
      "monotonic-reads": v("monotonic-reads", true),
      "monotonic-writes": v("monotonic-writes", true),
      "writes-follow-reads": v("writes-follow-reads", false, 1),
    });
    expect(s.models.PRAM).toMatchObject({
      status: "held",
      by: ["read-your-writes", "monotonic-reads", "monotonic-writes"],
    });
    expect(s.strongest).toBe("PRAM");
    expect(
      sp({
        causal: v("causal", false, 1),
        "read-your-writes": v("read-your-writes", true),
        "monotonic-reads": v("monotonic-reads", true),
        "monotonic-writes": v("monotonic-writes", true),
        "writes-follow-reads": v("writes-follow-reads", true),
      }).strongest,
    ).toBe("PRAM + writes-follow-reads");
    expect(formatSpectrum(s).join("\n")).toMatch(/PRAM \(RYW \+ MR \+ MW\)\s+held/);
  });
  it("PRAM violated by any of its three guarantees, and then causal, CM, CCv, sequential and linearizable too", () => {
    const s = sp({
      "read-your-writes": v("read-your-writes", true),
      "monotonic-reads": v("monotonic-reads", true),
      "monotonic-writes": v("monotonic-writes", false, 2),
      "writes-follow-reads": v("writes-follow-reads", true),
    });
    expect(s.models.PRAM).toMatchObject({ status: "violated", by: ["monotonic-writes"], anomalies: 2 });
    for (const m of ["causal", "causal-memory", "causal-convergence", "sequential", "linearizable"] as const)
      expect(s.models[m].status, m).toBe("violated");
    expect(s.strongest).toBe("read-your-writes + monotonic-reads + writes-follow-reads");
  });
  it("a writes-follow-reads violation breaks causal but not PRAM", () => {
    const s = sp({ "writes-follow-reads": v("writes-follow-reads", false, 1) });
    expect(s.models.causal.status).toBe("violated");
    expect(s.models.PRAM.status).toBe("not checked");
  });
  it("CCv and CM are incomparable: each can hold while the other is violated, and both imply CC and PRAM", () => {
    const cmOnly = sp({
      "causal-convergence": v("causal-convergence", false, 1),
      "causal-memory": v("causal-memory", true),
    });
    expect(cmOnly.strongest).toBe("causal-memory");
    expect(cmOnly.models.causal.by).toEqual(["implied: causal-memory held"]);
    expect(cmOnly.models.PRAM.status).toBe("held");
    expect(cmOnly.models["causal-convergence"].note).toBeUndefined();
    const ccvOnly = sp({
      "causal-convergence": v("causal-convergence", true),
      "causal-memory": v("causal-memory", false, 1),
    });
    expect(ccvOnly.strongest).toBe("causal-convergence");
    expect(ccvOnly.models.sequential.status).toBe("violated");
    expect(
      sp({ "causal-convergence": v("causal-convergence", true), "causal-memory": v("causal-memory", true) }).strongest,
    ).toBe("causal-convergence + causal-memory");
    // Sequential held implies both.
    const seq = sp({ sequential: v("sequential", true) });
    expect(seq.models["causal-memory"].status).toBe("held");
    expect(seq.models["causal-convergence"].status).toBe("held");
  });
});
