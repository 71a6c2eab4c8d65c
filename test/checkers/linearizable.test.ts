import { describe, expect, it } from "vitest";
import { checkLinearizable } from "../../checkers/linearizable/index.ts";
import { casRegister, register } from "../../checkers/linearizable/models/cas-register.ts";
import { keyed } from "../../checkers/linearizable/models/keyed.ts";
import { historyBuilder } from "../helpers.ts";
import { hardAndBad } from "./linearizable-histories.ts";

const check = (ops: any, initial: unknown = 0) =>
  checkLinearizable(ops, { model: casRegister({ initial }), allAnomalies: true });

describe("linearizable checker (cas-register)", () => {
  it("passes a sequential history and overlapping ops that can be ordered", () => {
    const h = historyBuilder();
    h.invoke(0, "write", 1);
    h.ok(0, "write", 1);
    h.invoke(1, "read", null);
    h.invoke(2, "write", 2);
    h.ok(1, "read", 2);
    h.ok(2, "write", 2);
    h.invoke(1, "cas", [2, 3]);
    h.ok(1, "cas", [2, 3]);
    h.invoke(0, "read", null);
    h.ok(0, "read", 3);
    expect(check(h.ops).valid).toBe(true);
  });

  it("fails a stale read after an acknowledged write, naming the read", () => {
    const h = historyBuilder();
    h.invoke(0, "write", 1);
    h.ok(0, "write", 1);
    const r = h.invoke(1, "read", null);
    const rr = h.ok(1, "read", 0);
    const v = check(h.ops);
    expect(v.valid).toBe(false);
    expect(v.anomalies[0].kind).toBe("nonlinearizable");
    expect(v.anomalies[0].ops).toEqual(expect.arrayContaining([r, rr]));
    expect(v.anomalies[0].explanation).toContain("read → 0");
  });

  it("fails a read of a value never written", () => {
    const h = historyBuilder();
    h.invoke(0, "write", 1);
    h.ok(0, "write", 1);
    h.invoke(1, "read", null);
    h.ok(1, "read", 7);
    expect(check(h.ops).valid).toBe(false);
  });

  it("fails a CAS that succeeds on a wrong value", () => {
    const h = historyBuilder();
    h.invoke(0, "write", 1);
    h.ok(0, "write", 1);
    h.invoke(1, "cas", [5, 2]);
    h.ok(1, "cas", [5, 2]);
    expect(check(h.ops).valid).toBe(false);
  });

  it("ignores failed ops: a read of a value whose only write failed is invalid", () => {
    const h = historyBuilder();
    h.invoke(0, "write", 3);
    h.fail(0, "write", 3);
    h.invoke(1, "read", null);
    h.ok(1, "read", 3);
    expect(check(h.ops).valid).toBe(false);
  });

  it("lets an indeterminate (info) write take effect late, or never", () => {
    const late = historyBuilder();
    late.invoke(0, "write", 1);
    late.info(0, "write", 1);
    late.invoke(1, "read", null);
    late.ok(1, "read", 0);
    late.invoke(1, "read", null);
    late.ok(1, "read", 1); // took effect after the first read
    expect(check(late.ops).valid).toBe(true);
    const never = historyBuilder();
    never.invoke(0, "write", 1);
    never.info(0, "write", 1);
    never.invoke(1, "read", null);
    never.ok(1, "read", 0);
    expect(check(never.ops).valid).toBe(true);
    // ...but not before it was invoked.
    const early = historyBuilder();
    early.invoke(1, "read", null);
    early.ok(1, "read", 1);
    early.invoke(0, "write", 1);
    early.info(0, "write", 1);
    expect(check(early.ops).valid).toBe(false);
  });

  it("an info write cannot take effect twice", () => {
    const h = historyBuilder();
    h.invoke(0, "write", 1);
    h.info(0, "write", 1);
    h.invoke(1, "read", null);
    h.ok(1, "read", 1);
    h.invoke(2, "write", 2);
    h.ok(2, "write", 2);
    h.invoke(1, "read", null);
    h.ok(1, "read", 1);
    expect(check(h.ops).valid).toBe(false);
  });

  it("a CAS that ran and failed its compare (error compare-failed) is an observation", () => {
    const h = historyBuilder();
    h.invoke(0, "write", 1);
    h.ok(0, "write", 1);
    h.invoke(1, "cas", [1, 2]);
    h.fail(1, "cas", [1, 2], { error: "compare-failed" });
    expect(check(h.ops).valid).toBe(false); // the value was 1, so the compare could not fail
    const ok = historyBuilder();
    ok.invoke(0, "write", 1);
    ok.ok(0, "write", 1);
    ok.invoke(1, "cas", [0, 2]);
    ok.fail(1, "cas", [0, 2], { error: "compare-failed" });
    expect(check(ok.ops).valid).toBe(true);
  });

  it("register model rejects cas; keyed model checks keys independently", () => {
    const h = historyBuilder();
    h.invoke(0, "write", ["a", 1]);
    h.ok(0, "write", ["a", 1]);
    h.invoke(1, "read", ["b", null]);
    h.ok(1, "read", ["b", null]);
    h.invoke(1, "read", ["a", null]);
    h.ok(1, "read", ["a", 1]);
    const v = checkLinearizable(h.ops, { model: keyed(casRegister()) });
    expect(v.valid).toBe(true);
    expect(v.stats?.partitions).toBe(2);
    h.invoke(2, "read", ["b", null]);
    h.ok(2, "read", ["b", 1]);
    const bad = checkLinearizable(h.ops, { model: keyed(register()) });
    expect(bad.valid).toBe(false);
    expect(bad.anomalies[0].key).toBe("b");
  });

  it("returns unknown, not a hang, when the budget runs out", () => {
    const h = historyBuilder();
    for (let p = 0; p < 12; p++) h.invoke(p, "write", p);
    for (let p = 0; p < 12; p++) h.ok(p, "write", p);
    h.invoke(20, "read", null);
    h.ok(20, "read", 99);
    const v = checkLinearizable(h.ops, { model: casRegister({ initial: 0 }), maxSteps: 50 });
    expect(v.valid).toBe("unknown");
    expect(v.reason).toContain("budget");
  });
});

