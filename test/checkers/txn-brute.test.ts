// The isolation checker against brute force on thousands of small generated list-append histories: every
// serial order of the transactions (serializable), those that respect real time (strict serializable), and
// snapshot isolation by its definition (each transaction reads the state committed at its start timestamp,
// plus its own appends; first committer wins between overlapping writers of one key).
import { describe, expect, it } from "vitest";
import seedrandom from "seedrandom";
import type { Op } from "../../src/history/op.ts";
import { checkTxn } from "../../checkers/txn/index.ts";

type Mop = ["append" | "r", string, unknown];
interface T {
  mops: Mop[];
  invoke: number;
  complete: number;
}

/** A small history from a random execution: transactions commit in a random order, each reading from the
 *  state at its own start (snapshot), a random older state, or per read a random state; times are random. */
function generate(rng: () => number, n: number, finalRead: boolean): T[] {
  const keys = ["x", "y", "z"].slice(0, 2 + Math.floor(rng() * 2));
  const states: Map<string, number[]>[] = [new Map(keys.map((k) => [k, []]))];
  const next = new Map(keys.map((k) => [k, 1]));
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const snap = rng() < 0.35 ? i : Math.floor(rng() * (i + 1));
    const perRead = rng() < 0.2;
    const mops: Mop[] = [];
    const own = new Map<string, number[]>();
    for (let j = 1 + Math.floor(rng() * 3); j > 0; j--) {
      const k = keys[Math.floor(rng() * keys.length)];
      if (rng() < 0.5) {
        const v = next.get(k)!;
        next.set(k, v + 1);
        mops.push(["append", k, v]);
        own.set(k, [...(own.get(k) ?? []), v]);
      } else {
        const s = perRead ? Math.floor(rng() * (i + 1)) : snap;
        mops.push(["r", k, [...states[s].get(k)!, ...(own.get(k) ?? [])]]);
      }
    }
    const st = new Map(states[i]);
    for (const [k, vs] of own) st.set(k, [...st.get(k)!, ...vs]);
    states.push(st);
    const c = i * 10 + Math.floor(rng() * 10);
    out.push({ mops, invoke: Math.max(0, c - Math.floor(rng() * 40)), complete: c + Math.floor(rng() * 15) });
  }
  // A final read of every key pins every key's version order down: without one, two appends nobody read
  // are ordered some unknown way, which a graph of known edges cannot express (Elle has the same limit).
  if (finalRead)
    out.push({
      mops: keys.map((k) => ["r", k, states[n].get(k)!] as Mop),
      invoke: n * 10 + 100,
      complete: n * 10 + 101,
    });
  return out;
}

function toHistory(ts: T[]): Op[] {
  const ev: { time: number; p: number; type: "invoke" | "ok"; value: unknown }[] = [];
  ts.forEach((t, p) => {
    ev.push({ time: t.invoke * 2, p, type: "invoke", value: t.mops.map(([f, k, v]) => [f, k, f === "r" ? null : v]) });
    ev.push({ time: t.complete * 2 + 1, p, type: "ok", value: t.mops });
  });
  ev.sort((a, b) => a.time - b.time);
  return ev.map((e, index) => ({ index, time: e.time * 1e6, process: e.p, type: e.type, f: "txn", value: e.value }));
}

