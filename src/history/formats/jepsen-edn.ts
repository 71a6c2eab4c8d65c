// Jepsen / Knossos EDN histories ⇄ faultline ops.
//
// Input: either one collection (vector or list) of op maps (Knossos' data files), or a sequence of op
// maps, one per line (Jepsen's history.edn, Porcupine's kv logs). Position is the time order; the fields'
// meaning (missing :process/:time, nemesis ops) is jepsen-ops.ts', shared with Jepsen JSON. Keywords become
// plain strings (`:read` → "read"), vectors and lists arrays, maps objects. A map with a `:key` entry
// (Porcupine's kv logs) gets the value `[key, value]`, Jepsen's independent-tuple shape.
// Semantics are not changed here: a `:fail` op stays `fail`, a read of nil stays a read of null. How to
// interpret them (Knossos: nil read = unknown read) is a checking option (see formats/index.ts).
import { HistoryError, type Op } from "../op.ts";
import { EdnError, EdnMap, Keyword, readAll, toJson, jsonToEdn, ednString, type EdnValue } from "./edn.ts";
import { jepsenOps, type OpRecord } from "./jepsen-ops.ts";
import { txnValueToEdn } from "./jepsen-txn.ts";

export function parseJepsenEdn(text: string, file = "<edn>", notes: string[] = []): Op[] {
  let forms;
  try {
    forms = readAll(text);
  } catch (e) {
    if (e instanceof EdnError) throw new HistoryError(file, e.line, "edn", `${e.problem} (column ${e.column})`);
    throw e;
  }
  let maps: { value: EdnValue; line: number }[];
  if (forms.length === 1 && Array.isArray(forms[0].value)) {
    maps = (forms[0].value as EdnValue[]).map((v) => ({
      value: v,
      line: v instanceof EdnMap ? v.line : forms[0].line,
    }));
  } else {
    maps = forms;
  }
  const records: OpRecord[] = maps.map(({ value, line }) => {
    if (!(value instanceof EdnMap))
      throw new HistoryError(
        file,
        line,
        "op",
        `expected an op map {:process .. :type .. :f ..}, got ${describe(value)}`,
      );
    return { fields: toJson(value) as Record<string, unknown>, line };
  });
  return jepsenOps(records, file, notes);
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
