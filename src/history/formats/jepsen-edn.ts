// Jepsen / Knossos EDN histories ⇄ faultline ops.
//
// Input: either one collection (vector or list) of op maps (Knossos' data files), or a sequence of op
// maps, one per line (Jepsen's history.edn, Porcupine's kv logs). Position is the time order; `:time`
// is kept when present (clamped so it never goes backwards), `:index` is ignored. Keywords become
// plain strings (`:read` → "read"), vectors and lists arrays, maps objects. A map with a `:key` entry
// (Porcupine's kv logs) gets the value `[key, value]`, Jepsen's independent-tuple shape.
// Semantics are not changed here: a `:fail` op stays `fail`, a read of nil stays a read of null. How to
// interpret them (Knossos: nil read = unknown read) is a checking option (see formats/index.ts).
import { HistoryError, type Op, type OpType } from "../op.ts";
import { EdnError, EdnMap, Keyword, readAll, toJson, jsonToEdn, ednString, type EdnValue } from "./edn.ts";
import { normalizeProcesses, type RawOp } from "./normalize.ts";
import { txnValueToEdn, validateImportedTxns } from "./jepsen-txn.ts";

const TYPES = new Set(["invoke", "ok", "fail", "info"]);

const nameOf = (v: EdnValue | undefined): string | undefined =>
  typeof v === "string" ? v : v instanceof Keyword ? v.name : v && typeof v === "object" && "name" in v ? String((v as { name: string }).name) : undefined;

export function parseJepsenEdn(text: string, file = "<edn>"): Op[] {
  let forms;
  try {
    forms = readAll(text);
  } catch (e) {
    if (e instanceof EdnError) throw new HistoryError(file, e.line, "edn", `${e.problem} (column ${e.column})`);
    throw e;
  }
  let maps: { value: EdnValue; line: number }[];
  if (forms.length === 1 && Array.isArray(forms[0].value)) {
    maps = (forms[0].value as EdnValue[]).map((v) => ({ value: v, line: v instanceof EdnMap ? v.line : forms[0].line }));
  } else {
    maps = forms;
  }
  const raw: RawOp[] = [];
  let time = 0;
  for (const { value, line } of maps) {
    if (!(value instanceof EdnMap)) throw new HistoryError(file, line, "op", `expected an op map {:process .. :type .. :f ..}, got ${describe(value)}`);
    const type = nameOf(value.kw("type"));
    if (!type || !TYPES.has(type)) throw new HistoryError(file, line, "type", `must be one of :invoke, :ok, :fail, :info, got ${describe(value.kw("type"))}`);
    const f = nameOf(value.kw("f"));
    if (!f) throw new HistoryError(file, line, "f", `is missing or not a keyword, got ${describe(value.kw("f"))}`);
    const p = value.kw("process");
    let process: number | "nemesis";
    if (typeof p === "number" && Number.isInteger(p) && p >= 0) process = p;
    else if (p instanceof Keyword || typeof p === "string") process = "nemesis";
    else throw new HistoryError(file, line, "process", `must be a non-negative integer or a keyword, got ${describe(p)}`);
    const t = value.kw("time");
    if (typeof t === "number" && Number.isFinite(t) && t >= 0) time = Math.max(time, t);
    let v = value.hasKw("value") ? toJson(value.kw("value")!) : null;
    if (value.hasKw("key")) v = [toJson(value.kw("key")!), v];
    const op: RawOp = { time, process, type: type as OpType, f, value: v, line };
    const node = value.kw("node");
    if (typeof node === "string") op.node = node;
    if (value.hasKw("error")) {
      const e = value.kw("error")!;
      op.error = typeof e === "string" ? e : e instanceof Keyword ? e.name : JSON.stringify(toJson(e));
    }
    raw.push(op);
  }
  validateImportedTxns(raw, file);
  return normalizeProcesses(raw, file);
}

function describe(v: EdnValue | undefined): string {
  if (v === undefined) return "nothing";
  const s = v instanceof Keyword ? v.toString() : JSON.stringify(toJson(v));
  return s.length > 40 ? s.slice(0, 40) + "…" : s;
}

/** One faultline op as a Jepsen EDN op map. */
export function opToEdn(op: Op): string {
  const parts = [
    `:index ${op.index}`,
    `:time ${op.time}`,
    `:type :${op.type}`,
    `:process ${op.process === "nemesis" ? ":nemesis" : op.process}`,
    `:f ${/^[A-Za-z*!_?<>=$%&+\-.][A-Za-z0-9*!_?<>=$%&+\-.]*$/.test(op.f) ? ":" + op.f : ednString(op.f)}`,
    `:value ${op.f === "txn" ? txnValueToEdn(op.value) : jsonToEdn(op.value)}`,
  ];
  if (op.node !== undefined) parts.push(`:node ${ednString(op.node)}`);
  if (op.error !== undefined) parts.push(`:error ${ednString(op.error)}`);
  return "{" + parts.join(", ") + "}";
}

/** A whole history as one EDN vector, one op map per line (readable by clojure.edn/read and Knossos). */
export function historyToEdn(ops: readonly Op[]): string {
  if (ops.length === 0) return "[]\n";
  return "[" + ops.map(opToEdn).join("\n ") + "]\n";
}
