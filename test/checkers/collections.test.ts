import { describe, expect, it } from "vitest";
import { HistoryError, type Op } from "../../src/history/op.ts";
import { checkSet } from "../../checkers/set/index.ts";
import { checkBank } from "../../checkers/bank/index.ts";
import { checkCounter } from "../../checkers/counter/index.ts";
import { checkChat } from "../../checkers/chat/index.ts";

function hist() {
  const ops: Op[] = [];
  let t = 0;
  const pair = (p: number, f: string, inv: unknown, type: Op["type"], out: unknown, node = "n1") => {
    t += 10_000_000;
    ops.push({ index: ops.length, time: t, process: p, type: "invoke", f, value: inv, node });
    t += 1_000_000;
    ops.push({ index: ops.length, time: t, process: p, type, f, value: out, node });
  };
  return {
    ops,
    pair,
    heal() {
      t += 1_000_000;
      ops.push({ index: ops.length, time: t, process: "nemesis", type: "info", f: "heal-partition", value: null });
    },
  };
}

describe("set", () => {
  const base = () => {
    const h = hist();
    h.pair(0, "add", ["s", 1], "ok", ["s", 1], "n1");
    h.pair(1, "add", ["s", 2], "ok", ["s", 2], "n2");
    h.pair(2, "read", ["s", null], "ok", ["s", [1]], "n2"); // n2 does not have 1 yet
    h.pair(2, "read", ["s", null], "ok", ["s", [2, 1]], "n2");
    h.heal();
    return h;
  };
  it("passes when every node's final read has every acknowledged add, and measures time to visibility", () => {
    const h = base();
    for (const [i, n] of ["n1", "n2", "n3"].entries()) h.pair(10 + i, "read", ["s", null], "ok", ["s", [1, 2]], n);
    const v = checkSet(h.ops);
    expect(v.valid).toBe(true);
    expect(v.stats!.visibleAdds).toBe(2);
    expect(v.stats!.visibilityMsMax).toBeGreaterThan(10);
    expect(v.lagsMs).toHaveLength(2);
    expect(Math.max(...v.lagsMs!)).toBe(v.stats!.visibilityMsMax);
  });
  it("fails a lost acknowledged add, a failed add that appears, and nodes that disagree", () => {
    const h = base();
    h.pair(3, "add", ["s", 3], "fail", ["s", 3]);
    h.pair(10, "read", ["s", null], "ok", ["s", [2, 3]], "n1");
    h.pair(11, "read", ["s", null], "ok", ["s", [2]], "n2");
    const kinds = checkSet(h.ops)
      .anomalies.map((a) => a.kind)
      .sort();
    expect(kinds).toEqual(["divergent", "failed-add-visible", "lost-add"]);
  });
  it("a crashed add may or may not appear; no final reads is unknown", () => {
    const h = base();
    h.pair(4, "add", ["s", 9], "info", ["s", 9]);
    h.pair(10, "read", ["s", null], "ok", ["s", [1, 2]], "n1");
    expect(checkSet(h.ops).valid).toBe(true);
    expect(checkSet(base().ops).valid).toBe("unknown");
  });
});

describe("bank", () => {
  const o = { accounts: ["a", "b"], total: 20 };
  it("passes reads that sum to the total", () => {
    const h = hist();
    h.pair(0, "transfer", { from: "a", to: "b", amount: 3 }, "ok", { from: "a", to: "b", amount: 3 });
    h.pair(1, "read-all", ["a", "b"], "ok", { a: 7, b: 13 });
    expect(checkBank(h.ops, o).valid).toBe(true);
  });
  it("fails a wrong total and a negative balance", () => {
    const h = hist();
    h.pair(1, "read-all", ["a", "b"], "ok", { a: 7, b: 12 });
    h.pair(1, "read-all", ["a", "b"], "ok", { a: -1, b: 21 });
    const v = checkBank(h.ops, o);
    expect(v.anomalies.map((a) => a.kind)).toEqual(["wrong-total", "negative-balance"]);
    expect(v.anomalies[0].explanation).toContain("sums to 19, not 20");
    expect(checkBank(h.ops, { ...o, allowNegative: true }).anomalies.length).toBe(1);
  });
});

describe("counter", () => {
  it("passes reads within [acknowledged, attempted], counting crashed increments as maybe", () => {
    const h = hist();
    h.pair(0, "incr", ["c", 2], "ok", ["c", 2]);
    h.pair(1, "incr", ["c", 3], "info", ["c", 3]);
    h.pair(2, "read", ["c", null], "ok", ["c", 5]);
    h.pair(2, "read", ["c", null], "ok", ["c", 2]);
    expect(checkCounter(h.ops).valid).toBe(true);
  });
  it("fails a read below the acknowledged sum and one above the attempted sum", () => {
    const h = hist();
    h.pair(0, "incr", ["c", 2], "ok", ["c", 2]);
    h.pair(2, "read", ["c", null], "ok", ["c", 1]);
    h.pair(2, "read", ["c", null], "ok", ["c", 9]);
    expect(checkCounter(h.ops).anomalies.map((a) => a.kind)).toEqual(["counter-too-low", "counter-too-high"]);
  });
  it('keys 1 and "1" are two counters, not one', () => {
    const h = hist();
    h.pair(0, "incr", [1, 5], "ok", [1, 5]);
    h.pair(2, "read", ["1", null], "ok", ["1", 0]); // the other key: never incremented
    h.pair(2, "read", [1, null], "ok", [1, 5]);
    expect(checkCounter(h.ops).valid).toBe(true);
    h.pair(2, "read", [1, null], "ok", [1, 0]); // key 1 itself lost its increment
    const v = checkCounter(h.ops);
    expect(v.anomalies.map((a) => [a.kind, a.key])).toEqual([["counter-too-low", "1"]]);
  });
});