describe("many keys: the cheapest refutation decides", () => {
  it("one key undecidable within the budget, another refuted cheaply: invalid, naming the undecided key", () => {
    const model = keyed(casRegister());
    const ops = hardAndBad();
    // The hard key alone is not decided within the budget.
    const hardOnly = checkLinearizable(
      ops.filter((o) => (o.value as unknown[])[0] === "hard"),
      { model, maxSteps: 200_000 },
    );
    expect(hardOnly.valid).toBe("unknown");
    expect(hardOnly.reason).toMatch(/search budget of 200000 steps exhausted: 1 of 1 keys not decided \("hard"\)/);
    for (const allAnomalies of [false, true]) {
      const v = checkLinearizable(ops, { model, maxSteps: 200_000, allAnomalies });
      expect(v.valid).toBe(false);
      expect(v.anomalies.map((a) => a.key)).toEqual(["bad"]);
      expect(v.undecided).toEqual(["hard"]);
      expect(v.stats).toMatchObject({ partitions: 2, checked: 1, unchecked: 1, undecided: 1 });
      expect(v.reason).toMatch(/^1 key not decided \(.*\): "hard"$/);
      expect(v.stats!.steps).toBeLessThanOrEqual(200_000);
    }
    // Without the step budget binding, the first refutation stops the search at once (no allAnomalies).
    const first = checkLinearizable(ops, { model });
    expect(first.valid).toBe(false);
    expect(first.undecided).toEqual(["hard"]);
    expect(first.stats!.steps).toBeLessThan(100_000);
  });

  it("a key decided after many turns takes exactly the steps it takes alone", () => {
    const model = keyed(casRegister());
    const ops = hardAndBad(11);
    const hard = ops.filter((o) => (o.value as unknown[])[0] === "hard");
    const alone = checkLinearizable(hard, { model, shrink: false });
    const both = checkLinearizable(ops, { model, shrink: false, allAnomalies: true });
    expect(alone.valid).toBe(false);
    expect(both.anomalies.map((a) => a.key)).toEqual(["hard", "bad"]);
    expect(both.anomalies[0].details).toEqual(alone.anomalies[0].details);
    expect(both.undecided).toBeUndefined();
  });
});
