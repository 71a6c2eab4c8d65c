// History formats faultline reads besides its own JSONL, and the semantics each source assumes.
//
// | format          | source                                   | nil read        | usual initial value |
// |-----------------|------------------------------------------|-----------------|---------------------|
// | jepsen-edn      | Jepsen history.edn, Knossos data/*.edn   | unknown read    | nil (Knossos' corpus: 0) |
// | jepsen-json     | Jepsen histories as JSON (string keys)   | unknown read    | nil                 |
// | porcupine-etcd  | Porcupine test_data/jepsen/etcd_*.log    | absent (nil)    | nil                 |
// | porcupine-kv    | Porcupine test_data/kv/*.txt             | (strings)       | "" per key          |
//
// Failed ops: `:fail` did not happen (Jepsen/Knossos), except Porcupine's `:fail :cas`, which the
// porcupine-etcd importer records as a CAS whose compare failed (error "compare-failed"), an observation.
import { readFileSync } from "node:fs";
import type { Op } from "../op.ts";
import { HistoryError } from "../op.ts";
import { parseHistory, readHistory } from "../reader.ts";
import { UsageError } from "../../errors.ts";
import { parseJepsenEdn } from "./jepsen-edn.ts";
import { parseJepsenJson } from "./jepsen-json.ts";
import { detectFormat, head } from "./detect.ts";
import { parsePorcupineEtcd, parsePorcupineKv } from "./porcupine.ts";
import { EdnError, readEdn, toJson } from "./edn.ts";

export interface HistoryFormat {
  name: string;
  description: string;
  /** Notes on what was assumed (missing fields) are pushed onto `notes`. */
  parse(text: string, file: string, notes?: string[]): Op[];
  /** How the source reads a nil/null read: "unknown" (Knossos: legal in any state) or "absent". */
  nilRead: "unknown" | "absent";
}

export const FORMATS: Record<string, HistoryFormat> = {
  jsonl: {
    name: "jsonl",
    description: "faultline's own history.jsonl",
    parse: (text, file) => parseHistory(text, file),
    nilRead: "absent",
  },
  "jepsen-edn": {
    name: "jepsen-edn",
    description: "Jepsen/Knossos EDN: a vector or list of op maps, or one op map per line",
    parse: parseJepsenEdn,
    nilRead: "unknown",
  },
  "jepsen-json": {
    name: "jepsen-json",
    description: "Jepsen op maps as JSON (string keys), one per line or in one array",
    parse: parseJepsenJson,
    nilRead: "unknown",
  },
  "porcupine-etcd": {
    name: "porcupine-etcd",
    description: "Jepsen etcd log lines as in Porcupine's test_data/jepsen",
    parse: parsePorcupineEtcd,
    nilRead: "absent",
  },
  "porcupine-kv": {
    name: "porcupine-kv",
    description: "Porcupine kv logs: one EDN map per line with :key",
    parse: parsePorcupineKv,
    nilRead: "absent",
  },
};

export const IMPORT_FORMATS = ["jepsen-edn", "jepsen-json", "porcupine-etcd", "porcupine-kv"];

export function readHistoryAs(file: string, format: string, notes: string[] = []): Op[] {
  const fmt = FORMATS[format];
  if (!fmt)
    throw new Error(`unknown format ${JSON.stringify(format)}; choose one of: ${Object.keys(FORMATS).join(", ")}`);
  if (format === "jsonl") return readHistory(file); // streamed: any size
  return fmt.parse(readFileSync(file, "utf8"), file, notes);
}

/** The file's format, from its first lines; a file that matches none is a usage problem (exit 3). */
export function detectFileFormat(file: string): { format: string; why: string } {
  const text = head(file);
  if (text.trim() === "") return { format: "jsonl", why: "an empty file" };
  const d = detectFormat(text);
  if (!d)
    throw new HistoryError(
      file,
      1,
      "format",
      `cannot tell the history format from the first lines; give --format (${Object.keys(FORMATS).join(", ")})`,
    );
  return d;
}

/** The model a history's ops imply, by their f's: what Knossos/Porcupine would have been asked to use. */
export function inferModel(history: readonly Op[]): { name: string; keyed: boolean } {
  const fs = new Set<string>();
  const client = history.filter((o) => o.process !== "nemesis");
  for (const o of client) fs.add(o.f);
  const has = (...xs: string[]) => xs.some((x) => fs.has(x));
  let name = "cas-register";
  if (has("txn")) name = "multi-register";
  else if (has("acquire", "release")) name = "mutex";
  else if (has("get", "put", "append")) name = "kv";
  else if (has("enqueue", "dequeue")) name = "fifo-queue";
  else if (has("add")) name = "set";
  return { name, keyed: name !== "kv" && name !== "multi-register" && looksKeyed(client, name) };
}

/** Jepsen independent histories: every value is a [key, value] tuple (a cas value [key, [old, new]]). */
function looksKeyed(ops: readonly Op[], model: string): boolean {
  let seen = 0;
  for (const o of ops) {
    if (o.type !== "invoke") continue;
    const v = o.value;
    if (!Array.isArray(v) || v.length !== 2) return false;
    if (o.f === "cas" && !(Array.isArray(v[1]) && v[1].length === 2)) return false;
    if (model === "mutex" && v[0] === null) return false;
    seen++;
  }
  return seen > 0;
}

/** Parses an --initial value: JSON, else EDN (`{:x 0 :y 0}`), else the bare word as a string. */
export function parseInitial(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    /* not JSON */
  }
  try {
    return toJson(readEdn(text));
  } catch (e) {
    if (!(e instanceof EdnError)) throw e;
  }
  // Neither JSON nor EDN: refused rather than taken as a string the user did not mean (`{:x 0` is a typo).
  throw new UsageError(`--initial ${JSON.stringify(text)} is neither JSON nor EDN (quote a string: '"text"')`);
}

export { HistoryError };
