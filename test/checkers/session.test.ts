import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import type { Op } from "../../src/history/op.ts";
import { checkConvergence, checkSession, type Guarantee } from "../../checkers/session/index.ts";
import { checkCausal } from "../../checkers/causal/index.ts";
import { buildGraph } from "../../checkers/causal/graph.ts";
import { registerAdapter } from "../../checkers/session/index.ts";
import { realTimeViolations } from "../../checkers/session/realtime.ts";
import { registerHistory } from "../helpers.ts";

const hist = registerHistory;
const s = (ops: Op[], g: Guarantee) => checkSession(ops, g);
const cc = (ops: Op[]) => checkCausal(ops, registerAdapter, { model: "CC" });
const ccv = (ops: Op[]) => checkCausal(ops, registerAdapter, { model: "CCv" });

describe("read-your-writes", () => {
  it("passes when a session reads its own write, or a concurrent write of another session", () => {
    const h = hist().w(0, "x", 1).r(0, "x", 1).w(1, "x", 5).r(0, "x", 5).w(0, "x", 2).r(0, "x", 2);
    const v = s(h.ops, "read-your-writes");
    expect(v.valid).toBe(true);
    expect(v.stats!.readsAfterOwnWrite).toBe(3);
  });

  it("fails a read of the session's own older write, naming the session, key, write, read and delay", () => {
    const h = hist().w(3, "x", 16).w(3, "x", 17).r(3, "x", 16);
    const v = s(h.ops, "read-your-writes");
    expect(v.valid).toBe(false);
    const a = v.anomalies[0];
    expect(a.kind).toBe("read-your-writes");
    expect(a.key).toBe("x");
    expect(a.ops).toEqual([2, 3, 4, 5]);
    expect(a.explanation).toBe(
      "session 3 wrote x=17 at 0.003 s (acknowledged at 0.004 s); its read of x at 0.005 s, 1.0 ms after the acknowledgement, returned 16, its own earlier write. This read also breaks monotonic writes.",
    );
    expect((a.details as any).breaks).toEqual(["read-your-writes", "monotonic-writes"]);
    expect((a.details as any).afterAckMs).toBe(1);
  });

  it("fails a read of the initial value after an acknowledged write, and of a value the session had seen before writing", () => {
    expect(s(hist().w(0, "x", 1).r(0, "x", null).ops, "read-your-writes").anomalies[0].explanation).toContain(
      "returned nothing (the initial value)",
    );
    const v = s(hist().w(1, "x", 7).r(0, "x", 7).w(0, "x", 1).r(0, "x", 7).ops, "read-your-writes");
    expect(v.valid).toBe(false);
    expect(v.anomalies[0].explanation).toContain("returned 7, written by session 1");
  });

  it("edge cases: a crashed write ends its session; a failed write is not expected; a session that never reads passes", () => {
    // process 0 crashes writing 1; its successor (process 5) is a new session and may read the initial value.
    const crashed = hist().w(0, "x", 1, "info").r(5, "x", null);
    expect(s(crashed.ops, "read-your-writes").valid).toBe(true);
    const failed = hist().w(0, "x", 1).w(0, "x", 2, "fail").r(0, "x", 1);
    expect(s(failed.ops, "read-your-writes").valid).toBe(true);
    const writer = hist().w(0, "x", 1).w(0, "x", 2).r(1, "x", 1);
    const v = s(writer.ops, "read-your-writes");
    expect(v.valid).toBe(true);
    expect(v.stats!.sessionsWithoutReads).toBe(1);
  });
});

describe("monotonic reads", () => {
  it("passes reads moving forward, and reads of unordered concurrent writes in any order", () => {
    expect(s(hist().w(1, "x", 1).w(1, "x", 2).r(0, "x", 1).r(0, "x", 2).ops, "monotonic-reads").valid).toBe(true);
    expect(
      s(hist().w(1, "x", 1).w(2, "x", 5).r(0, "x", 1).r(0, "x", 5).r(0, "x", 1).ops, "monotonic-reads").valid,
    ).toBe(true);
  });
  it("fails a read that goes back to an older version or to the initial value", () => {
    const v = s(hist().w(1, "x", 1).w(1, "x", 2).r(0, "x", 2).r(0, "x", 1).ops, "monotonic-reads");
    expect(v.valid).toBe(false);
    expect(v.anomalies[0].explanation).toMatch(
      /session 0 read x=2 .* then read x again .* got 1, written by session 1/,
    );
    expect(s(hist().w(1, "x", 1).r(0, "x", 1).r(0, "x", null).ops, "monotonic-reads").valid).toBe(false);
  });
});

