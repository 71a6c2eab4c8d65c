// The isolation checker on small hand-made histories: for each anomaly class one history that must be flagged
// with that class and a near-identical one that must pass.
import { describe, expect, it } from "vitest";
import { checkTxn, formatIsolation, parseIsolationModels, type TxnCheckOptions } from "../../checkers/txn/index.ts";
import { validateTxnHistory } from "../../checkers/txn/txns.ts";
import { TxnHistory, type M } from "./txn-history.ts";
import { listAppendHistory } from "../bench/txn-bench.ts";
import type { Op } from "../../src/history/op.ts";

const la: TxnCheckOptions = { workload: "list-append" };
const rw: TxnCheckOptions = { workload: "rw-register" };
const kinds = (h: TxnHistory, o: TxnCheckOptions = la) =>
  [...new Set(checkTxn(h.ops, o).anomalies.map((a) => a.kind))].sort();
/** Transactions that all run concurrently: every invocation, then every completion in order. */
function concurrent(...txns: [number, M[], ("ok" | "fail" | "info")?][]): TxnHistory {
  const h = new TxnHistory();
  for (const [p, m] of txns) h.begin(p, m);
  for (const [p, , t] of txns) h.end(p, t ?? "ok");
  return h;
}

describe("list-append: each anomaly class, flagged and not", () => {
  it("G0: write cycle", () => {
    const bad = concurrent(
      [
        1,
        [
          ["append", "x", 1],
          ["append", "y", 1],
        ],
      ],
      [
        2,
        [
          ["append", "x", 2],
          ["append", "y", 2],
        ],
      ],
    ).txn(3, [
      ["r", "x", [1, 2]],
      ["r", "y", [2, 1]],
    ]);
    const good = concurrent(
      [
        1,
        [
          ["append", "x", 1],
          ["append", "y", 1],
        ],
      ],
      [
        2,
        [
          ["append", "x", 2],
          ["append", "y", 2],
        ],
      ],
    ).txn(3, [
      ["r", "x", [1, 2]],
      ["r", "y", [1, 2]],
    ]);
    expect(kinds(bad)).toEqual(["G0"]);
    expect(checkTxn(bad.ops, la).isolation.status["read-uncommitted"]).toBe("violated");
    expect(kinds(good)).toEqual([]);
    expect(checkTxn(good.ops, la).valid).toBe(true);
  });
  it("G1c: circular information flow", () => {
    const bad = concurrent(
      [
        1,
        [
          ["append", "x", 1],
          ["r", "y", [1]],
        ],
      ],
      [
        2,
        [
          ["append", "y", 1],
          ["r", "x", [1]],
        ],
      ],
    );
    const good = concurrent(
      [
        1,
        [
          ["append", "x", 1],
          ["r", "y", [1]],
        ],
      ],
      [
        2,
        [
          ["append", "y", 1],
          ["r", "x", []],
        ],
      ],
    );
    expect(kinds(bad)).toEqual(["G1c"]);
    const v = checkTxn(bad.ops, la);
    expect(v.isolation.status["read-committed"]).toBe("violated");
    expect(v.isolation.status["read-uncommitted"]).toBe("held");
    expect(kinds(good)).toEqual([]);
  });
  it("G-single: read skew", () => {
    const bad = concurrent(
      [
        1,
        [
          ["r", "x", []],
          ["r", "y", [1]],
        ],
      ],
      [
        2,
        [
          ["append", "x", 1],
          ["append", "y", 1],
        ],
      ],
    ).txn(3, [["r", "x", [1]]]);
    const good = concurrent(
      [
        1,
        [
          ["r", "x", [1]],
          ["r", "y", [1]],
        ],
      ],
      [
        2,
        [
          ["append", "x", 1],
          ["append", "y", 1],
        ],
      ],
    ).txn(3, [["r", "x", [1]]]);
    expect(kinds(bad)).toEqual(["G-single"]);
    const v = checkTxn(bad.ops, la);
    expect(v.isolation.status["snapshot-isolation"]).toBe("violated");
    expect(v.isolation.status["read-committed"]).toBe("held");
    expect(kinds(good)).toEqual([]);
  });
  it("G-nonadjacent: long fork", () => {
    const bad = concurrent(
      [1, [["append", "x", 1]]],
      [2, [["append", "y", 1]]],
      [
        3,
        [
          ["r", "x", [1]],
          ["r", "y", []],
        ],
      ],
      [
        4,
        [
          ["r", "y", [1]],
          ["r", "x", []],
        ],
      ],
    );
    const good = concurrent(
      [1, [["append", "x", 1]]],
      [2, [["append", "y", 1]]],
      [
        3,
        [
          ["r", "x", [1]],
          ["r", "y", []],
        ],
      ],
      [
        4,
        [
          ["r", "y", [1]],
          ["r", "x", [1]],
        ],
      ],
    );
    expect(kinds(bad)).toEqual(["G-nonadjacent"]);
    expect(checkTxn(bad.ops, la).isolation.status["snapshot-isolation"]).toBe("violated");
    expect(kinds(good)).toEqual([]);
  });
  it("G2-item: write skew, allowed by snapshot isolation", () => {
    const bad = concurrent(
      [
        1,
        [
          ["r", "x", []],
          ["append", "y", 1],
        ],
      ],
      [
        2,
        [
          ["r", "y", []],
          ["append", "x", 1],
        ],
      ],
    ).txn(3, [
      ["r", "x", [1]],
      ["r", "y", [1]],
    ]);
    const good = concurrent(
      [
        1,
        [
          ["r", "x", []],
          ["append", "y", 1],
        ],
      ],
      [
        2,
        [
          ["r", "y", [1]],
          ["append", "x", 1],
        ],
      ],
    ).txn(3, [
      ["r", "x", [1]],
      ["r", "y", [1]],
    ]);
    expect(kinds(bad)).toEqual(["G2-item"]);
    const v = checkTxn(bad.ops, la);
    expect(v.isolation.status["snapshot-isolation"]).toBe("held");
    expect(v.isolation.status.serializable).toBe("violated");
    expect(v.isolation.strongest).toBe("strong-snapshot-isolation");
    expect(kinds(good)).toEqual([]);
  });
  it("G0-process: a process's two appends in the wrong order", () => {
    const bad = new TxnHistory()
      .txn(1, [["append", "x", 1]])
      .txn(1, [["append", "x", 2]])
      .txn(2, [["r", "x", [2, 1]]]);
    const good = new TxnHistory()
      .txn(1, [["append", "x", 1]])
      .txn(1, [["append", "x", 2]])
      .txn(2, [["r", "x", [1, 2]]]);
    expect(kinds(bad)).toEqual(["G0-process"]);
    const v = checkTxn(bad.ops, la);
    expect(v.isolation.status.serializable).toBe("held");
    expect(v.isolation.status["strong-session-serializable"]).toBe("violated");
    expect(kinds(good)).toEqual([]);
  });
  it("G0-realtime and G1c-realtime: orders that contradict real time on two processes", () => {
    const g0 = new TxnHistory()
      .txn(1, [["append", "x", 1]])
      .txn(2, [["append", "x", 2]])
      .txn(3, [["r", "x", [2, 1]]]);
    const g0ok = new TxnHistory()
      .txn(1, [["append", "x", 1]])
      .txn(2, [["append", "x", 2]])
      .txn(3, [["r", "x", [1, 2]]]);
    expect(kinds(g0)).toEqual(["G0-realtime"]);
    expect(checkTxn(g0.ops, la).isolation.status["strong-session-serializable"]).toBe("held");
    expect(kinds(g0ok)).toEqual([]);
    // T2 read T1's append of y though T1 began after T2 completed.
    const g1c = new TxnHistory()
      .txn(2, [
        ["append", "x", 1],
        ["r", "y", [1]],
      ])
      .txn(1, [["append", "y", 1]]);
    const g1cOk = new TxnHistory()
      .txn(2, [
        ["append", "x", 1],
        ["r", "y", []],
      ])
      .txn(1, [["append", "y", 1]]);
    expect(kinds(g1c)).toEqual(["G1c-realtime"]);
    expect(kinds(g1cOk)).toEqual([]);
  });
  it("G-single-realtime: a stale read after the append completed", () => {
    const bad = new TxnHistory()
      .txn(1, [["append", "x", 1]])
      .txn(2, [["r", "x", []]])
      .txn(3, [["r", "x", [1]]]);
    const good = new TxnHistory()
      .txn(1, [["append", "x", 1]])
      .txn(2, [["r", "x", [1]]])
      .txn(3, [["r", "x", [1]]]);
    expect(kinds(bad)).toEqual(["G-single-realtime"]);
    const v = checkTxn(bad.ops, la);
    expect(v.valid).toBe(false);
    expect(v.isolation.strongest).toBe("strong-session-serializable");
    expect(checkTxn(bad.ops, { ...la, consistencyModels: ["serializable"] }).valid).toBe(true);
    expect(kinds(good)).toEqual([]);
  });
  it("G1a: aborted read", () => {
    const bad = new TxnHistory().txn(1, [["append", "x", 1]], "fail").txn(2, [["r", "x", [1]]]);
    const good = new TxnHistory().txn(1, [["append", "x", 1]]).txn(2, [["r", "x", [1]]]);
    expect(kinds(bad)).toEqual(["G1a"]);
    expect(kinds(good)).toEqual([]);
  });
  it("G1b: intermediate read", () => {
    const bad = concurrent(
      [
        1,
        [
          ["append", "x", 1],
          ["append", "x", 2],
        ],
      ],
      [2, [["r", "x", [1]]]],
    );
    const good = concurrent(
      [
        1,
        [
          ["append", "x", 1],
          ["append", "x", 2],
        ],
      ],
      [2, [["r", "x", [1, 2]]]],
    );
    expect(kinds(bad)).toEqual(["G1b"]);
    expect(kinds(good)).toEqual([]);
  });
  it("internal inconsistency", () => {
    const bad = new TxnHistory().txn(1, [
      ["append", "x", 1],
      ["r", "x", []],
    ]);
    const good = new TxnHistory().txn(1, [
      ["append", "x", 1],
      ["r", "x", [1]],
    ]);
    expect(kinds(bad)).toEqual(["internal"]);
    expect(kinds(good)).toEqual([]);
  });
  it("dirty update (shown by a read of the aborted append, so G1a too)", () => {
    const bad = new TxnHistory()
      .txn(1, [["append", "x", 1]], "fail")
      .txn(2, [["append", "x", 2]])
      .txn(3, [["r", "x", [1, 2]]]);
    const good = new TxnHistory()
      .txn(1, [["append", "x", 1]])
      .txn(2, [["append", "x", 2]])
      .txn(3, [["r", "x", [1, 2]]]);
    expect(kinds(bad)).toEqual(["G1a", "dirty-update"]);
    expect(kinds(good)).toEqual([]);
  });
  it("lost update (two appends both built on the empty list, so a two-transaction cycle too)", () => {
    const bad = concurrent(
      [
        1,
        [
          ["r", "x", []],
          ["append", "x", 1],
        ],
      ],
      [
        2,
        [
          ["r", "x", []],
          ["append", "x", 2],
        ],
      ],
    );
    const good = new TxnHistory()
      .txn(1, [
        ["r", "x", []],
        ["append", "x", 1],
      ])
      .txn(2, [
        ["r", "x", [1]],
        ["append", "x", 2],
      ]);
    expect(kinds(bad)).toContain("lost-update");
    expect(checkTxn(bad.ops, la).isolation.status["snapshot-isolation"]).toBe("violated");
    expect(checkTxn(bad.ops, la).isolation.status["read-committed"]).toBe("held");
    expect(kinds(good)).toEqual([]);
  });
  it("duplicate elements", () => {
    const bad = new TxnHistory().txn(1, [["append", "x", 1]]).txn(2, [["r", "x", [1, 1]]]);
    const good = new TxnHistory().txn(1, [["append", "x", 1]]).txn(2, [["r", "x", [1]]]);
    expect(kinds(bad)).toEqual(["duplicate-elements"]);
    expect(kinds(good)).toEqual([]);
  });
  it("garbage read: a value nobody appended", () => {
    const bad = new TxnHistory().txn(1, [["append", "x", 1]]).txn(2, [["r", "x", [1, 9]]]);
    const good = new TxnHistory().txn(1, [["append", "x", 1]]).txn(2, [["r", "x", [1]]]);
    expect(kinds(bad)).toEqual(["garbage-read"]);
    expect(checkTxn(bad.ops, la).isolation.status["read-uncommitted"]).toBe("violated");
    expect(kinds(good)).toEqual([]);
  });
  it("incompatible order", () => {
    const bad = concurrent([1, [["append", "x", 1]]], [2, [["append", "x", 2]]])
      .txn(3, [["r", "x", [1, 2]]])
      .txn(4, [["r", "x", [2, 1]]]);
    const good = concurrent([1, [["append", "x", 1]]], [2, [["append", "x", 2]]])
      .txn(3, [["r", "x", [1, 2]]])
      .txn(4, [["r", "x", [1, 2]]]);
    expect(kinds(bad)).toEqual(["incompatible-order"]);
    expect(kinds(good)).toEqual([]);
  });
});

