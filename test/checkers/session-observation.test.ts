// Monotonic writes and writes-follow-reads on one key, reads that break several guarantees, the writer's own
// session, a cyclic causal order, and a randomized cross-check of all four guarantees against a brute-force
// reading of their definitions (checkers/session/index.ts).
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import type { Op } from "../../src/history/op.ts";
import { checkSession, GUARANTEES, registerAdapter, type Guarantee } from "../../checkers/session/index.ts";
import { checkCausal } from "../../checkers/causal/index.ts";
import { checkCausalMemory } from "../../checkers/causal-memory/index.ts";
import { spectrum } from "../../checkers/spectrum.ts";
import { registerHistory as hist } from "../helpers.ts";

const s = (ops: Op[], g: Guarantee) => checkSession(ops, g, { maxAnomalies: 1000 });
const breaks = (ops: Op[], g: Guarantee) => s(ops, g).anomalies.map((a) => (a.details as { breaks: string[] }).breaks);

describe("monotonic writes on one key", () => {
  it("fails: T writes y=1 then y=2; a session reads y=2 and later y=1 (a monotonic-reads regression too)", () => {
    const h = hist().w(1, "y", 1).w(1, "y", 2).r(0, "y", 2).r(0, "y", 1);
    const v = s(h.ops, "monotonic-writes");
    expect(v.valid).toBe(false);
    expect(v.anomalies[0].kind).toBe("monotonic-writes");
    expect(v.anomalies[0].ops).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(v.anomalies[0].explanation).toContain(
      "the version that write had overwritten, so the writes were observed out of order",
    );
    expect(breaks(h.ops, "monotonic-writes")).toEqual([["monotonic-reads", "monotonic-writes"]]);
    expect(breaks(h.ops, "monotonic-reads")).toEqual([["monotonic-reads", "monotonic-writes"]]);
    expect(s(h.ops, "writes-follow-reads").valid).toBe(true);
  });
  it("passes: the writes read in issue order, and another session's concurrent write read after y=2", () => {
    expect(s(hist().w(1, "y", 1).w(1, "y", 2).r(0, "y", 1).r(0, "y", 2).ops, "monotonic-writes").valid).toBe(true);
    const concurrent = hist().w(1, "y", 1).w(1, "y", 2).w(2, "y", 5).r(0, "y", 2).r(0, "y", 5).r(0, "y", 2);
    expect(s(concurrent.ops, "monotonic-writes").valid).toBe(true);
    expect(s(concurrent.ops, "monotonic-reads").valid).toBe(true);
  });
  it("the writer's own session: a read of its overwritten write breaks read-your-writes and monotonic writes", () => {
    const h = hist().w(0, "y", 1).w(0, "y", 2).r(0, "y", 1);
    expect(breaks(h.ops, "read-your-writes")).toEqual([["read-your-writes", "monotonic-writes"]]);
    expect(s(h.ops, "monotonic-writes").anomalies[0].explanation).toMatch(
      /^session 0 wrote y=2 .* which it wrote after its own write y=1/,
    );
    // The initial value after a single write is read-your-writes alone: no two writes were reordered.
    const single = hist().w(0, "y", 1).r(0, "y", null);
    expect(s(single.ops, "read-your-writes").valid).toBe(false);
    expect(s(single.ops, "monotonic-writes").valid).toBe(true);
  });
});

describe("writes-follow-reads on one key", () => {
  it("fails: T read y=1 and then wrote y=2; a session reads y=2 and later y=1", () => {
    const h = hist().w(2, "y", 1).r(1, "y", 1).w(1, "y", 2).r(0, "y", 2).r(0, "y", 1);
    const v = s(h.ops, "writes-follow-reads");
    expect(v.valid).toBe(false);
    expect(v.anomalies[0].explanation).toContain("after reading y=1");
    expect(breaks(h.ops, "writes-follow-reads")).toEqual([["monotonic-reads", "writes-follow-reads"]]);
    expect(s(h.ops, "monotonic-writes").valid).toBe(true); // T wrote y only once
  });
  it("passes: y=1 then y=2, and a version T never read", () => {
    expect(
      s(hist().w(2, "y", 1).r(1, "y", 1).w(1, "y", 2).r(0, "y", 1).r(0, "y", 2).ops, "writes-follow-reads").valid,
    ).toBe(true);
    expect(
      s(hist().w(2, "y", 1).w(3, "y", 7).r(1, "y", 1).w(1, "y", 2).r(0, "y", 2).r(0, "y", 7).ops, "writes-follow-reads")
        .valid,
    ).toBe(true);
  });
});

