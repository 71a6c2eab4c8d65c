// Jepsen histories as JSON: the same op maps as EDN with string keys, `{"type":"invoke","f":"read",
// "process":0,…}`, one per line or all in one array. Keyword values are plain strings (`"nemesis"`).
// Field meanings (missing process/time, nemesis ops) are jepsen-ops.ts', shared with the EDN reader.
import { HistoryError, type Op } from "../op.ts";
import { MAX_DEPTH } from "./edn.ts";
import { jepsenOps, type OpRecord } from "./jepsen-ops.ts";

export function parseJepsenJson(text: string, file = "<json>", notes: string[] = []): Op[] {
  const starts = scan(text, file);
  const records: OpRecord[] = [];
  const body = text.replace(/^\uFEFF/, "");
  if (body.trimStart().startsWith("[")) {
    const all = parse(body, file, 1);
    if (!Array.isArray(all)) throw new HistoryError(file, 1, "json", "expected one array of op objects");
    all.forEach((x, i) => records.push(record(x, file, starts[i] ?? 1)));
  } else {
    const lines = body.split("\n");
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].trim() === "") continue;
      records.push(record(parse(lines[i], file, i + 1), file, i + 1));
    }
  }
  return jepsenOps(records, file, notes);
}

function parse(text: string, file: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message);
    const l = at ? line + (text.slice(0, Number(at[1])).match(/\n/g)?.length ?? 0) : line;
    throw new HistoryError(file, l, "json", `not valid JSON (${(e as Error).message})`);
  }
}

function record(x: unknown, file: string, line: number): OpRecord {
  if (!x || typeof x !== "object" || Array.isArray(x))
    throw new HistoryError(
      file,
      line,
      "op",
      `expected an op object {"process":…,"type":…,"f":…}, got ${JSON.stringify(x)?.slice(0, 40)}`,
    );
  return { fields: x as Record<string, unknown>, line };
}

/** Refuses nesting deeper than MAX_DEPTH (naming the line) before JSON.parse and the code after it recurse;
 *  returns the line each element of a top-level array starts on. */
function scan(text: string, file: string): number[] {
  const starts: number[] = [];
  let depth = 0,
    line = 1,
    inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      continue;
    }
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      if (depth === 1) starts.push(line);
    } else if (c === 123 || c === 91) {
      // { [
      if (depth === 1) starts.push(line);
      if (++depth > MAX_DEPTH) throw new HistoryError(file, line, "json", `nested more than ${MAX_DEPTH} levels deep`);
    } else if (c === 125 || c === 93) depth = Math.max(0, depth - 1);
    else if (depth === 1 && c > 32 && c !== 44 && (i === 0 || /[\s,[]/.test(text[i - 1]))) starts.push(line); // a bare scalar element
  }
  return starts;
}

/** A faultline history as Jepsen JSON, one op object per line, Jepsen's field names. */
export function historyToJepsenJson(ops: readonly Op[]): string {
  return (
    ops
      .map((op) => {
        const o: Record<string, unknown> = {
          index: op.index,
          time: op.time,
          type: op.type,
          process: op.process,
          f: op.f,
          value: op.value ?? null,
        };
        if (op.node !== undefined) o.node = op.node;
        if (op.error !== undefined) o.error = op.error;
        return JSON.stringify(o);
      })
      .join("\n") + (ops.length ? "\n" : "")
  );
}