describe("monotonic writes", () => {
  it("passes when a reader that saw the later write also sees the earlier one", () => {
    expect(s(hist().w(1, "x", 1).w(1, "y", 1).r(0, "y", 1).r(0, "x", 1).ops, "monotonic-writes").valid).toBe(true);
  });
  it("fails when a reader saw T's later write but then misses T's earlier one", () => {
    const v = s(hist().w(1, "x", 1).w(1, "y", 1).r(0, "y", 1).r(0, "x", null).ops, "monotonic-writes");
    expect(v.valid).toBe(false);
    expect(v.anomalies[0].kind).toBe("monotonic-writes");
    expect(v.anomalies[0].explanation).toContain("after its own write x=1");
  });
});

describe("writes-follow-reads", () => {
  it("passes when the write's read dependency is visible to whoever sees the write", () => {
    expect(
      s(hist().w(2, "x", 1).r(1, "x", 1).w(1, "y", 1).r(0, "y", 1).r(0, "x", 1).ops, "writes-follow-reads").valid,
    ).toBe(true);
  });
  it("fails when a reader sees a write but not what its writer had read before writing it", () => {
    const v = s(hist().w(2, "x", 1).r(1, "x", 1).w(1, "y", 1).r(0, "y", 1).r(0, "x", null).ops, "writes-follow-reads");
    expect(v.valid).toBe(false);
    expect(v.anomalies[0].explanation).toContain("after reading x=1");
  });
});

describe("convergence", () => {
  it("passes when every node's final read returns the last write", () => {
    const h = hist().w(0, "x", 1).w(1, "x", 2).heal().r(10, "x", 2, "n1").r(11, "x", 2, "n2").r(12, "x", 2, "n3");
    const v = checkConvergence(h.ops);
    expect(v.valid).toBe(true);
    expect(v.stats!.finalReads).toBe(3);
  });
  it("fails replicas that disagree, and a write lost behind the same session's older write", () => {
    const d = checkConvergence(hist().w(0, "x", 1).w(1, "x", 2).heal().r(10, "x", 1, "n1").r(11, "x", 2, "n2").ops);
    expect(d.valid).toBe(false);
    expect(d.anomalies[0].kind).toBe("divergent");
    const l = checkConvergence(hist().w(0, "x", 1).w(0, "x", 2).heal().r(10, "x", 1, "n1").r(11, "x", 1, "n2").ops);
    expect(l.anomalies.map((a) => a.kind)).toEqual(["lost-write"]);
    expect(l.anomalies[0].explanation).toContain("wrote x=2");
  });
  it("is unknown without final reads", () => {
    expect(checkConvergence(hist().w(0, "x", 1).r(0, "x", 1).ops).valid).toBe("unknown");
  });
});