describe("a cross-key regression counts for every guarantee it breaks", () => {
  const h = hist().w(1, "x", 1).w(1, "y", 2).r(0, "x", 1).r(0, "y", 2).r(0, "x", null);
  it("fails monotonic reads and monotonic writes with the same read, and PRAM counts it once", () => {
    const mr = s(h.ops, "monotonic-reads"),
      mw = s(h.ops, "monotonic-writes");
    expect(mr.anomalies).toHaveLength(1);
    expect(mw.anomalies).toHaveLength(1);
    expect(mw.anomalies[0].explanation).toContain("This read also breaks monotonic reads.");
    const sp = spectrum(
      Object.fromEntries(GUARANTEES.map((g) => [g, s(h.ops, g)])),
      Object.fromEntries(GUARANTEES.map((g) => [g, [g]])),
    );
    expect(sp.models["monotonic-reads"]).toMatchObject({ status: "violated", anomalies: 1 });
    expect(sp.models["monotonic-writes"]).toMatchObject({ status: "violated", anomalies: 1 });
    expect(sp.models.PRAM).toMatchObject({ status: "violated", anomalies: 1 });
    expect(sp.strongest).toBe("read-your-writes + writes-follow-reads");
  });
  it("passes when the reader keeps seeing x=1", () => {
    const ok = hist().w(1, "x", 1).w(1, "y", 2).r(0, "x", 1).r(0, "y", 2).r(0, "x", 1);
    for (const g of GUARANTEES) expect(s(ok.ops, g).valid, g).toBe(true);
  });
});

describe("a cyclic causal order (a session reads its own future write)", () => {
  // Session 0 writes x=1, reads x=2, then writes x=2: the read and the write of 2 precede each other in co.
  const h = hist().w(0, "x", 1).r(0, "x", 2).w(0, "x", 2);
  it("breaks no session guarantee by itself: a version is never older than itself", () => {
    for (const g of GUARANTEES) expect(s(h.ops, g).valid, g).toBe(true);
  });
  it("is reported by the causal checkers as CyclicCO", () => {
    expect(checkCausal(h.ops, registerAdapter).anomalies.map((a) => a.kind)).toEqual(["CyclicCO"]);
    expect(checkCausalMemory(h.ops, registerAdapter).anomalies.map((a) => a.kind)).toEqual(["CyclicCO"]);
  });
  it("an older version read afterwards breaks every guarantee (x=2 was read before it was written, so it follows that read)", () => {
    const later = hist().w(0, "x", 1).r(0, "x", 2).w(0, "x", 2).r(0, "x", 1);
    expect(breaks(later.ops, "read-your-writes")).toEqual([
      ["read-your-writes", "monotonic-reads", "monotonic-writes", "writes-follow-reads"],
    ]);
  });
});

// ---- brute force -------------------------------------------------------------------------------------------

interface Ev {
  p: number;
  f: "read" | "write";
  k: string;
  v: number | null;
  read: number;
} // read: invoke index

/** Every guarantee each read breaks, straight from the definitions in checkers/session/index.ts, with co as a
 *  transitive closure matrix and every observation and dependency enumerated (no maxima, no caching). */
