import { describe, expect, it } from "vitest";
import seedrandom from "seedrandom";
import type { Op } from "../../src/history/op.ts";
import { checkSequential } from "../../checkers/sequential/index.ts";
import { checkCausal } from "../../checkers/causal/index.ts";
import { registerAdapter } from "../../checkers/session/index.ts";
import { checkLinearizable } from "../../checkers/linearizable/index.ts";
import { casRegister } from "../../checkers/linearizable/models/cas-register.ts";
import { keyed } from "../../checkers/linearizable/models/keyed.ts";
import { registerHistory } from "../helpers.ts";

const hist = registerHistory;
const ccv = (ops: Op[]) => checkCausal(ops, registerAdapter, { model: "CCv" });
const lin = (ops: Op[]) => checkLinearizable(ops, { model: keyed(casRegister()) });

describe("sequential consistency", () => {
  it("holds for a stale read that real time forbids (so linearizability fails)", () => {
    const h = hist().w(0, "x", 1).r(1, "x", null).r(1, "x", 1);
    expect(lin(h.ops).valid).toBe(false);
    const v = checkSequential(h.ops);
    expect(v.valid).toBe(true);
    expect(v.anomalies).toEqual([]);
  });

  it("fails store buffering (each session misses the other's write), which causal consistency allows", () => {
    const h = hist().w(0, "x", 1).w(1, "y", 2).r(0, "y", null).r(1, "x", null);
    expect(ccv(h.ops).valid).toBe(true);
    const v = checkSequential(h.ops);
    expect(v.valid).toBe(false);
    const a = v.anomalies[0];
    expect(a.kind).toBe("not-sequential");
    expect(a.ops.length).toBe(8); // all four operations, invoke and completion
    expect(a.explanation).toContain("session 0: wrote x=1");
    expect(a.explanation).toContain("then read y=nothing (the initial value)");
    expect(a.explanation).toContain("The smallest set");
  });

  it("fails independent reads of independent writes seen in opposite orders (IRIW), which causal+ allows", () => {
    const h = hist().w(0, "x", 1).w(1, "y", 2).r(2, "x", 1).r(3, "y", 2).r(2, "y", null).r(3, "x", null);
    expect(ccv(h.ops).valid).toBe(true);
    const v = checkSequential(h.ops);
    expect(v.valid).toBe(false);
    expect((v.anomalies[0].details as { sessions: unknown[] }).sessions).toHaveLength(4);
  });

  it("shrinks a violation buried in a long valid history to the few operations that prove it", () => {
    const h = hist();
    const rng = seedrandom("noise");
    let n = 0;
    // Sessions 10..13 write and read back their own keys: sequentially consistent on its own.
    for (let i = 0; i < 200; i++) {
      const p = 10 + Math.floor(rng() * 4);
      const k = `k${p}`;
      if (rng() < 0.5) h.w(p, k, ++n);
      else h.r(p, k, lastOf(h.ops, k));
    }
    h.w(0, "x", 1).w(1, "y", 2).r(0, "y", null).r(1, "x", null);
    const v = checkSequential(h.ops);
    expect(v.valid).toBe(false);
    const a = v.anomalies[0];
    expect(a.ops.length).toBe(8);
    expect((a.details as { minimal: boolean }).minimal).toBe(true);
    expect(new Set(a.ops.map((i) => h.ops[i].process))).toEqual(new Set([0, 1]));
  });

  it("when the whole history is over budget, a small window with no order still proves a violation", () => {
    const h = hist();
    for (let i = 0; i < 100; i++) h.w(10 + (i % 4), `k${i % 4}`, i + 1).r(10 + (i % 4), `k${i % 4}`, i + 1);
    h.w(0, "x", 1).w(1, "y", 2).r(0, "y", null).r(1, "x", null);
    const v = checkSequential(h.ops, { maxSteps: 5 });
    expect(v.valid).toBe(false);
    expect(v.anomalies[0].ops.length).toBe(8);
    // Without a violation in it, the same budget leaves the answer open.
    const ok = hist();
    for (let i = 0; i < 100; i++) ok.w(10 + (i % 4), `k${i % 4}`, i + 1).r(10 + (i % 4), `k${i % 4}`, i + 1);
    const open = checkSequential(ok.ops, { maxSteps: 5 });
    expect(open.valid).toBe("unknown");
    expect(open.reason).toContain("no order found within");
  });

  it("reports a read of a value no write wrote", () => {
    const h = hist().w(0, "x", 1, "fail").r(1, "x", 1);
    const v = checkSequential(h.ops);
    expect(v.valid).toBe(false);
    expect(v.anomalies[0].kind).toBe("thin-air-read");
    expect(v.anomalies[0].explanation).toContain("its write had failed");
  });

  it("places a crashed write that was read, and ignores one nobody read", () => {
    const seen = hist().w(0, "x", 1, "info").r(1, "x", 1).r(1, "x", 1);
    expect(checkSequential(seen.ops).valid).toBe(true);
    const unseen = hist().w(0, "x", 1, "info").r(1, "x", null).w(1, "x", 2).r(1, "x", 2);
    expect(checkSequential(unseen.ops).valid).toBe(true);
    // Read after a crashed write that was read elsewhere, then the initial value again: no order.
    const back = hist().w(0, "x", 1, "info").r(1, "x", 1).r(1, "x", null);
    expect(checkSequential(back.ops).valid).toBe(false);
  });

  it("agrees with brute force on small random histories", () => {
    const rng = seedrandom("sc-fuzz");
    let valid = 0,
      invalid = 0;
    for (let trial = 0; trial < 1000; trial++) {
      const h = hist();
      const written: [string, number][] = [];
      let v = 0;
      const events = 3 + Math.floor(rng() * 5);
      for (let i = 0; i < events; i++) {
        const p = Math.floor(rng() * 3);
        const k = rng() < 0.5 ? "x" : "y";
        if (rng() < 0.45) {
          const type = rng() < 0.1 ? "info" : "ok";
          h.w(type === "info" ? 100 + v : p, k, ++v, type); // a crashed write ends its process: a fresh one
          written.push([k, v]);
        } else {
          const choices = written.filter(([wk]) => wk === k).map(([, wv]) => wv);
          h.r(p, k, choices.length && rng() < 0.8 ? choices[Math.floor(rng() * choices.length)] : null);
        }
      }
      const expected = bruteForce(h.ops);
      const got = checkSequential(h.ops).valid;
      expect(got, JSON.stringify(h.ops)).toBe(expected);
      if (expected) valid++;
      else invalid++;
    }
    expect(valid).toBeGreaterThan(100);
    expect(invalid).toBeGreaterThan(40);
  });
});

