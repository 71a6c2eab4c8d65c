// Tells an anomaly as a short story in the reader's terms: who did what when, what that contradicts,
// and which fault was in effect. The checker's own explanation is kept beside it; this adds the timeline.
import type { Anomaly } from "../../checkers/types.ts";
import type { Fault, Operation } from "../history/pairs.ts";
import { did, duration, ended, faultPhrase, kindWords, plain, seconds, tuple } from "./format.ts";

export interface StoryContext {
  /** The client operation an invoke or completion history index belongs to. */
  byIndex(index: number): Operation | undefined;
  /** Every client operation in invocation order. */
  operations: readonly Operation[];
  faults: readonly Fault[];
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const endTime = (o: Operation) => (o.complete ? o.complete.time : Infinity);

/** The operations an anomaly names, once each, in invocation order. */
export function involved(a: Anomaly, ctx: StoryContext): Operation[] {
  const seen = new Set<Operation>();
  for (const i of a.ops ?? []) {
    const o = typeof i === "number" ? ctx.byIndex(i) : undefined;
    if (o) seen.add(o);
  }
  return [...seen].sort((x, y) => x.invoke.index - y.invoke.index);
}

function subject(a: Anomaly, ops: Operation[], ctx: StoryContext): Operation | undefined {
  const b = a.evidence?.blocked?.[0]?.index;
  if (typeof b === "number") {
    const o = ctx.byIndex(b);
    if (o) return o;
  }
  return ops[ops.length - 1];
}

function opSentence(o: Operation): string {
  return `process ${o.process}${o.node ? `, talking to ${o.node},` : ""} ${did(o)} (invoked at ${seconds(o.invoke.time)}, ${ended(o)})`;
}

/** Writes of a register key that were acknowledged: [writer, value written]. */
const writeCache = new WeakMap<StoryContext, Map<string, { o: Operation; value: unknown }[]>>();
function writesOf(key: string, ctx: StoryContext): { o: Operation; value: unknown }[] {
  let byKey = writeCache.get(ctx);
  if (!byKey) {
    byKey = new Map();
    for (const o of ctx.operations) {
      const t = tuple(o.invoke.value);
      if (!t) continue;
      let value: unknown,
        counts = false;
      if (o.f === "write") {
        value = t.value;
        counts = true;
      } else if (o.f === "cas" && o.type !== "fail" && Array.isArray(t.value) && t.value.length === 2) {
        value = t.value[1];
        counts = true;
      }
      if (!counts) continue;
      let l = byKey.get(t.key);
      if (!l) byKey.set(t.key, (l = []));
      l.push({ o, value });
    }
    writeCache.set(ctx, byKey);
  }
  return byKey.get(key) ?? [];
}

/** For a read that returned an old register value: the acknowledged newer write it missed, and whether the value was overwritten for certain. */
function staleContext(read: Operation, ctx: StoryContext): string | undefined {
  if (read.f !== "read" || read.type !== "ok") return undefined;
  const inv = tuple(read.invoke.value),
    out = tuple(read.complete?.value);
  if (!inv || !out) return undefined;
  const got = plain(out.value);
  const writes = writesOf(inv.key, ctx);
  let newer: Operation | undefined, newerValue: unknown;
  for (const w of writes) {
    if (w.o.type !== "ok" || endTime(w.o) >= read.invoke.time || plain(w.value) === got) continue;
    if (!newer || endTime(w.o) > endTime(newer)) {
      newer = w.o;
      newerValue = w.value;
    }
  }
  if (!newer) return undefined;
  const gap = read.invoke.time - endTime(newer);
  let s =
    `But process ${newer.process} ${newer.f === "cas" ? `had compare-and-set ${inv.key} to ${plain(newerValue)}` : `had written ${plain(newerValue)} to ${inv.key}`}, ` +
    `acknowledged at ${seconds(endTime(newer))}, ${duration(gap)} before this read began`;
  const sources = writes.filter((w) => plain(w.value) === got && w.o.invoke.time <= endTime(read));
  const initial = got === "null" && sources.length === 0;
  if (initial) s += `; ${inv.key} had not been written before, so the read returned its initial value`;
  if (sources.length > 0 && sources.every((w) => w.o.type === "ok" && endTime(w.o) < newer!.invoke.time)) {
    const last = sources.reduce((a, b) => (endTime(b.o) > endTime(a.o) ? b : a));
    s +=
      `; the ${got} it returned was last written by process ${last.o.process}, acknowledged at ${seconds(endTime(last.o))}, before that write even began. ` +
      `The read returned an overwritten value: a stale read`;
  } else if (initial && endTime(newer) < read.invoke.time) {
    s += `: a stale read`;
  }
  return s + ".";
}

function faultSentence(ops: Operation[], main: Operation | undefined, ctx: StoryContext): string {
  if (!ops.length) return "";
  const from = Math.min(...ops.map((o) => o.invoke.time));
  const to = Math.max(...ops.map((o) => Math.min(endTime(o), o.invoke.time + 60e9)));
  const active = ctx.faults.filter((f) => f.start.time <= to && (!f.stop || f.stop.time >= from));
  if (!active.length) {
    if (!ctx.faults.length) return "No fault had been injected.";
    const before = ctx.faults
      .filter((f) => f.stop && f.stop.time < from)
      .sort((a, b) => b.stop!.time - a.stop!.time)[0];
    if (!before) return "No fault was in effect at the time.";
    return `No fault was in effect at the time; the most recent, ${faultPhrase(before.f, before.value)}, had been healed at ${seconds(before.stop!.time)}, ${duration(from - before.stop!.time)} before.`;
  }
  const parts = active.slice(0, 3).map((f) => {
    let s = `${cap(faultPhrase(f.f, f.value))} had begun at ${seconds(f.start.time)}`;
    s += f.stop
      ? f.stop.time <= to
        ? ` and was healed at ${seconds(f.stop.time)}`
        : ` and lasted until ${seconds(f.stop.time)}`
      : " and was never healed";
    const nodes = (f.value as { nodes?: unknown })?.nodes;
    if (main?.node && Array.isArray(nodes)) {
      const hit = nodes.map(String).includes(main.node);
      if (f.f === "partition")
        s += `; ${main.node}, the node process ${main.process} talked to, was on the ${hit ? "isolated" : "other"} side`;
      else if (hit) s += `; ${main.node}, the node process ${main.process} talked to, was one of them`;
    }
    return s + ".";
  });
  if (active.length > 3) parts.push(`${active.length - 3} more fault(s) overlapped these operations.`);
  return parts.join(" ");
}

function narrate(ops: Operation[]): string {
  const shown = ops.slice(0, 4);
  const parts: string[] = [];
  let prev: Operation | undefined;
  for (const o of shown) {
    if (!prev) parts.push(`${cap(opSentence(o))}`);
    else {
      const gap = o.invoke.time - endTime(prev);
      const who = o.process === prev.process ? "the same process" : `process ${o.process}`;
      const when = Number.isFinite(gap) && gap >= 0 ? `${duration(gap)} later` : "meanwhile";
      parts.push(`${when} ${who}${o.node ? `, talking to ${o.node},` : ""} ${did(o)} (${ended(o)})`);
    }
    prev = o;
  }
  let s = parts.join("; ");
  if (ops.length > shown.length) s += `; and ${ops.length - shown.length} more operation(s)`;
  return s;
}

/** The anomaly as a paragraph: the operations and times, what they contradict, the faults in effect. */
export function story(a: Anomaly, ctx: StoryContext): string {
  const ops = involved(a, ctx);
  const main = subject(a, ops, ctx);
  const out: string[] = [];
  if (a.kind === "nonlinearizable" && main) {
    out.push(cap(opSentence(main)) + ".");
    const stale = staleContext(main, ctx);
    if (stale) out.push(stale);
    const ev = a.evidence;
    const key = a.key ? ` ${a.key}` : "";
    if (ev?.prefix || ev?.blocked || ev?.prefixLength !== undefined) {
      const prefix = ev.prefix ?? [];
      const n = ev.prefixLength ?? prefix.length;
      const state = prefix.length ? prefix[prefix.length - 1].state : undefined;
      out.push(
        `No legal order explains it: the longest one places ${n} operation(s)${typeof state === "string" ? `, leaving${key} at ${state}` : ""}, and this operation cannot come next — not linearizable.`,
      );
    }
  } else if (ops.length) {
    out.push(`${narrate(ops)} — ${kindWords(a.kind)}.`);
  } else {
    out.push(`${cap(kindWords(a.kind))}.`);
  }
  const fs = faultSentence(ops, main, ctx);
  if (fs) out.push(fs);
  return out.join(" ");
}
