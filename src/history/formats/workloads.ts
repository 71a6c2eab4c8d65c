// Jepsen's workload conventions ⇄ faultline's, so one checker serves histories from both.
//
// | workload         | Jepsen                                                 | faultline                                  |
// |------------------|--------------------------------------------------------|--------------------------------------------|
// | bank             | `:read` → {account balance}, `:transfer {:from :to :amount}` | `read-all` → {account: balance}, `transfer` |
// | counter          | `:add` delta, `:read` → value (or [k v] tuples)        | `incr` [key, delta], `read` [key, value]   |
// | set, set-full    | `:add` element, `:read` → all elements (or [k v] tuples) | `add` [key, element], `read` [key, elements] |
// | long-fork        | `:txn` of `[:r k v]` / one `[:w k 1]`                  | the same (txn ops pass through unchanged)  |
// Plain (non-tuple) values get the single key "c" (counter) or "s" (set); export gives them back plain.
// Mapping is idempotent: a history already in faultline's conventions comes out unchanged.
import type { Op } from "../op.ts";

const SINGLE_KEY: Record<string, string> = { counter: "c", set: "s", "set-full": "s" };
const isPair = (v: unknown) => Array.isArray(v) && v.length === 2;
const client = (h: readonly Op[], fs: string[]) => h.filter((o) => o.process !== "nemesis" && fs.includes(o.f));

/** Jepsen → faultline conventions for a workload's checkers (other workloads: unchanged). */
export function fromJepsen(history: readonly Op[], workload: string, notes: string[] = []): Op[] {
  if (workload === "bank") {
    let n = 0;
    const out = history.map((o) => {
      if (o.process === "nemesis" || o.f !== "read") return o;
      n++;
      const value =
        o.type === "ok" && Array.isArray(o.value) ? Object.fromEntries(o.value.map((b, i) => [String(i), b])) : o.value;
      return { ...o, f: "read-all", value };
    });
    if (n) notes.push(`bank: ${n} :read events read as read-all (Jepsen's read of every balance)`);
    return out;
  }
  if (workload === "counter") {
    const ops = client(history, ["add", "incr", "read"]);
    const keyed = ops.length > 0 && ops.filter((o) => o.type === "invoke").every((o) => isPair(o.value));
    let n = 0;
    const out = history.map((o) => {
      if (o.process === "nemesis" || !["add", "incr", "read"].includes(o.f)) return o;
      const f = o.f === "add" ? "incr" : o.f;
      if (f !== o.f) n++;
      return keyed ? (f === o.f ? o : { ...o, f }) : { ...o, f, value: [SINGLE_KEY.counter, o.value ?? null] };
    });
    if (n) notes.push(`counter: ${n} :add events read as incr`);
    if (!keyed && ops.length) notes.push(`counter: plain values read as the single counter "${SINGLE_KEY.counter}"`);
    return out;
  }
  if (workload === "set" || workload === "set-full") {
    const ops = client(history, ["add", "read"]);
    const keyed = ops.length > 0 && ops.filter((o) => o.type === "invoke").every((o) => isPair(o.value));
    if (keyed || !ops.length) return [...history];
    notes.push(`${workload}: plain elements read as the single set "${SINGLE_KEY[workload]}"`);
    return history.map((o) =>
      o.process === "nemesis" || (o.f !== "add" && o.f !== "read")
        ? o
        : { ...o, value: [SINGLE_KEY[workload], o.value ?? null] },
    );
  }
  return [...history];
}

/** faultline → Jepsen conventions, for `export` (so Jepsen's own checkers read the history). */
export function toJepsen(history: readonly Op[], workload: string): Op[] {
  if (workload === "bank") {
    return history.map((o) =>
      o.process !== "nemesis" && o.f === "read-all" ? { ...o, f: "read", value: o.type === "ok" ? o.value : null } : o,
    );
  }
  if (workload === "counter" || workload === "set" || workload === "set-full") {
    const fs = workload === "counter" ? ["incr", "read"] : ["add", "read"];
    const ops = client(history, fs);
    const keys = new Set(ops.map((o) => (isPair(o.value) ? JSON.stringify((o.value as unknown[])[0]) : "")));
    const single = keys.size === 1 && ops.every((o) => isPair(o.value));
    return history.map((o) => {
      if (o.process === "nemesis" || !fs.includes(o.f)) return o;
      const f = o.f === "incr" ? "add" : o.f;
      if (!single) return { ...o, f };
      const v = (o.value as unknown[])[1];
      return { ...o, f, value: o.f === "read" && o.type !== "ok" ? null : v };
    });
  }
  return [...history];
}
