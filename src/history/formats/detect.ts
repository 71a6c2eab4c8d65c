// Which format a history file is in, from its first lines, for `check` and `import` without --format.
//   INFO jepsen.util - …                        → porcupine-etcd
//   a map whose first key is a keyword `{:`, `(` → jepsen-edn (porcupine-kv when it has `:key`)
//   a JSON object per line starting {"index":   → jsonl (faultline's own writer puts index first)
//   other JSON objects, or one JSON array        → jepsen-json
import { closeSync, openSync, readSync } from "node:fs";
import { opProblem } from "../op.ts";

export interface Detected {
  format: string;
  why: string;
}

/** The first 64 KB of a file (enough for its first ops). */
export function head(file: string, bytes = 64 << 10): string {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.toString("utf8", 0, n);
  } finally {
    closeSync(fd);
  }
}

export function detectFormat(text: string): Detected | undefined {
  const lines = text
    .replace(/^\uFEFF/, "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith(";") && !l.startsWith("#!"));
  const first = lines[0];
  if (first === undefined) return undefined;
  if (/^INFO\s+jepsen\.util\s+-/.test(first))
    return { format: "porcupine-etcd", why: "Jepsen log lines (INFO jepsen.util - …)" };
  if (first.startsWith("(")) return { format: "jepsen-edn", why: "an EDN list of op maps" };
  const brace = text.indexOf("{");
  if (brace === -1 || !/^[[{]/.test(first)) return undefined;
  const key = /^\s*(\S)/.exec(text.slice(brace + 1))?.[1];
  if (key === ":") {
    const firstMap = text.slice(brace, text.indexOf("}", brace) + 1);
    return /:key[\s,]/.test(firstMap)
      ? { format: "porcupine-kv", why: "EDN op maps with :key (Porcupine kv logs)" }
      : { format: "jepsen-edn", why: "EDN op maps (keyword keys)" };
  }
  if (key !== '"') return undefined;
  if (first.startsWith('{"index":')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(first);
    } catch {
      parsed = undefined;
    }
    // faultline's own fields, even with a value the JSONL reader will refuse (it then says which line and why).
    const fields = ["index", "time", "process", "type", "f", "value"];
    const ours =
      parsed !== undefined &&
      (opProblem(parsed) === undefined ||
        (typeof parsed === "object" && parsed !== null && fields.every((k) => k in (parsed as object))));
    if (ours || (parsed === undefined && /^\{"index":\d+,"time":/.test(first)))
      return { format: "jsonl", why: "faultline history lines (index, time, process, type, f, value)" };
  }
  return {
    format: "jepsen-json",
    why: first.startsWith("[") ? "one JSON array of op objects" : "JSON op objects, one per line",
  };
}