describe("key identity", () => {
  it("a string key is itself; other keys, and strings that read as JSON, are their JSON: never two keys as one", async () => {
    const { keyId } = await import("../../checkers/keys.ts");
    expect(keyId("k0")).toBe("k0");
    expect(keyId(1)).toBe("1");
    expect(keyId("1")).toBe('"1"');
    expect(keyId([1])).toBe("[1]");
    expect(keyId("[1]")).toBe('"[1]"');
    expect(new Set([1, "1", [1], "[1]", null, "null", true, "true", "x"].map(keyId)).size).toBe(9);
  });
});

describe("chat", () => {
  const P = { conv: "c", id: "p", parent: null, seen: [] };
  const R = { conv: "c", id: "r", parent: "p", seen: ["p"] };
  it("passes a view that shows a reply with its parent", () => {
    const h = hist();
    h.pair(0, "post", ["c", "p"], "ok", ["c", P]);
    h.pair(1, "post", ["c", "r"], "ok", ["c", R]);
    h.pair(2, "scan", ["c/"], "ok", { "c/p": P, "c/r": R });
    expect(checkChat(h.ops).valid).toBe(true);
  });
  it("fails a view that shows reply R without its parent P", () => {
    const h = hist();
    h.pair(0, "post", ["c", "p"], "ok", ["c", P]);
    h.pair(1, "post", ["c", "r"], "ok", ["c", R]);
    h.pair(2, "scan", ["c/"], "ok", { "c/r": R });
    const v = checkChat(h.ops);
    expect(v.valid).toBe(false);
    expect(v.anomalies[0].kind).toBe("reply-without-parent");
    expect(v.anomalies[0].explanation).toContain(
      "showed reply r (posted by session 1) without its parent p (posted by session 0",
    );
  });
});

describe("a history that does not fit the checker", () => {
  const register = () => {
    const h = hist();
    h.pair(0, "write", ["k", 1], "ok", ["k", 1]);
    h.pair(1, "read", ["k", null], "ok", ["k", 1]);
    return h.ops;
  };
  it("bank: no read-all is unknown with the reason; an unknown f is refused; inferred accounts and total", () => {
    const h = hist();
    h.pair(0, "transfer", { from: "a", to: "b", amount: 3 }, "ok", { from: "a", to: "b", amount: 3 });
    const v = checkBank(h.ops, { accounts: ["a", "b"], total: 20 });
    expect(v.valid).toBe("unknown");
    expect(v.reason).toContain("no read-all operations");
    expect(() => checkBank(register())).toThrow(HistoryError);
    expect(() => checkBank(register())).toThrow(/f: the bank checker does not know "write"/);
    h.pair(1, "read-all", null, "ok", { 0: 10, 1: 10 });
    h.pair(1, "read-all", null, "ok", { 0: 7, 1: 13 });
    expect(checkBank(h.ops).valid).toBe(true);
    h.pair(1, "read-all", null, "ok", { 0: 7, 1: 12 });
    const bad = checkBank(h.ops);
    expect(bad.valid).toBe(false);
    expect(bad.anomalies.map((a) => a.kind)).toEqual(["wrong-total"]);
    expect(bad.anomalies[0].explanation).toContain("sums to 19, not 20 (the total most reads agree on");
  });
  it("counter: no ok read is unknown; an unknown f or a value that is not [key, n] is refused", () => {
    const h = hist();
    h.pair(0, "incr", ["c", 2], "ok", ["c", 2]);
    h.pair(1, "read", ["c", null], "fail", ["c", null]);
    expect(checkCounter(h.ops).valid).toBe("unknown");
    expect(checkCounter(h.ops).reason).toContain("no reads");
    expect(() => checkCounter(register())).toThrow(/does not know "write"/);
    const plain = hist();
    plain.pair(0, "incr", 2, "ok", 2);
    expect(() => checkCounter(plain.ops)).toThrow(/value: the counter checker expects \[key, delta\]/);
  });
  it("set: no ok read is unknown; an unknown f or plain values are refused (not a TypeError)", () => {
    const h = hist();
    h.pair(0, "add", ["s", 1], "ok", ["s", 1]);
    expect(checkSet(h.ops).valid).toBe("unknown");
    expect(checkSet(h.ops).reason).toContain("no reads");
    expect(() => checkSet(register())).toThrow(/does not know "write"/);
    const plain = hist();
    plain.pair(0, "add", 1, "ok", 1);
    plain.pair(1, "read", null, "ok", [1]);
    expect(() => checkSet(plain.ops)).toThrow(HistoryError);
  });
  it("set: Jepsen's final read (after every add, by a process that also added) counts as final", () => {
    const h = hist();
    h.pair(0, "add", ["s", 1], "ok", ["s", 1]);
    h.pair(1, "add", ["s", 2], "ok", ["s", 2]);
    h.pair(0, "read", ["s", null], "ok", ["s", [1, 2]]);
    expect(checkSet(h.ops).valid).toBe(true);
    h.pair(1, "read", ["s", null], "ok", ["s", [2]]);
    expect(checkSet(h.ops).anomalies.map((a) => a.kind)).toContain("lost-add");
  });
  it("chat: no ok scan is unknown; an unknown f is refused", () => {
    const h = hist();
    h.pair(0, "post", ["c", "p"], "ok", ["c", { conv: "c", id: "p", parent: null, seen: [] }]);
    expect(checkChat(h.ops).valid).toBe("unknown");
    expect(checkChat(h.ops).reason).toContain("no scans");
    expect(() => checkChat(register())).toThrow(/does not know "write"/);
  });
});