describe("rw-register: each anomaly class, flagged and not", () => {
  it("G2-item: write skew from the initial nil version", () => {
    const bad = concurrent(
      [
        1,
        [
          ["r", "x", null],
          ["w", "y", 1],
        ],
      ],
      [
        2,
        [
          ["r", "y", null],
          ["w", "x", 1],
        ],
      ],
    );
    const good = new TxnHistory()
      .txn(1, [
        ["r", "x", null],
        ["w", "y", 1],
      ])
      .txn(2, [
        ["r", "y", 1],
        ["w", "x", 1],
      ]);
    expect(kinds(bad, rw)).toEqual(["G2-item"]);
    expect(kinds(good, rw)).toEqual([]);
  });
  it("G-single from writes-follow-reads", () => {
    // T2 read x=1 and wrote x=2; T3 saw T2's y but the old x.
    const bad = new TxnHistory()
      .txn(1, [["w", "x", 1]])
      .begin(2, [
        ["r", "x", 1],
        ["w", "x", 2],
        ["w", "y", 2],
      ])
      .begin(3, [
        ["r", "y", 2],
        ["r", "x", 1],
      ])
      .end(2)
      .end(3);
    const good = new TxnHistory()
      .txn(1, [["w", "x", 1]])
      .begin(2, [
        ["r", "x", 1],
        ["w", "x", 2],
        ["w", "y", 2],
      ])
      .begin(3, [
        ["r", "y", 2],
        ["r", "x", 2],
      ])
      .end(2)
      .end(3);
    expect(kinds(bad, rw)).toEqual(["G-single"]);
    expect(kinds(good, rw)).toEqual([]);
  });
  it("G1a, G1b, dirty update, lost update, internal, garbage", () => {
    expect(kinds(new TxnHistory().txn(1, [["w", "x", 1]], "fail").txn(2, [["r", "x", 1]]), rw)).toEqual(["G1a"]);
    expect(kinds(new TxnHistory().txn(1, [["w", "x", 1]]).txn(2, [["r", "x", 1]]), rw)).toEqual([]);
    expect(
      kinds(
        concurrent(
          [
            1,
            [
              ["w", "x", 1],
              ["w", "x", 2],
            ],
          ],
          [2, [["r", "x", 1]]],
        ),
        rw,
      ),
    ).toEqual(["G1b"]);
    expect(
      kinds(
        concurrent(
          [
            1,
            [
              ["w", "x", 1],
              ["w", "x", 2],
            ],
          ],
          [2, [["r", "x", 2]]],
        ),
        rw,
      ),
    ).toEqual([]);
    expect(
      kinds(
        new TxnHistory().txn(1, [["w", "x", 1]], "fail").txn(2, [
          ["r", "x", 1],
          ["w", "x", 2],
        ]),
        rw,
      ),
    ).toEqual(["dirty-update"]);
    expect(
      kinds(
        new TxnHistory().txn(1, [["w", "x", 1]]).txn(2, [
          ["r", "x", 1],
          ["w", "x", 2],
        ]),
        rw,
      ),
    ).toEqual([]);
    // Both wrote over nil, in an unknown order: each also precedes the other (rw or ww), a cycle as well.
    expect(
      kinds(
        concurrent(
          [
            1,
            [
              ["r", "x", null],
              ["w", "x", 1],
            ],
          ],
          [
            2,
            [
              ["r", "x", null],
              ["w", "x", 2],
            ],
          ],
        ),
        rw,
      ),
    ).toContain("lost-update");
    expect(
      kinds(
        new TxnHistory()
          .txn(1, [
            ["r", "x", null],
            ["w", "x", 1],
          ])
          .txn(2, [
            ["r", "x", 1],
            ["w", "x", 2],
          ]),
        rw,
      ),
    ).toEqual([]);
    expect(
      kinds(
        new TxnHistory().txn(1, [
          ["w", "x", 1],
          ["r", "x", null],
        ]),
        rw,
      ),
    ).toEqual(["internal"]);
    expect(
      kinds(
        new TxnHistory().txn(1, [
          ["w", "x", 1],
          ["r", "x", 1],
        ]),
        rw,
      ),
    ).toEqual([]);
    expect(kinds(new TxnHistory().txn(1, [["r", "x", 7]]), rw)).toEqual(["garbage-read"]);
    expect(kinds(new TxnHistory().txn(1, [["r", "x", null]]), rw)).toEqual([]);
  });
  it("cyclic versions under sequential inference; none without it", () => {
    const h = () =>
      concurrent([1, [["w", "x", 1]]], [2, [["w", "x", 2]]])
        .txn(3, [["r", "x", 1]])
        .txn(3, [["r", "x", 2]]);
    const bad = h().txn(3, [["r", "x", 1]]),
      good = h().txn(3, [["r", "x", 2]]);
    expect(kinds(bad, { ...rw, versionOrder: "sequential" })).toEqual(["cyclic-versions"]);
    // (the good one is serializable; its first read of 1, begun after x=2 completed, is stale in real time)
    expect(kinds(good, { ...rw, versionOrder: "sequential" })).not.toContain("cyclic-versions");
    expect(checkTxn(good.ops, { ...rw, versionOrder: "sequential", consistencyModels: ["serializable"] }).valid).toBe(
      true,
    );
    expect(kinds(bad, rw)).toEqual([]);
  });
  it("linearizable inference orders versions by real time", () => {
    // x=1 then x=2, one after the other; a later reader sees 1 again and then 2: with per-key real-time order
    // its read of 1 is stale, a G-single-realtime or a cyclic version order.
    const bad = new TxnHistory()
      .txn(1, [["w", "x", 1]])
      .txn(2, [["w", "x", 2]])
      .txn(3, [["r", "x", 1]]);
    expect(checkTxn(bad.ops, { ...rw, versionOrder: "linearizable" }).valid).toBe(false);
    const good = new TxnHistory()
      .txn(1, [["w", "x", 1]])
      .txn(2, [["w", "x", 2]])
      .txn(3, [["r", "x", 2]]);
    expect(checkTxn(good.ops, { ...rw, versionOrder: "linearizable" }).valid).toBe(true);
  });
});