const same = (a: unknown[], b: unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Runs t against a state: do its reads match (with its own appends)? Returns the state after, or undefined. */
function apply(t: T, state: Map<string, number[]>, snapshot = state): Map<string, number[]> | undefined {
  const own = new Map<string, number[]>();
  for (const [f, k, v] of t.mops) {
    if (f === "append") own.set(k, [...(own.get(k) ?? []), v as number]);
    else if (!same(v as unknown[], [...(snapshot.get(k) ?? []), ...(own.get(k) ?? [])])) return undefined;
  }
  const s = new Map(state);
  for (const [k, vs] of own) s.set(k, [...(s.get(k) ?? []), ...vs]);
  return s;
}

/** Some order of all transactions in which every read sees the state before it; `realtime`: an order that
 *  also keeps a transaction after every one that completed before it began. */
function serializable(ts: T[], realtime: boolean): boolean {
  const used = new Array(ts.length).fill(false);
  const go = (state: Map<string, number[]>, done: number): boolean => {
    if (done === ts.length) return true;
    for (let i = 0; i < ts.length; i++) {
      if (used[i]) continue;
      if (realtime && ts.some((o, j) => !used[j] && j !== i && o.complete < ts[i].invoke)) continue;
      const s = apply(ts[i], state);
      if (!s) continue;
      used[i] = true;
      if (go(s, done + 1)) return true;
      used[i] = false;
    }
    return false;
  };
  return go(new Map(), 0);
}

/** Snapshot isolation by its definition: some sequence of start and commit events, each transaction reading
 *  the state committed at its start plus its own appends, and no two transactions that write a common key
 *  overlapping (the later committer would have to abort). Read-only transactions start and commit at once. */
function snapshotIsolated(ts: T[]): boolean {
  const writes = ts.map((t) => new Set(t.mops.filter((m) => m[0] === "append").map((m) => m[1])));
  const started = new Array(ts.length).fill(false),
    committed = new Array(ts.length).fill(false);
  const snaps: (Map<string, number[]> | undefined)[] = new Array(ts.length);
  const since: Set<number>[] = ts.map(() => new Set()); // commits since each open transaction started
  const go = (state: Map<string, number[]>, done: number): boolean => {
    if (done === ts.length) return true;
    for (let i = 0; i < ts.length; i++) {
      if (committed[i]) continue;
      if (!started[i]) {
        if (!apply(ts[i], state)) continue; // its reads must match the snapshot at its start
        if (writes[i].size === 0) {
          committed[i] = true;
          if (go(state, done + 1)) return true;
          committed[i] = false;
          continue;
        }
        started[i] = true;
        snaps[i] = state;
        since[i].clear();
        if (go(state, done)) return true;
        started[i] = false;
        continue;
      }
      // Commit i: first committer wins against every writer of a common key that committed since i began.
      if ([...since[i]].some((j) => [...writes[i]].some((k) => writes[j].has(k)))) continue;
      const s = apply(ts[i], state, snaps[i])!;
      committed[i] = true;
      const added: number[] = [];
      for (let j = 0; j < ts.length; j++)
        if (started[j] && !committed[j] && !since[j].has(i)) {
          since[j].add(i);
          added.push(j);
        }
      if (go(s, done + 1)) return true;
      for (const j of added) since[j].delete(i);
      committed[i] = false;
    }
    return false;
  };
  return go(new Map(), 0);
}

describe("isolation checker vs brute force", () => {
  it("agrees on serializable, strict serializable and snapshot isolation for thousands of small histories", () => {
    const rng = seedrandom("txn-brute");
    const tally: Record<string, [number, number]> = { ser: [0, 0], strict: [0, 0], si: [0, 0] };
    for (let h = 0; h < 4000; h++) {
      // Half with a final read (every version observed: the checker must agree exactly), half without (it
      // must never flag a history brute force accepts).
      const complete = h % 2 === 0;
      const n = h % 10 === 0 ? 6 : 2 + Math.floor(rng() * 4); // 2..6 transactions, plus the final read
      const ts = generate(rng, n, complete);
      const v = checkTxn(toHistory(ts), { workload: "list-append" });
      const ctx = () => JSON.stringify(ts) + "\n" + v.anomalies.map((a) => a.explanation).join("\n");
      const truth = {
        ser: serializable(ts, false),
        strict: serializable(ts, true),
        si: ts.length <= 6 ? snapshotIsolated(ts) : undefined,
      };
      const said = {
        ser: v.isolation.status.serializable === "held",
        strict: v.isolation.status["strict-serializable"] === "held",
        si: v.isolation.status["snapshot-isolation"] === "held",
      };
      for (const m of ["ser", "strict", "si"] as const) {
        const t = truth[m];
        if (t === undefined) continue;
        if (complete) expect(said[m], `${m}: brute force says ${t}: ${ctx()}`).toBe(t);
        else if (t) expect(said[m], `${m}: brute force says it held: ${ctx()}`).toBe(true);
        if (complete) tally[m][Number(t)]++;
      }
    }
    if (process.env.TXN_TALLY) console.log(JSON.stringify(tally));
    // Both outcomes must be well represented, or the comparison proves little.
    for (const [name, [no, yes]] of Object.entries(tally)) {
      expect(no, `${name} violated`).toBeGreaterThan(200);
      expect(yes, `${name} held`).toBeGreaterThan(200);
    }
  });
});