describe("causal consistency (Bouajjani et al. bad patterns)", () => {
  it("passes a causal history with concurrent writes seen in different orders by different sessions (CC, not CCv)", () => {
    const h = hist().w(1, "x", 1).w(2, "x", 2).r(3, "x", 1).r(3, "x", 2).r(4, "x", 2).r(4, "x", 1);
    expect(cc(h.ops).valid).toBe(true);
    const v = ccv(h.ops);
    expect(v.valid).toBe(false);
    expect(v.anomalies[0].kind).toBe("CyclicCF");
  });
  it("passes a history where everyone agrees on the order (CC and CCv)", () => {
    const h = hist().w(1, "x", 1).r(2, "x", 1).w(2, "x", 2).r(3, "x", 2).r(4, "x", 1).r(4, "x", 2);
    expect(cc(h.ops).valid).toBe(true);
    expect(ccv(h.ops).valid).toBe(true);
  });
  it("finds WriteCORead", () => {
    const v = cc(hist().w(1, "x", 1).w(1, "x", 2).r(0, "x", 2).r(0, "x", 1).ops);
    expect(v.anomalies.map((a) => a.kind)).toContain("WriteCORead");
  });
  it("finds WriteCOInitRead through another session's causality", () => {
    const v = cc(hist().w(1, "x", 1).r(2, "x", 1).w(2, "y", 1).r(0, "y", 1).r(0, "x", null).ops);
    expect(v.anomalies.map((a) => a.kind)).toEqual(["WriteCOInitRead"]);
  });
  it("finds ThinAirRead, including a read of a failed write", () => {
    expect(cc(hist().r(0, "x", 99).ops).anomalies[0].kind).toBe("ThinAirRead");
    const v = cc(hist().w(1, "x", 5, "fail").r(0, "x", 5).ops);
    expect(v.anomalies[0].kind).toBe("ThinAirRead");
    expect(v.anomalies[0].explanation).toContain("a write that failed");
  });
  it("finds CyclicCO", () => {
    // p0 reads p1's write of y and then writes x; p1 read that x before writing y.
    const ops: Op[] = [];
    const e = (process: number, type: Op["type"], f: string, value: unknown) =>
      ops.push({ index: ops.length, time: ops.length, process, type, f, value });
    e(0, "invoke", "read", ["y", null]);
    e(1, "invoke", "read", ["x", null]);
    e(0, "ok", "read", ["y", 1]);
    e(1, "ok", "read", ["x", 1]);
    e(0, "invoke", "write", ["x", 1]);
    e(1, "invoke", "write", ["y", 1]);
    e(0, "ok", "write", ["x", 1]);
    e(1, "ok", "write", ["y", 1]);
    expect(cc(ops).anomalies[0].kind).toBe("CyclicCO");
  });
  it("crashed writes: an unobserved one constrains nothing, an observed one counts as written", () => {
    expect(cc(hist().w(1, "x", 1, "info").r(0, "x", null).ops).valid).toBe(true);
    expect(cc(hist().w(1, "x", 1, "info").r(0, "x", 1).ops).valid).toBe(true);
  });
  it("is unknown when values are not unique", () => {
    expect(cc(hist().w(1, "x", 1).w(2, "x", 1).ops).valid).toBe("unknown");
  });
  it("holds causal pasts as vector clocks or as bitsets with the same answer for every pair of ops", () => {
    const rng = seedrandom("pasts");
    let compared = 0,
      related = 0;
    for (let trial = 0; trial < 200; trial++) {
      const h = hist();
      const written: [string, number][] = [];
      let v = 0;
      for (let i = 0; i < 4 + Math.floor(rng() * 20); i++) {
        const p = Math.floor(rng() * 5),
          k = rng() < 0.5 ? "x" : "y";
        if (rng() < 0.5) {
          h.w(p, k, ++v);
          written.push([k, v]);
        } else {
          // Mostly values written so far; sometimes one written later (a cycle) or the initial value.
          const vs = written.filter(([wk]) => wk === k).map(([, x]) => x);
          h.r(p, k, vs.length && rng() < 0.8 ? vs[Math.floor(rng() * vs.length)] : rng() < 0.5 ? null : v + 1);
          if (rng() < 0.2) {
            h.w(p + 10, k, ++v);
            written.push([k, v]);
          }
        }
      }
      const clocks = buildGraph(h.ops, registerAdapter, "clocks"),
        bits = buildGraph(h.ops, registerAdapter, "bits");
      const n = clocks.events.length;
      for (let a = 0; a < n; a++)
        for (let b = 0; b < n; b++) {
          expect(clocks.before(a, b), `trial ${trial}: ${a} before ${b}`).toBe(bits.before(a, b));
          compared++;
          if (clocks.before(a, b)) related++;
        }
    }
    expect(related).toBeGreaterThan(1000);
    expect(related).toBeLessThan(compared);
  });
});

describe("real-time proofs of non-linearizability (unique values, blind writes)", () => {
  it("passes reads of the latest or a concurrent write", () => {
    expect(realTimeViolations(hist().w(0, "x", 1).r(1, "x", 1).w(0, "x", 2).r(1, "x", 2).ops)).toEqual([]);
    // a crashed write may take effect at any time
    expect(realTimeViolations(hist().w(0, "x", 1).w(2, "x", 5, "info").r(1, "x", 5).r(1, "x", 5).ops)).toEqual([]);
  });
  it("finds a stale read, an initial read after a write, and a value nobody wrote", () => {
    const a = realTimeViolations(hist().w(0, "x", 1).w(2, "x", 2).r(1, "x", 1).ops);
    expect(a[0].kind).toBe("stale-read");
    expect(a[0].explanation).toContain("already overwritten");
    expect(realTimeViolations(hist().w(0, "x", 1).r(1, "x", null).ops)[0].kind).toBe("stale-read");
    expect(realTimeViolations(hist().r(1, "x", 3).ops)[0].explanation).toContain("no write wrote");
  });
});