describe("generated strictly serializable histories", () => {
  const asRegisters = (h: Op[]) =>
    h.map((op) => ({
      ...op,
      value: (op.value as [string, unknown, unknown][]).map(([f, k, v]) =>
        f === "append" ? ["w", k, v] : ["r", k, Array.isArray(v) ? (v.length ? v[v.length - 1] : null) : null],
      ),
    }));
  /** A read made stale: the first read whose last element's append had completed before the reader began,
   *  with that element dropped. */
  function staled(h: Op[]): Op[] {
    const out = structuredClone(h);
    const done = new Map<string, number>(),
      invokedAt = new Map<unknown, number>();
    for (const o of out) {
      if (o.type === "invoke") {
        invokedAt.set(o.process, o.index);
        continue;
      }
      if (o.type !== "ok") continue;
      for (const m of o.value as unknown[][]) {
        if (m[0] === "append") done.set(`${m[1]} ${m[2]}`, o.index);
        else if (
          Array.isArray(m[2]) &&
          m[2].length >= 2 &&
          (done.get(`${m[1]} ${m[2].at(-1)}`) ?? Infinity) < invokedAt.get(o.process)!
        ) {
          m[2] = m[2].slice(0, -1);
          return out;
        }
      }
    }
    throw new Error("no read to make stale");
  }
  it("3,000 transactions at concurrency 10 are strict serializable as lists and as registers under every inference; one read made stale breaks it", () => {
    const h = listAppendHistory(3000, 10, "txn-test");
    expect(checkTxn(h, la).valid).toBe(true);
    for (const versionOrder of ["none", "sequential", "linearizable"] as const)
      expect(checkTxn(asRegisters(h), { ...rw, versionOrder }).valid).toBe(true);
    const bad = checkTxn(staled(h), la);
    expect(bad.valid).toBe(false);
    // The reader missed an append that completed before it began: a cycle through that writer.
    expect(bad.anomalies.length).toBeGreaterThan(0);
    expect(bad.anomalies.map((a) => a.kind)).toContain("G-single-realtime");
    expect(bad.isolation.status["read-committed"]).toBe("held");
  });
});

