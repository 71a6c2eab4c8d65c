import { describe, expect, it } from "vitest";
import { checkFinalAgreement } from "../../checkers/convergence/final-agreement.ts";
import { historyBuilder } from "../helpers.ts";

// Writes under a fault, the heal, then one reader per node reading every key.
function history(finals: [string, string, unknown][]) {
  const h = historyBuilder();
  h.invoke(0, "write", ["k0", 1], { node: "n1" });
  h.ok(0, "write", ["k0", 1], { node: "n1" });
  h.info("nemesis", "partition", { nodes: ["n3"] });
  h.invoke(1, "write", ["k0", 2], { node: "n2" });
  h.ok(1, "write", ["k0", 2], { node: "n2" });
  h.info("nemesis", "heal-partition", { nodes: ["n3"] });
  finals.forEach(([node, k, v], i) => {
    h.invoke(10 + i, "read", [k, null], { node });
    h.ok(10 + i, "read", [k, v], { node });
  });
  return h.ops;
}

describe("final-read agreement (register convergence)", () => {
  it("holds when every node's final read returns the same value", () => {
    const v = checkFinalAgreement(
      history([
        ["n1", "k0", 2],
        ["n2", "k0", 2],
        ["n3", "k0", 2],
      ]),
    );
    expect(v.valid).toBe(true);
    expect(v.stats).toMatchObject({ finalReads: 3, keys: 1, divergentKeys: 0 });
  });

  it("fails when nodes disagree after healing, naming the key, the nodes and their values", () => {
    const v = checkFinalAgreement(
      history([
        ["n1", "k0", 2],
        ["n2", "k0", 2],
        ["n3", "k0", 1],
      ]),
    );
    expect(v.valid).toBe(false);
    expect(v.anomalies).toHaveLength(1);
    expect(v.anomalies[0]).toMatchObject({ kind: "divergent", key: "k0" });
    expect(v.anomalies[0].explanation).toBe(
      "Key k0 never converged: after healing and the quiet period, n1, n2 return 2; n3 returns 1.",
    );
  });

  it("a write that timed out may land during the final reads: values changing once, forward, to its value, pass", () => {
    const late = (finals: [string, string, unknown][], overlap = false) => {
      const h = historyBuilder();
      h.invoke(0, "write", ["k0", 1], { node: "n1" });
      h.ok(0, "write", ["k0", 1], { node: "n1" });
      h.info("nemesis", "partition", { nodes: ["n3"] });
      h.invoke(1, "write", ["k0", 2], { node: "n3" });
      h.info(1, "write", ["k0", 2], { node: "n3", error: "timeout" });
      h.info("nemesis", "heal-partition", { nodes: ["n3"] });
      if (overlap) {
        // the second read begins before the first one ends
        h.invoke(10, "read", ["k0", null], { node: finals[0][0] });
        h.invoke(11, "read", ["k0", null], { node: finals[1][0] });
        h.ok(10, "read", ["k0", finals[0][2]], { node: finals[0][0] });
        h.ok(11, "read", ["k0", finals[1][2]], { node: finals[1][0] });
      } else
        finals.forEach(([node, k, v], i) => {
          h.invoke(10 + i, "read", [k, null], { node });
          h.ok(10 + i, "read", [k, v], { node });
        });
      return checkFinalAgreement(h.ops);
    };
    const ok = late([
      ["n1", "k0", 1],
      ["n2", "k0", 1],
      ["n3", "k0", 2],
    ]);
    expect(ok.valid).toBe(true);
    expect(ok.stats).toMatchObject({ divergentKeys: 0, lateWrites: 1 });
    // Back to the old value after the new one was seen: divergence, not a late write.
    expect(
      late([
        ["n1", "k0", 1],
        ["n2", "k0", 2],
        ["n3", "k0", 1],
      ]).valid,
    ).toBe(false);
    // A value no pending write could set.
    expect(
      late([
        ["n1", "k0", 1],
        ["n2", "k0", 1],
        ["n3", "k0", 3],
      ]).valid,
    ).toBe(false);
    // Reads overlapping in time: the write may land between them too.
    expect(
      late(
        [
          ["n1", "k0", 1],
          ["n2", "k0", 2],
        ],
        true,
      ).valid,
    ).toBe(true);
    // Without a pending write the same reads are divergence.
    expect(
      checkFinalAgreement(
        history([
          ["n1", "k0", 2],
          ["n2", "k0", 2],
          ["n3", "k0", 1],
        ]),
      ).valid,
    ).toBe(false);
  });

  it("ignores reads during the run and is unknown without final reads", () => {
    const h = historyBuilder();
    h.invoke(0, "write", ["k0", 1], { node: "n1" });
    h.ok(0, "write", ["k0", 1], { node: "n1" });
    h.invoke(1, "read", ["k0", null], { node: "n2" });
    h.ok(1, "read", ["k0", 0], { node: "n2" });
    h.invoke(0, "write", ["k0", 2], { node: "n1" });
    h.ok(0, "write", ["k0", 2], { node: "n1" });
    expect(checkFinalAgreement(h.ops).valid).toBe("unknown");
  });
});
