// Porcupine's test logs → faultline ops.
//
// porcupine-etcd: Jepsen's log4j lines from etcd register tests (Porcupine's test_data/jepsen), one event
// per line, line order = time order, no timestamps:
//     INFO  jepsen.util - <process> :<invoke|ok|fail|info> :<read|write|cas> <nil | int | [a b] | :timed-out>
// Mapped with Porcupine's semantics, expressed in faultline's conventions:
//   `:fail :cas [a b]`      → fail, error "compare-failed": the CAS ran and its compare failed (an observation)
//   `:fail :read :timed-out` → fail, error "timed-out": a read with unknown output, which constrains nothing
//   `:info … :timed-out`     → info, value = the invocation's (crashed: may take effect later, or never)
//   other `:fail`            → fail (did not happen)
// A read of nil is a read of an absent key (initial state nil).
//
// porcupine-kv: one EDN map per line ({:process .. :type .. :f :get|:put|:append :key "k" :value v});
// read with the EDN importer, each value becomes [key, value].
import { HistoryError, type Op, type OpType } from "../op.ts";
import { parseJepsenEdn } from "./jepsen-edn.ts";
import { normalizeProcesses, type RawOp } from "./normalize.ts";

const LINE = /^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:([A-Za-z][\w-]*)\s+(.*?)\s*$/;

function parseValue(s: string, file: string, line: number): unknown {
  if (s === "nil") return null;
  if (/^-?\d+$/.test(s)) return Number(s);
  if (s.startsWith(":")) return { keyword: s.slice(1) };
  const m = /^\[\s*(-?\d+|nil)\s*,?\s+(-?\d+|nil)\s*\]$/.exec(s);
  if (m) return [m[1] === "nil" ? null : Number(m[1]), m[2] === "nil" ? null : Number(m[2])];
  throw new HistoryError(
    file,
    line,
    "value",
    `expected nil, an integer, [a b] or a keyword, got ${JSON.stringify(s.slice(0, 40))}`,
  );
}

export function parsePorcupineEtcd(text: string, file = "<log>"): Op[] {
  const lines = text.split("\n");
  const raw: RawOp[] = [];
  const invoked = new Map<number, unknown>();
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i].replace(/\r$/, "");
    if (s.trim() === "") continue;
    const m = LINE.exec(s);
    if (!m)
      throw new HistoryError(
        file,
        i + 1,
        "line",
        `not a Jepsen log line "INFO jepsen.util - <process> :<type> :<f> <value>": ${JSON.stringify(s.slice(0, 60))}`,
      );
    const process = Number(m[1]);
    const type = m[2] as OpType;
    const f = m[3];
    const v = parseValue(m[4], file, i + 1);
    const kw =
      v !== null && typeof v === "object" && !Array.isArray(v) ? (v as { keyword: string }).keyword : undefined;
    const op: RawOp = { time: raw.length, process, type, f, value: kw === undefined ? v : null, line: i + 1 };
    if (type === "invoke") {
      if (kw !== undefined) throw new HistoryError(file, i + 1, "value", `an :invoke needs an argument, got :${kw}`);
      invoked.set(process, v);
    } else {
      const arg = invoked.get(process);
      if (kw !== undefined) {
        op.error = kw;
        op.value = arg ?? null;
      }
      if (type === "fail" && f === "cas" && kw === undefined) op.error = "compare-failed";
      if (type === "info") op.value = arg ?? null;
    }
    raw.push(op);
  }
  return normalizeProcesses(raw, file);
}

export function parsePorcupineKv(text: string, file = "<kv>", notes: string[] = []): Op[] {
  return parseJepsenEdn(text, file, notes);
}
