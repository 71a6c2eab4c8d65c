import { describe, expect, it } from "vitest";
import { formatSpectrum, spectrum } from "../../checkers/spectrum.ts";
import type { Verdict } from "../../checkers/types.ts";

const v = (checker: string, valid: Verdict["valid"], n = 0): Verdict => ({ checker, valid, anomalies: Array.from({ length: n }, (_, i) => ({ kind: "x", ops: [i], explanation: `anomaly ${i}` })) });

describe("spectrum", () => {
  it("a linearizable register run implies every model below it; convergence stays not checked", () => {
    const s = spectrum({ linearizable: v("linearizable", true) });
    expect(s.models.sequential.status).toBe("held");
    expect(s.models["read-your-writes"].status).toBe("held");
    expect(s.models["read-your-writes"].by).toEqual(["implied: linearizable held"]);
    expect(s.models.convergence.status).toBe("not checked");
    expect(s.strongest).toBe("linearizable");
  });
  it("a violated session guarantee makes causal, sequential and linearizable violated", () => {
    const s = spectrum({ "read-your-writes": v("read-your-writes", false, 2), "monotonic-reads": v("monotonic-reads", true), convergence: v("convergence", true) });
    expect(s.models["read-your-writes"]).toMatchObject({ status: "violated", anomalies: 2 });
    expect(s.models.causal.status).toBe("violated");
    expect(s.models.sequential.status).toBe("violated");
    expect(s.models.linearizable.status).toBe("violated");
    expect(s.models["monotonic-writes"].status).toBe("not checked");
    expect(s.strongest).toBe("monotonic-reads + convergence");
  });
  it("causal held with linearizable violated gives causal as the strongest; sequential stays undecided", () => {
    const s = spectrum({ linearizable: v("linearizable", false, 1), causal: v("causal", true) });
    expect(s.models.sequential.status).toBe("not checked");
    expect(s.models.sequential.note).toMatch(/not searched for this workload/);
    expect(s.strongest).toBe("causal");
    expect(formatSpectrum(s).join("\n")).toMatch(/linearizable\s+violated \(1 anomaly\)/);
  });
  it("flags checkers that disagree", () => {
    const s = spectrum({ linearizable: v("linearizable", true), "read-your-writes": v("read-your-writes", false, 1) });
    expect(s.models.linearizable.note).toMatch(/inconsistent/);
  });
});