function lastOf(ops: Op[], k: string): number | null {
  for (let i = ops.length - 1; i >= 0; i--) {
    const o = ops[i];
    if (o.type === "ok" && o.f === "write" && (o.value as [string, number])[0] === k)
      return (o.value as [string, number])[1];
  }
  return null;
}

/** Every interleaving of the sessions (each crashed write in or out), checked directly. */
function bruteForce(ops: Op[]): boolean {
  type E = { f: string; k: string; v: number | null; optional: boolean };
  const sessions = new Map<number, E[]>();
  for (let i = 0; i < ops.length; i += 2) {
    const inv = ops[i],
      done = ops[i + 1];
    if (done.type === "fail") continue;
    const [k, v] = (done.type === "info" ? inv.value : done.value) as [string, number | null];
    const l = sessions.get(inv.process as number) ?? [];
    l.push({ f: inv.f, k, v, optional: done.type === "info" });
    sessions.set(inv.process as number, l);
  }
  const ss = [...sessions.values()];
  const pos = ss.map(() => 0);
  const cur = new Map<string, number | null>();
  const go = (): boolean => {
    if (ss.every((s, i) => pos[i] === s.length)) return true;
    for (let i = 0; i < ss.length; i++) {
      const e = ss[i][pos[i]];
      if (!e) continue;
      if (e.f === "read") {
        if ((cur.get(e.k) ?? null) !== e.v) continue;
        pos[i]++;
        if (go()) return true;
        pos[i]--;
      } else {
        const prev = cur.get(e.k) ?? null;
        cur.set(e.k, e.v);
        pos[i]++;
        if (go()) return true;
        pos[i]--;
        cur.set(e.k, prev);
        if (e.optional) {
          pos[i]++;
          if (go()) return true;
          pos[i]--;
        }
      }
    }
    return false;
  };
  return go();
}
