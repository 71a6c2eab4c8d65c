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
export const isReadOnly = (f: string) => f === "read" || f === "read-all";

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
