// Words and numbers for people: times, durations, operations and faults as the report's sentences use them.
import type { Operation } from "../history/pairs.ts";
import { plain, seconds } from "../format.ts";

export { duration, plain, seconds } from "../format.ts";

/** Jepsen's independent tuple [key, value], when a value looks like one. */
export function tuple(v: unknown): { key: string; value: unknown } | undefined {
  if (Array.isArray(v) && v.length === 2 && (typeof v[0] === "string" || typeof v[0] === "number"))
    return { key: String(v[0]), value: v[1] };
  return undefined;
}

/** What an operation did, as a verb phrase: "wrote 3 to k1", "read k1 and got 1", "compare-and-set k1 from 0 to 1". */
export function did(o: Operation): string {
  const inv = tuple(o.invoke.value);
  const out = o.complete ? tuple(o.complete.value) : undefined;
  const f = o.f;
  if (inv) {
    const key = inv.key;
    if (f === "read") {
      if (o.type === "ok") return `read ${key} and got ${plain(out ? out.value : o.complete?.value)}`;
      return `tried to read ${key}`;
    }
    if (f === "write") return `${o.type === "ok" ? "wrote" : "tried to write"} ${plain(inv.value)} to ${key}`;
    if (f === "cas" && Array.isArray(inv.value) && inv.value.length === 2) {
      const [from, to] = inv.value;
      if (o.type === "ok") return `compare-and-set ${key} from ${plain(from)} to ${plain(to)}`;
      if (o.error === "compare-failed")
        return `tried to compare-and-set ${key} from ${plain(from)} to ${plain(to)} and found another value`;
      return `tried to compare-and-set ${key} from ${plain(from)} to ${plain(to)}`;
    }
    return `${f} ${key} ${plain(inv.value)}${o.type === "ok" && out && plain(out.value) !== plain(inv.value) ? ` → ${plain(out.value)}` : ""}`;
  }
  const iv = o.invoke.value,
    cv = o.complete?.value;
  const res = o.type === "ok" && cv !== undefined && plain(cv) !== plain(iv) ? ` → ${plain(cv)}` : "";
  return `${f}${iv === null || iv === undefined ? "" : " " + plain(iv)}${res}`;
}

/** How an operation ended, with its time: "acknowledged at 2.104 s", "failed at 2.1 s (timeout)". */
export function ended(o: Operation): string {
  if (!o.complete) return "never completed (indeterminate)";
  const at = seconds(o.complete.time);
  if (o.type === "ok") return `acknowledged at ${at}`;
  if (o.type === "fail") return `failed at ${at}${o.error ? ` (${o.error})` : ""}`;
  return `was indeterminate at ${at}${o.error ? ` (${o.error})` : ""}`;
}

const list = (xs: string[]) =>
  xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;

/** A fault as a noun phrase: "a partition isolating n1 (n1 | n2, n3)", "a crash of n2", "clock skew on n1 (+250 ms)". */
export function faultPhrase(f: string, value: unknown): string {
  const v = (value && typeof value === "object" ? value : {}) as Record<string, unknown>;
  const nodes = Array.isArray(v.nodes) ? v.nodes.map((n) => plain(n)) : [];
  const who = nodes.length ? list(nodes) : "some nodes";
  switch (f) {
    case "partition": {
      const groups = Array.isArray(v.groups)
        ? v.groups.filter(Array.isArray).map((g) => (g as unknown[]).map((n) => plain(n)).join(", "))
        : [];
      return `a partition isolating ${who}${groups.length > 1 ? ` (${groups.join(" | ")})` : ""}`;
    }
    case "kill":
    case "crash":
      return `a crash of ${who}`;
    case "pause":
      return `a pause of ${who}`;
    case "clock": {
      const offs =
        v.offsets && typeof v.offsets === "object" ? Object.entries(v.offsets as Record<string, unknown>) : [];
      const text = offs
        .filter(([, ms]) => typeof ms === "number")
        .map(([n, ms]) => `${n} ${(ms as number) >= 0 ? "+" : ""}${ms} ms`);
      return `clock skew on ${who}${text.length ? ` (${text.join(", ")})` : ""}`;
    }
    case "loss":
      return `packet loss on ${who}${typeof v.probability === "number" ? ` (${Math.round(v.probability * 100)}% dropped)` : ""}`;
    default:
      return `a ${f} fault on ${who}`;
  }
}

/** An anomaly kind in words, for the end of a sentence. */
export function kindWords(kind: string): string {
  const known: Record<string, string> = {
    nonlinearizable: "not linearizable",
    "not-sequential": "the sessions did not all see one order of writes: not sequentially consistent",
    "thin-air-read": "a read returned a value no successful write wrote",
    "stale-read": "a stale read",
    "read-your-writes": "read-your-writes violated",
    "monotonic-reads": "monotonic reads violated",
    "monotonic-writes": "monotonic writes violated",
    "writes-follow-reads": "writes-follow-reads violated",
    "lost-write": "an acknowledged write was lost",
    "lost-update": "an update was lost",
    "causal-cycle": "a causal cycle",
    "causal-order": "causal order violated",
    divergence: "replicas diverged",
    divergent: "replicas ended with different values",
    CyclicCO: "the causal order has a cycle: causal consistency violated",
    ThinAirRead: "a read returned a value no write wrote (out of thin air)",
    WriteCORead: "the read returned a value already overwritten in its causal past: causal consistency violated",
    WriteCOInitRead:
      "the read returned the initial value although a write of the key causally precedes it: causal consistency violated",
    CyclicCF: "the conflict order has a cycle: causal convergence (CCv) violated",
    CyclicHB:
      "a session's happens-before order (what its memory must have applied first) has a cycle: causal memory (CM) violated",
    WriteHBInitRead:
      "the read returned the initial value although a write of the key happens before it in its session's memory: causal memory (CM) violated",
    "non-convergence": "replicas did not converge",
  };
  return known[kind] ?? kind.replace(/[-_]+/g, " ");
}
