// Version orders and dependencies for rw-register. A read names one version, so the order of a key's versions
// is inferred: the initial (nil) version precedes every write; inside a transaction a read or write precedes
// its later writes (writes follow reads); optionally, per key, each process sees versions in order
// ("sequential") or an op that began after another completed sees a version no older ("linearizable"). A key
// whose inferred order is cyclic is `cyclic-versions` and gives no edges. From each inferred step x < y: ww
// writer(x) → writer(y), rw reader(x) → writer(y); and wr writer(x) → reader(x).
import type { Anomaly } from "../types.ts";
import { EdgeBuilder, RW, WR, WW } from "./graph.ts";
import type { Txn } from "./txns.ts";
import { show } from "./txns.ts";
import { opsOf, txnText } from "./words.ts";

export type VersionOrder = "none" | "sequential" | "linearizable";
const NIL = Symbol("nil");
const EDGE_CAP = 1 << 18; // rw edges per key from one version at most (sound, less complete)

interface KeyInfo {
  writerT: Map<unknown, Txn>;
  writerM: Map<unknown, number>;
  readers: Map<unknown, number[]>; // version → nodes that read it (first external read)
  next: Map<unknown, Set<unknown>>; // inferred steps x < y
}

export function rwRegisterDeps(
  txns: Txn[],
  failed: Txn[],
  edges: EdgeBuilder,
  found: Anomaly[],
  versionOrder: VersionOrder,
): void {
  const keys = new Map<unknown, KeyInfo>();
  const info = (k: unknown) => {
    let x = keys.get(k);
    if (!x) keys.set(k, (x = { writerT: new Map(), writerM: new Map(), readers: new Map(), next: new Map() }));
    return x;
  };
  const step = (ki: KeyInfo, x: unknown, y: unknown) => {
    if (x === y) return;
    let s = ki.next.get(x);
    if (!s) ki.next.set(x, (s = new Set()));
    s.add(y);
  };
  for (const ts of [failed, txns])
    for (const t of ts)
      t.mops.forEach((m, i) => {
        if (m[0] === "w") {
          const ki = info(m[1]);
          ki.writerT.set(m[2], t);
          ki.writerM.set(m[2], i);
        }
      });

  const reported = new Set<string>();
  const once = (id: string) => (reported.has(id) ? false : (reported.add(id), true));
  const updaters = new Map<unknown, Map<unknown, Txn>>();
  // Per transaction and key: the first version it saw (read or overwrote) and the last it left.
  const first = new Map<Txn, Map<unknown, unknown>>(),
    last = new Map<Txn, Map<unknown, unknown>>();
  for (const t of txns) {
    const ok = t.op.type === "ok";
    const state = new Map<unknown, unknown>(); // key → version this txn knows (read or wrote)
    const wrote = new Set<unknown>();
    const f = new Map<unknown, unknown>();
    for (let i = 0; i < t.mops.length; i++) {
      const [op, k, v] = t.mops[i];
      const ki = info(k);
      if (op === "w") {
        if (state.has(k)) step(ki, state.get(k), v);
        state.set(k, v);
        wrote.add(k);
        continue;
      }
      if (!ok) continue; // an unfinished txn's reads returned nothing
      const read = v === null ? NIL : v;
      if (state.has(k)) {
        if (state.get(k) !== read)
          found.push({
            kind: "internal",
            ops: opsOf(t),
            key: show(k),
            explanation: `A transaction (${txnText(t)}) read key ${show(k)} as ${show(v)}, but by its own earlier micro-ops it should have read ${show(state.get(k) === NIL ? null : state.get(k))}: it is internally inconsistent.`,
          });
        continue;
      }
      state.set(k, read);
      f.set(k, read);
      let rs = ki.readers.get(read);
      if (!rs) ki.readers.set(read, (rs = []));
      rs.push(t.node);
      const laterWrite = t.mops.some((m, j) => j > i && m[0] === "w" && m[1] === k);
      if (read !== NIL) {
        const w = ki.writerT.get(read);
        if (!w) {
          if (once(`garbage ${String(k)} ${String(read)}`))
            found.push({
              kind: "garbage-read",
              ops: opsOf(t),
              key: show(k),
              explanation: `A transaction (${txnText(t)}) read ${show(v)} from key ${show(k)}, a value no transaction ever wrote.`,
            });
        } else if (w.op.type === "fail") {
          if (once(`aborted ${String(k)} ${String(read)}`))
            found.push(
              laterWrite
                ? {
                    kind: "dirty-update",
                    ops: opsOf(t, w),
                    key: show(k),
                    explanation: `A committed transaction (${txnText(t)}) read ${show(v)} from key ${show(k)}, written by a transaction that failed (${txnText(w)}), and wrote the key over it.`,
                  }
                : {
                    kind: "G1a",
                    ops: opsOf(t, w),
                    key: show(k),
                    explanation: `A transaction (${txnText(t)}) read ${show(v)} from key ${show(k)}, written by a transaction that failed (aborted): ${txnText(w)}.`,
                  },
            );
        } else if (w !== t && w.mops.some((m, j) => j > ki.writerM.get(read)! && m[0] === "w" && m[1] === k)) {
          if (once(`g1b ${String(k)} ${String(read)}`))
            found.push({
              kind: "G1b",
              ops: opsOf(t, w),
              key: show(k),
              explanation: `A transaction (${txnText(t)}) read ${show(v)} from key ${show(k)}, an intermediate value: its writer wrote the key again before committing (${txnText(w)}).`,
            });
        }
      }
      if (laterWrite) {
        let m = updaters.get(k);
        if (!m) updaters.set(k, (m = new Map()));
        const other = m.get(read);
        if (!other) m.set(read, t);
        else if (once(`lost ${String(k)} ${String(read)}`))
          found.push({
            kind: "lost-update",
            ops: opsOf(other, t),
            key: show(k),
            explanation: `Two committed transactions both read key ${show(k)} as ${show(v)} and both wrote it, so one's update was made without seeing the other's: ${txnText(other)}; ${txnText(t)}.`,
          });
      }
    }
    for (const k of wrote)
      if (!f.has(k)) {
        const fw = t.mops.find((m) => m[0] === "w" && m[1] === k)!;
        f.set(k, fw[2]);
      }
    first.set(t, f);
    last.set(t, state);
  }

  // Optional per-key inference across transactions.
  const seqStep = (a: Txn, b: Txn) => {
    const fa = last.get(a)!,
      fb = first.get(b)!;
    for (const [k, y] of fb)
      if (fa.has(k)) {
        const x = fa.get(k);
        if (x !== y) step(info(k), x, y);
      }
  };
  if (versionOrder === "sequential") {
    const prev = new Map<number, Txn>();
    for (const t of txns) {
      const p = prev.get(t.op.process);
      if (p && p.op.type === "ok") seqStep(p, t);
      prev.set(t.op.process, t);
    }
  } else if (versionOrder === "linearizable") {
    // Per key, the transaction that last completed before each invocation: its final version precedes what
    // the new one saw (a sound subset of real-time order per key).
    const ev: [number, number, Txn][] = [];
    for (const t of txns) {
      ev.push([t.op.invoke.time, 0, t]);
      if (t.op.type === "ok" && t.op.complete) ev.push([t.op.complete.time, 1, t]);
    }
    ev.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const lastDone = new Map<unknown, unknown>();
    for (const [, kind, t] of ev) {
      if (kind === 1) {
        for (const [k, v] of last.get(t)!) lastDone.set(k, v);
        continue;
      }
      for (const [k, y] of first.get(t)!)
        if (lastDone.has(k)) {
          const x = lastDone.get(k);
          if (x !== y) step(info(k), x, y);
        }
    }
  }

  for (const [k, ki] of keys) {
    // nil precedes every version that nothing else precedes.
    const hasPred = new Set<unknown>();
    for (const s of ki.next.values()) for (const y of s) hasPred.add(y);
    for (const v of [...ki.writerT.keys(), ...ki.readers.keys()]) if (v !== NIL && !hasPred.has(v)) step(ki, NIL, v);
    const cyc = cycleIn(ki.next);
    if (cyc) {
      found.push({
        kind: "cyclic-versions",
        ops: [],
        key: show(k),
        explanation: `The versions of key ${show(k)} cannot be ordered: the inferred order says ${cyc.map((x) => show(x === NIL ? null : x)).join(" < ")} < ${show(cyc[0] === NIL ? null : cyc[0])}.`,
      });
      continue;
    }
    const node = (v: unknown) => {
      if (v === NIL) return -1;
      const w = ki.writerT.get(v);
      return w && w.node >= 0 ? w.node : -1;
    };
    for (const [x, ys] of ki.next) {
      const wx = node(x),
        rs = ki.readers.get(x) ?? [];
      let budget = EDGE_CAP;
      for (const y of ys) {
        const wy = node(y);
        if (wy < 0) continue;
        const m = ki.writerM.get(y)!;
        if (wx >= 0 && wx !== wy) edges.add(wx, wy, WW, m);
        // Reading x, the writer's intermediate value, is G1b, not also a cycle through that writer.
        if (wx !== wy) for (const r of rs) if (r !== wy && budget-- > 0) edges.add(r, wy, RW, m);
      }
      if (wx >= 0) for (const r of rs) if (r !== wx) edges.add(wx, r, WR, ki.writerM.get(x)!);
    }
    // Versions read but never followed by anything: their wr edges still count.
    for (const [x, rs] of ki.readers)
      if (!ki.next.has(x)) {
        const wx = node(x);
        if (wx >= 0) for (const r of rs) if (r !== wx) edges.add(wx, r, WR, ki.writerM.get(x)!);
      }
  }
}

/** A cycle in a small version graph, as its versions in order, or undefined. */
function cycleIn(next: Map<unknown, Set<unknown>>): unknown[] | undefined {
  const color = new Map<unknown, number>(),
    parent = new Map<unknown, unknown>();
  for (const root of next.keys()) {
    if (color.has(root)) continue;
    const stack: [unknown, Iterator<unknown>][] = [[root, (next.get(root) ?? new Set()).values()]];
    color.set(root, 1);
    while (stack.length) {
      const [v, it] = stack[stack.length - 1];
      const n = it.next();
      if (n.done) {
        color.set(v, 2);
        stack.pop();
        continue;
      }
      const w = n.value;
      if (color.get(w) === 1) {
        const cyc = [w];
        for (let x = v; x !== w; x = parent.get(x)) cyc.push(x);
        const r = cyc.reverse();
        return [r[r.length - 1], ...r.slice(0, -1)];
      }
      if (!color.has(w)) {
        color.set(w, 1);
        parent.set(w, v);
        stack.push([w, (next.get(w) ?? new Set()).values()]);
      }
    }
  }
  return undefined;
}
