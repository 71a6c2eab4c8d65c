// Causal memory (checkers/causal-memory/): the two patterns beyond CC, incomparability with CCv, and a
// randomized cross-check against CM by its definition (Bouajjani et al., POPL 2017).
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import type { Op } from "../../src/history/op.ts";
import { checkCausalMemory } from "../../checkers/causal-memory/index.ts";
import { checkCausal } from "../../checkers/causal/index.ts";
import { registerAdapter } from "../../checkers/session/index.ts";
import { registerHistory as hist } from "../helpers.ts";

const cm = (ops: Op[]) => checkCausalMemory(ops, registerAdapter);
const ccv = (ops: Op[]) => checkCausal(ops, registerAdapter, { model: "CCv" });
const cc = (ops: Op[]) => checkCausal(ops, registerAdapter, { model: "CC" });

describe("causal memory", () => {
  it("passes a history where every session can apply what it read in one order (CM and CC, not CCv)", () => {
    // Sessions 3 and 4 see the concurrent writes x=1, x=2 in opposite orders: fine for CM, not for CCv.
    const h = hist().w(1, "x", 1).w(2, "x", 2).r(3, "x", 1).r(3, "x", 2).r(4, "x", 2).r(4, "x", 1);
    expect(cm(h.ops).valid).toBe(true);
    expect(ccv(h.ops).valid).toBe(false);
  });

  it("WriteHBInitRead: a session must apply z=1 before z=2, so x=1 (before z=1) precedes its read of x (CC and CCv hold)", () => {
    // Session 1: x=1, z=1, u=1. Session 2: z=2, y=1. Session 3 reads y=1 (so z=2 is in its past), then x as
    // the initial value, then u=1 (it has seen z=1), then z=2: it applied z=1 before z=2, hence x=1 before
    // y=1 and before the read of x.
    const h = hist()
      .w(1, "x", 1)
      .w(1, "z", 1)
      .w(1, "u", 1)
      .w(2, "z", 2)
      .w(2, "y", 1)
      .r(3, "y", 1)
      .r(3, "x", null)
      .r(3, "u", 1)
      .r(3, "z", 2);
    const v = cm(h.ops);
    expect(v.valid).toBe(false);
    expect(v.anomalies.map((a) => a.kind)).toEqual(["WriteHBInitRead"]);
    expect(v.anomalies[0].key).toBe("x");
    expect(v.anomalies[0].ops).toEqual([0, 1, 12, 13]);
    expect(v.anomalies[0].explanation).toContain(
      "session 3 had seen z=1 (session 1, op 2) when its read at 0.017 s (op 16) returned z=2 (session 2, op 6)",
    );
    expect(cc(h.ops).valid).toBe(true);
    expect(ccv(h.ops).valid).toBe(true);
    // Without the last read nothing orders z=1 before z=2: CM holds.
    expect(cm(h.ops.slice(0, -2)).valid).toBe(true);
  });

  it("CyclicHB: a session that has seen z=2 reads z=1, then z=2 again (CC holds)", () => {
    const h = hist().w(2, "z", 2).w(2, "y", 1).w(1, "z", 1).r(3, "y", 1).r(3, "z", 1).r(3, "z", 2);
    const v = cm(h.ops);
    expect(v.anomalies.map((a) => a.kind)).toEqual(["CyclicHB"]);
    expect(v.anomalies[0].explanation).toMatch(/^Session 3's memory has no order for what it read/);
    expect((v.anomalies[0].details as { cycle: number[] }).cycle.sort()).toEqual([0, 4]);
    expect(cc(h.ops).valid).toBe(true);
    // Reading z=2 only once leaves an order (z=2 before z=1).
    expect(cm(h.ops.slice(0, -2)).valid).toBe(true);
  });

  it("reports CC's patterns first (CM implies CC), and is unknown on values written twice", () => {
    expect(cm(hist().w(1, "x", 1).w(1, "x", 2).r(0, "x", 2).r(0, "x", 1).ops).anomalies.map((a) => a.kind)).toContain(
      "WriteCORead",
    );
    expect(cm(hist().w(1, "x", 1).w(2, "x", 1).ops).valid).toBe("unknown");
  });

  it("agrees with CM by its definition on 3,000 small random histories", () => {
    const rng = seedrandom("causal-memory");
    let valid = 0,
      invalid = 0,
      ccButNotCm = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const h = hist();
      const sessions = 3 + Math.floor(rng() * 2),
        keys = rng() < 0.3 ? ["x"] : ["x", "y"];
      const written: [string, number][] = [];
      let v = 0;
      for (let i = 0; i < 5 + Math.floor(rng() * 5); i++) {
        const p = Math.floor(rng() * sessions),
          k = keys[Math.floor(rng() * keys.length)];
        if (rng() < 0.4) {
          h.w(p, k, ++v);
          written.push([k, v]);
          continue;
        }
        const vs = written.filter(([wk]) => wk === k).map(([, x]) => x);
        h.r(p, k, vs.length && rng() < 0.9 ? vs[Math.floor(rng() * vs.length)] : null);
      }
      const expected = causalMemoryByDefinition(h.ops);
      expect(cm(h.ops).valid, JSON.stringify(h.ops)).toBe(expected);
      if (expected) valid++;
      else invalid++;
      if (!expected && cc(h.ops).valid === true) ccButNotCm++;
    }
    expect(valid).toBeGreaterThan(1200);
    expect(invalid).toBeGreaterThan(300);
    expect(ccButNotCm).toBeGreaterThan(25);
  });
});

