// The replicated data: a map from keys to JSON values, and the one function that applies a client op to it.
// Values are never mutated in place (appends build new arrays), so states can be shared between replicas.
import { applyTxnAtomically } from "./txn-ops.ts";

/** A node's data, with its keys also listed under each "…/" prefix ("<conversation>/" for chat), so a scan of
 *  one conversation costs that conversation, not every key the node holds. Keys are never deleted. */
export class Data extends Map<string, unknown> {
  private dirs = new Map<string, string[]>();
  static copy(from: Iterable<[string, unknown]>): Data {
    const d = new Data();
    for (const [k, v] of from) d.set(k, v);
    return d;
  }
  override set(k: string, v: unknown): this {
    if (!this.has(k)) {
      for (let i = k.indexOf("/"); i >= 0; i = k.indexOf("/", i + 1)) {
        const dir = k.slice(0, i + 1);
        let l = this.dirs.get(dir);
        if (!l) this.dirs.set(dir, (l = []));
        l.push(k);
      }
    }
    return super.set(k, v);
  }
  /** Keys starting with prefix, in insertion order. */
  keysUnder(prefix: string): string[] {
    if (prefix.endsWith("/")) return this.dirs.get(prefix) ?? [];
    return [...this.keys()].filter((k) => k.startsWith(prefix));
  }
}

export interface Applied {
  type: "ok" | "fail";
  value: unknown;
  error?: string;
  writes: [string, unknown][]; // keys this op changed, with their new values
}

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/** Ops that only read: replicas may serve them locally. */
export const isReadOnly = (f: string) => f === "read" || f === "read-all" || f === "scan";

export function apply(data: Data, f: string, value: unknown): Applied {
  switch (f) {
    case "read": {
      const [k] = value as [string, unknown];
      return { type: "ok", value: [k, data.get(k) ?? null], writes: [] };
    }
    case "read-all": {
      const keys = value as string[];
      return { type: "ok", value: Object.fromEntries(keys.map((k) => [k, data.get(k) ?? null])), writes: [] };
    }
    case "scan": {
      // [prefix] → {key: value} for every key that starts with prefix (e.g. one chat conversation).
      const [prefix] = value as [string];
      return { type: "ok", value: Object.fromEntries(data.keysUnder(prefix).map((k) => [k, data.get(k)])), writes: [] };
    }
    case "post": {
      // A chat message [conversation, id], written to key "<conversation>/<id>" as a chat server does when its
      // client replies to what it shows: the message names the messages visible here (the last 10, in the
      // order this node stored them) and replies to the latest of them.
      const [conv, id] = value as [string, string];
      const seen = data
        .keysUnder(conv + "/")
        .slice(-10)
        .map((k) => k.slice(conv.length + 1));
      const message = { conv, id, parent: seen.length ? seen[seen.length - 1] : null, seen };
      return { type: "ok", value: [conv, message], writes: [[`${conv}/${id}`, message]] };
    }
    case "write": {
      const [k, v] = value as [string, unknown];
      return { type: "ok", value, writes: [[k, v]] };
    }
    case "cas": {
      const [k, [expected, next]] = value as [string, [unknown, unknown]];
      if (!same(data.get(k) ?? null, expected)) return { type: "fail", value, error: "compare-failed", writes: [] };
      return { type: "ok", value, writes: [[k, next]] };
    }
    case "append":
    case "add": {
      const [k, x] = value as [string, unknown];
      const cur = (data.get(k) as unknown[] | undefined) ?? [];
      return { type: "ok", value, writes: [[k, [...cur, x]]] };
    }
    case "incr": {
      const [k, delta] = value as [string, number];
      return { type: "ok", value, writes: [[k, ((data.get(k) as number | undefined) ?? 0) + delta]] };
    }
    case "transfer": {
      const { from, to, amount } = value as { from: string; to: string; amount: number };
      const a = (data.get(from) as number | undefined) ?? 0;
      const b = (data.get(to) as number | undefined) ?? 0;
      if (a < amount) return { type: "fail", value, error: "insufficient-funds", writes: [] };
      return {
        type: "ok",
        value,
        writes: [
          [from, a - amount],
          [to, b + amount],
        ],
      };
    }
    case "txn": {
      // A whole transaction as one atomic step (the classic modes; the txn-* modes interleave them).
      const r = applyTxnAtomically(value, (k) => data.get(`txn/${k}`) ?? null);
      return { type: "ok", value: r.value, writes: r.writes.map(([k, v]) => [`txn/${k}`, v]) };
    }
    default:
      return { type: "fail", value, error: `unsupported op ${JSON.stringify(f)}`, writes: [] };
  }
}
