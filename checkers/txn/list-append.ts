// Version orders and dependencies for list-append. Every read of a key returns the key's whole list, so each
// read is a prefix of the key's version order: the longest read is the order as far as anyone saw it, and a
// read that is not a prefix of it is `incompatible-order`. From the order: ww between consecutive appenders,
// wr from the appender of a read's last element, rw from a reader to the appender of the element after its
// prefix. An acknowledged append no read saw comes after every element seen: the last seen appender → ww it,
// and a reader of the whole order → rw it.
import type { Anomaly } from "../types.ts";
import { EdgeBuilder, RW, WR, WW } from "./graph.ts";
import type { Txn } from "./txns.ts";
import { show } from "./txns.ts";
import { opsOf, txnText } from "./words.ts";

/** Readers × unseen appends of one key at most, beyond which those rw edges are left out (sound, less complete). */
const UNSEEN_EDGE_CAP = 1 << 16;

export function listAppendDeps(txns: Txn[], failed: Txn[], edges: EdgeBuilder, found: Anomaly[]): void {
  // Who appended each value: the writer transaction and the micro-op's index in it.
  const writerT = new Map<unknown, Map<unknown, Txn>>(),
    writerM = new Map<unknown, Map<unknown, number>>();
  const index = (ts: Txn[]) => {
    for (const t of ts)
      for (let i = 0; i < t.mops.length; i++) {
        const m = t.mops[i];
        if (m[0] !== "append") continue;
        let a = writerT.get(m[1]),
          b = writerM.get(m[1]);
        if (!a) {
          writerT.set(m[1], (a = new Map()));
          writerM.set(m[1], (b = new Map()));
        }
        a.set(m[2], t);
        b!.set(m[2], i);
      }
  };
  index(failed);
  index(txns); // a value both failed and ok-appended is a duplicate write: the ok one wins
  const isLastAppend = (t: Txn, m: number) => {
    const k = t.mops[m][1];
    for (let j = m + 1; j < t.mops.length; j++) if (t.mops[j][0] === "append" && t.mops[j][1] === k) return false;
    return true;
  };

  // Pass 1: internal consistency, each read's external prefix, and the longest read per key.
  const longest = new Map<unknown, unknown[]>(),
    longestBy = new Map<unknown, Txn>();
  const readers = new Map<unknown, number[]>(); // key → [reader node, prefix length, …] (first read per txn)
  const updaters = new Map<unknown, Map<number, Txn>>(); // key → prefix length read → a txn that then appended
  const lostReported = new Set<Txn>();
  const inconsistent = new Set<unknown[]>(); // internally inconsistent reads: kept out of the orders
  for (const t of txns) {
    if (t.op.type !== "ok") continue;
    const mops = t.mops;
    for (let i = 0; i < mops.length; i++) {
      const m = mops[i];
      if (m[0] !== "r" || m[2] === null) continue;
      const k = m[1],
        list = m[2] as unknown[];
      let readBefore = -1,
        appended = 0;
      for (let j = 0; j < i; j++)
        if (mops[j][1] === k) {
          if (mops[j][0] === "r" && mops[j][2] !== null) {
            readBefore = j;
            appended = 0;
          } else if (mops[j][0] === "append") appended++;
        }
      if (readBefore >= 0 || appended > 0) {
        // What this transaction already knows of the key: its last read plus its own appends since.
        const expect: unknown[] | null = readBefore >= 0 ? [...(mops[readBefore][2] as unknown[])] : null;
        const own: unknown[] = [];
        for (let j = readBefore + 1; j < i; j++) if (mops[j][1] === k && mops[j][0] === "append") own.push(mops[j][2]);
        const tail = list.slice(list.length - own.length);
        const ok = expect ? sameList(list, [...expect, ...own]) : list.length >= own.length && sameList(tail, own);
        if (!ok) {
          inconsistent.add(list);
          found.push({
            kind: "internal",
            ops: opsOf(t),
            key: show(k),
            explanation: `A transaction (${txnText(t)}) read key ${show(k)} as ${show(list)}, but by its own earlier micro-ops it should have read ${expect ? show([...expect, ...own]) : `a list ending in ${show(own)}`}: it is internally inconsistent.`,
          });
          continue;
        }
        if (readBefore < 0) addReader(readers, k, t.node, list.length - own.length);
      } else {
        addReader(readers, k, t.node, list.length);
        // Read a version, then appended to it: so did another transaction from the same version? Lost update.
        let appends = false;
        for (let j = i + 1; j < mops.length; j++)
          if (mops[j][0] === "append" && mops[j][1] === k) {
            appends = true;
            break;
          }
        if (appends) {
          let byLen = updaters.get(k);
          if (!byLen) updaters.set(k, (byLen = new Map()));
          const other = byLen.get(list.length);
          if (!other) byLen.set(list.length, t);
          else if (lostReported.size < 10_000 && !lostReported.has(other)) {
            lostReported.add(other);
            found.push({
              kind: "lost-update",
              ops: opsOf(other, t),
              key: show(k),
              explanation: `Two committed transactions both read key ${show(k)} as ${show(list)} and both appended to it, so one's update was made without seeing the other's: ${txnText(other)}; ${txnText(t)}.`,
            });
          }
        }
      }
      const l = longest.get(k);
      if (!l || list.length > l.length) {
        longest.set(k, list);
        longestBy.set(k, t);
      }
    }
  }

  // Pass 2: every read must be a prefix of the longest; elements must have been appended, by committed txns.
  const badKey = new Set<unknown>();
  const reported = new Set<string>();
  const once = (id: string) => (reported.has(id) ? false : (reported.add(id), true));
  for (const [k, order] of longest) {
    const dup = duplicateIn(order);
    if (dup !== undefined) {
      badKey.add(k);
      const t = longestBy.get(k)!;
      found.push({
        kind: "duplicate-elements",
        ops: opsOf(t),
        key: show(k),
        explanation: `A transaction (${txnText(t)}) read key ${show(k)} as ${show(order)}, which holds ${show(dup)} more than once, though each value is appended once.`,
      });
    }
  }
  // Per key, how many leading elements of the longest read were appended by transactions that did not fail.
  const safeLengths = new Map<unknown, number>();
  const safeLength = (k: unknown, order: unknown[]) => {
    let n = safeLengths.get(k);
    if (n === undefined) {
      const wt = writerT.get(k);
      n = 0;
      while (n < order.length) {
        const w = wt?.get(order[n]);
        if (!w || w.op.type === "fail") break;
        n++;
      }
      safeLengths.set(k, n);
    }
    return n;
  };
  for (const t of txns) {
    if (t.op.type !== "ok") continue;
    for (const m of t.mops) {
      if (m[0] !== "r" || m[2] === null) continue;
      const k = m[1],
        list = m[2] as unknown[],
        order = longest.get(k);
      if (!order || inconsistent.has(list)) continue;
      if (!badKey.has(k) && !isPrefix(list, order)) {
        const dup = duplicateIn(list);
        if (dup !== undefined) {
          if (once(`dup ${String(k)}`))
            found.push({
              kind: "duplicate-elements",
              ops: opsOf(t),
              key: show(k),
              explanation: `A transaction (${txnText(t)}) read key ${show(k)} as ${show(list)}, which holds ${show(dup)} more than once, though each value is appended once.`,
            });
        } else {
          const o = longestBy.get(k)!;
          found.push({
            kind: "incompatible-order",
            ops: opsOf(t, o),
            key: show(k),
            explanation: `Two reads of key ${show(k)} disagree on its order: ${show(list)} (${txnText(t)}) is not a prefix of ${show(order)} (${txnText(o)}); no single order of appends explains both.`,
          });
        }
        badKey.add(k);
      }
      const wt = writerT.get(k);
      // A prefix of the longest read holds nothing wrong unless it reaches the order's first bad element.
      const safe = !badKey.has(k) ? safeLength(k, order) : 0;
      for (let i = list.length <= safe ? list.length : 0; i < list.length; i++) {
        const w = wt?.get(list[i]);
        if (!w) {
          if (once(`garbage ${String(k)} ${String(list[i])}`))
            found.push({
              kind: "garbage-read",
              ops: opsOf(t),
              key: show(k),
              explanation: `A transaction (${txnText(t)}) read ${show(list[i])} in key ${show(k)}, a value no transaction ever appended.`,
            });
        } else if (w.op.type === "fail" && w !== t) {
          if (once(`g1a ${String(k)} ${String(list[i])}`))
            found.push({
              kind: "G1a",
              ops: opsOf(t, w),
              key: show(k),
              explanation: `A transaction (${txnText(t)}) read ${show(list[i])} in key ${show(k)}, appended by a transaction that failed (aborted): ${txnText(w)}.`,
            });
        }
      }
      if (list.length > 0) {
        const last = list[list.length - 1],
          w = wt?.get(last);
        if (
          w &&
          w !== t &&
          w.op.type !== "fail" &&
          !isLastAppend(w, writerM.get(k)!.get(last)!) &&
          once(`g1b ${String(k)} ${String(last)}`)
        )
          found.push({
            kind: "G1b",
            ops: opsOf(t, w),
            key: show(k),
            explanation: `A transaction (${txnText(t)}) read key ${show(k)} ending in ${show(last)}, an intermediate state of another transaction that appended more to the key afterwards: ${txnText(w)}.`,
          });
      }
    }
  }

  // Pass 3: dependencies from each key's order.
  for (const [k, order] of longest) {
    if (badKey.has(k)) continue;
    const wt = writerT.get(k) ?? new Map<unknown, Txn>(),
      wm = writerM.get(k) ?? new Map<unknown, number>();
    const node = (v: unknown) => {
      const w = wt.get(v);
      return w && w.node >= 0 ? w.node : -1;
    };
    let firstAborted = -1;
    for (let i = 0; i < order.length; i++) {
      const w = wt.get(order[i]);
      if (w?.op.type === "fail") {
        if (firstAborted < 0) firstAborted = i;
        continue;
      }
      if (firstAborted >= 0 && w && once(`dirty ${String(k)}`)) {
        const a = wt.get(order[firstAborted])!;
        found.push({
          kind: "dirty-update",
          ops: opsOf(a, w),
          key: show(k),
          explanation: `Key ${show(k)} reads ${show(order.slice(0, i + 1))}: a committed append of ${show(order[i])} (${txnText(w)}) was built on ${show(order[firstAborted])}, appended by a transaction that failed (${txnText(a)}).`,
        });
      }
      if (i > 0) {
        const a = node(order[i - 1]),
          b = node(order[i]);
        if (a >= 0 && b >= 0 && a !== b) edges.add(a, b, WW, wm.get(order[i])!);
      }
    }
    // Acknowledged appends nobody read: after the whole known order, in an unknown order among themselves.
    const seen = new Set(order);
    const unseen: number[] = [],
      unseenM: number[] = [];
    for (const [v, w] of wt)
      if (w.op.type === "ok" && !seen.has(v)) {
        unseen.push(w.node);
        unseenM.push(wm.get(v)!);
      }
    const lastNode = order.length ? node(order[order.length - 1]) : -1;
    if (lastNode >= 0)
      for (let u = 0; u < unseen.length; u++)
        if (unseen[u] !== lastNode) edges.add(lastNode, unseen[u], WW, unseenM[u]);
    const rs = readers.get(k) ?? [];
    let budget = UNSEEN_EDGE_CAP;
    for (let r = 0; r < rs.length; r += 2) {
      const t = rs[r],
        p = rs[r + 1];
      if (p > 0) {
        const w = node(order[p - 1]);
        if (w >= 0 && w !== t) edges.add(w, t, WR, wm.get(order[p - 1])!);
      }
      // A read that ends inside another transaction's appends is G1b, not also a cycle through that writer.
      if (p < order.length) {
        const n = node(order[p]);
        if (n >= 0 && n !== t && !(p > 0 && node(order[p - 1]) === n)) edges.add(t, n, RW, wm.get(order[p])!);
      } else if (budget > 0)
        for (let u = 0; u < unseen.length; u++)
          if (unseen[u] !== t && unseen[u] !== lastNode) {
            edges.add(t, unseen[u], RW, unseenM[u]);
            budget--;
          }
    }
  }
}

function addReader(readers: Map<unknown, number[]>, k: unknown, node: number, prefix: number): void {
  let l = readers.get(k);
  if (!l) readers.set(k, (l = []));
  l.push(node, prefix);
}

function sameList(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isPrefix(a: unknown[], b: unknown[]): boolean {
  if (a === b) return true;
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function duplicateIn(list: unknown[]): unknown {
  if (list.length < 2) return undefined;
  const s = new Set<unknown>();
  for (const x of list) {
    if (s.has(x)) return x;
    s.add(x);
  }
  return undefined;
}