describe("verdicts, budgets and words", () => {
  it("a cycle found with no search budget is still a violation", () => {
    const h = concurrent(
      [
        1,
        [
          ["r", "x", []],
          ["append", "y", 1],
        ],
      ],
      [
        2,
        [
          ["r", "y", []],
          ["append", "x", 1],
        ],
      ],
    ).txn(3, [
      ["r", "x", [1]],
      ["r", "y", [1]],
    ]);
    const v = checkTxn(h.ops, { ...la, budget: 1 });
    expect(v.valid).toBe(false);
    expect(v.isolation.status.serializable).toBe("violated");
    expect(v.anomalies.map((a) => a.kind)).toEqual(["cycle-search-timeout"]);
  });
  it("explains each edge in a sentence, names the fault in effect, and fills the evidence", () => {
    const h = new TxnHistory()
      .nemesis("partition", "n1|n2")
      .begin(1, [
        ["r", "x", []],
        ["append", "y", 1],
      ])
      .begin(2, [
        ["r", "y", []],
        ["append", "x", 1],
      ])
      .end(1)
      .end(2)
      .nemesis("heal")
      .txn(3, [
        ["r", "x", [1]],
        ["r", "y", [1]],
      ]);
    const a = checkTxn(h.ops, la).anomalies[0];
    expect(a.kind).toBe("G2-item");
    expect(a.explanation).toMatch(/T1 did not observe T2's append of 1 to key "x"/);
    expect(a.explanation).toMatch(/partition/);
    expect(a.evidence?.steps?.map((s) => s.relation)).toEqual(["rw", "rw"]);
    expect(a.evidence?.order).toHaveLength(2);
    expect(a.evidence?.steps?.[0].from).toBe(a.evidence?.order?.[0]);
  });
  it("names the fault in effect for an anomaly that is not a cycle too", () => {
    const h = new TxnHistory()
      .txn(1, [["append", "x", 1]], "fail")
      .nemesis("kill", "n3")
      .txn(2, [["r", "x", [1]]]);
    const a = checkTxn(h.ops, la).anomalies[0];
    expect(a.kind).toBe("G1a");
    expect(a.explanation).toMatch(/In effect: kill "n3" \(from op 2, never healed\)/);
  });
  it("a history with no committed transaction is unknown", () => {
    const v = checkTxn(new TxnHistory().txn(1, [["append", "x", 1]], "fail").ops, la);
    expect(v.valid).toBe("unknown");
  });
  it("parses Elle's model names and aliases, and rejects unknown ones", () => {
    expect(parseIsolationModels("serializable,snapshot-isolation")).toEqual(["serializable", "snapshot-isolation"]);
    expect(parseIsolationModels(":strict-serializable, read_committed")).toEqual([
      "strict-serializable",
      "read-committed",
    ]);
    expect(() => parseIsolationModels("serialisable")).toThrow(/unknown consistency model "serialisable"/);
  });
  it("prints a table with the strongest model that held", () => {
    const lines = formatIsolation(
      checkTxn(new TxnHistory().txn(1, [["append", "x", 1]]).txn(2, [["r", "x", [1]]]).ops, la).isolation,
    );
    expect(lines.at(-1)).toBe("  strongest model that held: strict-serializable");
    expect(lines.some((l) => /serializable\s+held/.test(l))).toBe(true);
  });
  it("rejects malformed micro-ops and a value appended twice with file:line errors", () => {
    const twice = new TxnHistory().txn(1, [["append", "x", 1]]).txn(2, [["append", "x", 1]]);
    expect(() => validateTxnHistory(twice.ops, "list-append", "h.jsonl")).toThrow(
      'h.jsonl:3: value[0].value: 1 is appended to key "x" a second time (first at line 1); values must be unique per key',
    );
    const notList = new TxnHistory().txn(1, [["r", "x", 5]]);
    expect(() => validateTxnHistory(notList.ops, "list-append", "h.jsonl")).toThrow(
      "h.jsonl:2: value[0].value: a list-append read must give a list (or nil), got 5",
    );
    const bad = new TxnHistory().txn(1, [["inc", "x", 1]]);
    expect(() => checkTxn(bad.ops, la)).toThrow('value[0]: list-append micro-ops are "r" and "append", got "inc"');
  });
});
