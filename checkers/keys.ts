// A key's identity when a checker groups ops by key. A string key is itself, unless it reads as JSON; any other key
// (and such a string) is its JSON. So 1 and "1", or [1] and "[1]", stay two keys — a history that uses both is
// never judged as if they were one — while the usual keys ("k0", "x") print as they are.
const jsonLike = new Map<string, boolean>();

function readsAsJson(s: string): boolean {
  let r = jsonLike.get(s);
  if (r === undefined) {
    try {
      JSON.parse(s);
      r = true;
    } catch {
      r = false;
    }
    if (jsonLike.size < 100_000) jsonLike.set(s, r);
  }
  return r;
}

export function keyId(k: unknown): string {
  if (typeof k === "string" && !readsAsJson(k)) return k;
  return JSON.stringify(k) ?? String(k);
}