/** CM by the definition (Bouajjani et al., §3): with co the least causal order (session order ∪ read-from)⁺ —
 *  a larger one only adds ops to each past and constraints to each order — for every op o some linear
 *  extension of co on o's causal past lets every op of o's session up to o read the latest write of its key. */
function causalMemoryByDefinition(ops: Op[]): boolean {
  type E = { p: number; f: string; k: string; v: number | null };
  const evs: E[] = [];
  for (let i = 0; i < ops.length; i += 2) {
    const [k, v] = ops[i + 1].value as [string, number | null];
    evs.push({ p: ops[i].process as number, f: ops[i].f, k, v });
  }
  const n = evs.length;
  const co = Array.from({ length: n }, () => new Array<boolean>(n).fill(false));
  for (let b = 0; b < n; b++) {
    for (let a = 0; a < b; a++) if (evs[a].p === evs[b].p) co[a][b] = true;
    if (evs[b].f === "read" && evs[b].v !== null) {
      const w = evs.findIndex((e) => e.f === "write" && e.k === evs[b].k && e.v === evs[b].v);
      if (w < 0) return false;
      co[w][b] = true;
    }
  }
  for (let m = 0; m < n; m++)
    for (let a = 0; a < n; a++) if (co[a][m]) for (let b = 0; b < n; b++) if (co[m][b]) co[a][b] = true;
  for (let a = 0; a < n; a++) if (co[a][a]) return false; // no strict partial order
  for (let o = 0; o < n; o++) {
    const past = [...Array(n).keys()].filter((a) => a === o || co[a][o]);
    const checked = new Set(past.filter((a) => evs[a].p === evs[o].p)); // o's session up to o
    const placed = new Set<number>();
    const cur = new Map<string, number | null>();
    const go = (): boolean => {
      if (placed.size === past.length) return true;
      for (const a of past) {
        if (placed.has(a) || past.some((b) => !placed.has(b) && co[b][a])) continue;
        const e = evs[a];
        if (e.f === "read") {
          if (checked.has(a) && (cur.get(e.k) ?? null) !== e.v) continue;
          placed.add(a);
          if (go()) return true;
          placed.delete(a);
        } else {
          const prev = cur.has(e.k) ? cur.get(e.k)! : null;
          cur.set(e.k, e.v);
          placed.add(a);
          if (go()) return true;
          placed.delete(a);
          cur.set(e.k, prev);
        }
      }
      return false;
    };
    if (!go()) return false;
  }
  return true;
}