function bruteForce(ops: Op[]): Map<number, Set<Guarantee>> {
  const evs: Ev[] = [];
  for (let i = 0; i < ops.length; i += 2) {
    const [k, v] = ops[i + 1].value as [string, number | null];
    evs.push({ p: ops[i].process as number, f: ops[i].f as Ev["f"], k, v, read: ops[i].index });
  }
  const n = evs.length;
  const writer = (k: string, v: number | null) => {
    if (v === null) return -1;
    const w = evs.findIndex((e) => e.f === "write" && e.k === k && e.v === v);
    return w === -1 ? -2 : w; // -2: a value nobody wrote (the causal checkers' ThinAirRead)
  };
  const from = evs.map((e) => (e.f === "read" ? writer(e.k, e.v) : -3));
  const co = Array.from({ length: n }, () => new Array<boolean>(n).fill(false));
  for (let b = 0; b < n; b++) {
    for (let a = 0; a < b; a++) if (evs[a].p === evs[b].p) co[a][b] = true;
    if (from[b] >= 0) co[from[b]][b] = true;
  }
  for (let m = 0; m < n; m++)
    for (let a = 0; a < n; a++) if (co[a][m]) for (let b = 0; b < n; b++) if (co[m][b]) co[a][b] = true;
  const older = (f: number, u: number) => f === -1 || (f >= 0 && f !== u && co[f][u]);
  const so = (a: number, b: number) => a < b && evs[a].p === evs[b].p;
  const out = new Map<number, Set<Guarantee>>();
  for (let r = 0; r < n; r++) {
    const e = evs[r],
      f = from[r];
    if (e.f !== "read" || f === -2) continue;
    const broken = new Set<Guarantee>();
    for (let w = 0; w < n; w++) {
      if (!so(w, r)) continue;
      if (evs[w].f === "write" && evs[w].k === e.k && older(f, w)) broken.add("read-your-writes");
      if (evs[w].f === "read" && evs[w].k === e.k && from[w] >= 0 && older(f, from[w])) broken.add("monotonic-reads");
    }
    // Observations before r: the writes its session read, and its own writes.
    const observed = new Set<number>();
    for (let x = 0; x < n; x++)
      if (so(x, r)) {
        if (evs[x].f === "write") observed.add(x);
        else if (from[x] >= 0) observed.add(from[x]);
      }
    for (const w of observed)
      for (let u = 0; u < n; u++) {
        if (!so(u, w)) continue;
        const overwrote = evs[w].k === e.k;
        if (evs[u].f === "write" && evs[u].k === e.k && (older(f, u) || (f === u && overwrote)))
          broken.add("monotonic-writes");
        const d = from[u];
        if (evs[u].f === "read" && evs[u].k === e.k && d >= 0 && (older(f, d) || (f === d && overwrote)))
          broken.add("writes-follow-reads");
      }
    if (broken.size) out.set(e.read, broken);
  }
  return out;
}

describe("agrees with brute force on small random histories", () => {
  it("every guarantee each read breaks, over 2,000 histories of 2–4 sessions on one or two keys", () => {
    const rng = seedrandom("session-observation");
    const seen = Object.fromEntries(GUARANTEES.map((g) => [g, 0])) as Record<Guarantee, number>;
    let sameKeyOnly = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const h = hist();
      const sessions = 2 + Math.floor(rng() * 3),
        keys = rng() < 0.5 ? ["y"] : ["x", "y"];
      const written: [string, number][] = [];
      let v = 0;
      for (let i = 0; i < 4 + Math.floor(rng() * 7); i++) {
        const p = Math.floor(rng() * sessions),
          k = keys[Math.floor(rng() * keys.length)];
        if (rng() < 0.4) {
          h.w(p, k, ++v);
          written.push([k, v]);
          continue;
        }
        const vs = written.filter(([wk]) => wk === k).map(([, x]) => x);
        // Mostly a value written so far; sometimes the initial value or one written later (a cyclic order).
        const pick = rng();
        h.r(p, k, vs.length && pick < 0.8 ? vs[Math.floor(rng() * vs.length)] : pick < 0.95 ? null : v + 1);
      }
      const expected = bruteForce(h.ops);
      const got = new Map<number, Set<Guarantee>>();
      for (const g of GUARANTEES)
        for (const a of s(h.ops, g).anomalies) {
          const { breaks: bs, readOp: read } = a.details as { breaks: string[]; readOp: number };
          expect(bs).toContain(g);
          got.set(read, new Set([...(got.get(read) ?? []), g]));
        }
      const norm = (m: Map<number, Set<Guarantee>>) =>
        [...m].map(([r, gs]) => [r, [...gs].sort()]).sort((a, b) => (a[0] as number) - (b[0] as number));
      expect(norm(got), JSON.stringify(h.ops)).toEqual(norm(expected));
      for (const gs of expected.values()) for (const g of gs) seen[g]++;
      if (
        keys.length === 1 &&
        [...expected.values()].some((gs) => gs.has("monotonic-writes") || gs.has("writes-follow-reads"))
      )
        sameKeyOnly++;
    }
    for (const g of GUARANTEES) expect(seen[g], g).toBeGreaterThan(50);
    expect(sameKeyOnly).toBeGreaterThan(50);
  });
});
