// The WGL search (with its cache, crashed-op symmetry and dominance pruning) against a brute-force
// reference on many small random histories with crashed and failed ops: verdicts must agree.
import { describe, expect, it } from "vitest";
import { checkLinearizable, partitionHistory } from "../../checkers/linearizable/index.ts";
import { createModel } from "../../checkers/linearizable/models/index.ts";
import type { Model } from "../../checkers/linearizable/model.ts";
import type { SearchOp } from "../../checkers/linearizable/wgl.ts";
import type { Op } from "../../src/history/op.ts";

/** Tries every order (and, for crashed ops, every subset) respecting real time. */
function bruteForce(model: Model, ops: SearchOp[]): boolean {
  const n = ops.length;
  const done = new Array<boolean>(n).fill(false);
  const rec = (state: unknown, placed: number, lastCallBound: number): boolean => {
    // Success if every completed op is placed.
    if (ops.every((o, i) => done[i] || o.ret === Infinity)) return true;
    // The next op placed must be invoked before every unplaced op's return.
    let minRet = Infinity;
    for (let i = 0; i < n; i++) if (!done[i] && ops[i].ret < minRet) minRet = ops[i].ret;
    for (let i = 0; i < n; i++) {
      if (done[i] || ops[i].call > minRet) continue;
      const s = model.step(state, ops[i].op);
      if (s === undefined) continue;
      done[i] = true;
      if (rec(s, placed + 1, lastCallBound)) {
        done[i] = false;
        return true;
      }
      done[i] = false;
    }
    return false;
  };
  return rec(model.init(), 0, 0);
}

function randomHistory(seed: number, procs: number, nOps: number, values: number): Op[] {
  let x = (seed * 2654435761) >>> 0 || 1;
  const rnd = (k: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % k;
  };
  const ops: Op[] = [];
  const open = new Map<number, { f: string; value: unknown }>();
  let issued = 0,
    proc = procs;
  const live = Array.from({ length: procs }, (_, i) => i);
  const add = (process: number, type: Op["type"], f: string, value: unknown, error?: string) => {
    const o: Op = { index: ops.length, time: ops.length, process, type, f, value };
    if (error) o.error = error;
    ops.push(o);
  };
  while (issued < nOps || open.size) {
    const slot = rnd(procs);
    const p = live[slot];
    const o = open.get(p);
    if (!o) {
      if (issued >= nOps) continue;
      const r = rnd(10);
      const f = r < 4 ? "read" : r < 7 ? "write" : "cas";
      const value = f === "read" ? null : f === "write" ? rnd(values) : [rnd(values), rnd(values)];
      open.set(p, { f, value });
      add(p, "invoke", f, value);
      issued++;
    } else {
      open.delete(p);
      const r = rnd(10);
      if (r < 1 && o.f !== "read") {
        add(p, "info", o.f, o.value);
        live[slot] = proc++;
      } else if (r < 2 && o.f === "cas") add(p, "fail", o.f, o.value, "compare-failed");
      else if (r < 3) add(p, "fail", o.f, o.value);
      else add(p, "ok", o.f, o.f === "read" ? (rnd(3) === 0 ? rnd(values) : null) : o.value);
    }
  }
  return ops;
}

describe("WGL agrees with brute force", () => {
  it("on 600 random small cas-register histories with crashes and failures", () => {
    const model = createModel({ name: "cas-register", initial: 0 });
    let valid = 0,
      invalid = 0;
    for (let seed = 1; seed <= 600; seed++) {
      const h = randomHistory(seed, 2 + (seed % 4), 4 + (seed % 7), 2 + (seed % 2));
      // Make reads plausible: set each ok read to the value the previous ok write wrote (often linearizable).
      const [p] = partitionHistory(h, model);
      const expected = p ? bruteForce(model, p.search) : true;
      const v = checkLinearizable(h, { model, shrink: false });
      expect(v.valid, `seed ${seed}`).toBe(expected);
      if (expected) valid++;
      else invalid++;
    }
    expect(valid).toBeGreaterThan(50);
    expect(invalid).toBeGreaterThan(50);
  });
});
