// Every anomaly carries typed evidence the report can draw without knowing its checker: steps between real
// history indexes, or a witness set of them.
import { describe, expect, it } from "vitest";
import { historyBuilder } from "../helpers.ts";
import { runCheckers } from "../../src/run/check.ts";
import { sessionWorkload } from "../../workloads/session.ts";

/** p0 writes x=1; p1 reads it and writes y=2; p2 reads y=2 then x=null; p0 reads x=null (its own write lost). */
function brokenSessions() {
  const h = historyBuilder();
  h.invoke(0, "write", ["x", 1], { node: "n1" });
  h.ok(0, "write", ["x", 1], { node: "n1" });
  h.invoke(1, "read", ["x", null], { node: "n2" });
  h.ok(1, "read", ["x", 1], { node: "n2" });
  h.invoke(1, "write", ["y", 2], { node: "n2" });
  h.ok(1, "write", ["y", 2], { node: "n2" });
  h.invoke(2, "read", ["y", null], { node: "n3" });
  h.ok(2, "read", ["y", 2], { node: "n3" });
  h.invoke(2, "read", ["x", null], { node: "n3" });
  h.ok(2, "read", ["x", null], { node: "n3" });
  h.invoke(0, "read", ["x", null], { node: "n3" });
  h.ok(0, "read", ["x", null], { node: "n3" });
  return h.ops;
}

describe("typed evidence", () => {
  it("every anomaly of the session workload's checkers has evidence naming history indexes", () => {
    const ops = brokenSessions();
    const r = runCheckers(ops, sessionWorkload.checkers({ keys: 2, seed: "1" }));
    const broken = Object.entries(r.checkers)
      .filter(([, v]) => v.anomalies.length)
      .map(([k]) => k)
      .sort();
    expect(broken).toEqual([
      "causal",
      "causal-convergence",
      "causal-memory",
      "convergence",
      "linearizable",
      "read-your-writes",
      "sequential",
      "writes-follow-reads",
    ]);
    for (const [name, v] of Object.entries(r.checkers))
      for (const a of v.anomalies) {
        const ev = a.evidence;
        expect(ev, `${name} ${a.kind}`).toBeDefined();
        expect((ev!.steps?.length ?? 0) + (ev!.witness?.length ?? 0), `${name} ${a.kind}`).toBeGreaterThan(0);
        for (const s of ev!.steps ?? []) {
          for (const i of [s.from, s.to]) expect(ops[i], `${name} ${a.kind} step ${i}`).toBeDefined();
          expect(s.relation.length).toBeGreaterThan(0);
          expect(s.why.length).toBeGreaterThan(0);
        }
        for (const i of ev!.witness ?? []) expect(ops[i]).toBeDefined();
      }
    // The read-your-writes anomaly joins p0's write to its own read that missed it.
    const ryw = r.checkers["read-your-writes"].anomalies[0].evidence!.steps!;
    expect(ryw.map((s) => [s.from, s.to, s.relation])).toEqual([[0, 10, "not seen by"]]);
    // Writes-follow-reads: x=1 before y=2, y=2 read by p2, then p2's read of x missed it.
    expect(r.checkers["writes-follow-reads"].anomalies[0].evidence!.steps!.map((s) => [s.from, s.to])).toEqual([
      [0, 4],
      [4, 6],
      [6, 8],
    ]);
  });
});
