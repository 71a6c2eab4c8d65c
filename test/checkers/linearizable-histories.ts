// Histories built for the linearizability tests.
import type { Op } from "../../src/history/op.ts";
import { historyBuilder } from "../helpers.ts";

type Builder = ReturnType<typeof historyBuilder>;

/** `writers` concurrent writes of distinct values to `key` and a concurrent read of a value none wrote: the
 *  search must try every subset of the writes before it can refute it (over a million steps for 16 writers,
 *  and as many cached configurations). Processes p0 .. p0 + writers. */
export function addHardKey(h: Builder, key: string, writers: number, p0 = 0): void {
  for (let p = 0; p < writers; p++) h.invoke(p0 + p, "write", [key, p]);
  h.invoke(p0 + writers, "read", [key, null]);
  for (let p = 0; p < writers; p++) h.ok(p0 + p, "write", [key, p]);
  h.ok(p0 + writers, "read", [key, 99]);
}

/** `rounds` sequential write/read pairs on `key` by process p, then a stale read: refuted in a few hundred steps. */
export function addBadKey(h: Builder, key: string, rounds: number, p: number): void {
  for (let i = 0; i < rounds; i++) {
    h.invoke(p, "write", [key, i]);
    h.ok(p, "write", [key, i]);
    h.invoke(p, "read", [key, null]);
    h.ok(p, "read", [key, i]);
  }
  h.invoke(p, "read", [key, null]);
  h.ok(p, "read", [key, rounds > 1 ? 0 : 7]);
}

/** Key "hard" (addHardKey) first, then key "bad" (addBadKey). The hard key comes first and is the smaller,
 *  so neither history order nor smallest-first decides the history. */
export function hardAndBad(writers = 16, rounds = 30): Op[] {
  const h = historyBuilder();
  addHardKey(h, "hard", writers);
  addBadKey(h, "bad", rounds, writers + 1);
  return h.ops;
}

/** Ten keys: "h0" and "h1" undecidable within any practical budget (addHardKey with 20 writers: ~20M
 *  configurations), then "b0".."b7", each refuted, the later ones after more steps (stale reads hidden
 *  behind a growing number of concurrent writes). The hard keys come first and are the smallest. */
export function manyKeysOneHard(): Op[] {
  const h = historyBuilder();
  addHardKey(h, "h0", 20, 0);
  addHardKey(h, "h1", 20, 30);
  for (let k = 0; k < 8; k++) {
    const p0 = 100 + 20 * k,
      writers = 4 + k;
    // `writers` concurrent writes, then a read that saw none of them nor the initial value.
    for (let p = 0; p < writers; p++) h.invoke(p0 + p, "write", [`b${k}`, p]);
    for (let p = 0; p < writers; p++) h.ok(p0 + p, "write", [`b${k}`, p]);
    for (let i = 0; i < 20; i++) {
      h.invoke(p0, "write", [`b${k}`, 100 + i]);
      h.ok(p0, "write", [`b${k}`, 100 + i]);
    }
    h.invoke(p0 + writers, "read", [`b${k}`, null]);
    h.ok(p0 + writers, "read", [`b${k}`, 3]);
  }
  return h.ops;
}
