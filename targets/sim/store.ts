// The replicated data: a map from keys to JSON values, and the one function that applies a client op to it.
// Values are never mutated in place (appends build new arrays), so states can be shared between replicas.

export type Data = Map<string, unknown>;

export interface Applied {
  type: "ok" | "fail";
  value: unknown;
  error?: string;
  writes: [string, unknown][];   // keys this op changed, with their new values
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
      return { type: "ok", value: Object.fromEntries([...data].filter(([k]) => k.startsWith(prefix))), writes: [] };
    }
    case "post": {
      // A chat message [conversation, id], written to key "<conversation>/<id>" as a chat server does when its
      // client replies to what it shows: the message names the messages visible here (the last 10, in the
      // order this node stored them) and replies to the latest of them.
      const [conv, id] = value as [string, string];
      const seen = [...data.keys()].filter((k) => k.startsWith(conv + "/")).map((k) => k.slice(conv.length + 1)).slice(-10);
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
      return { type: "ok", value, writes: [[from, a - amount], [to, b + amount]] };
    }
    default:
      return { type: "fail", value, error: `unsupported op ${JSON.stringify(f)}`, writes: [] };
  }
}
