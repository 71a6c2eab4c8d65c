// Reading a history in any format under one set of rules: what the JSONL reader refuses (non-UTF-8 text,
// numbers JSON would change, values nested too deep, malformed fields) an importer's output is refused for too,
// and input nested beyond what a parser's recursion takes is bad input, never a stack overflow.
import { readFileSync } from "node:fs";
import { HistoryError, opProblem, type Op } from "./op.ts";
import { readHistory, type ReadOptions } from "./reader.ts";
import { FORMATS } from "./formats/index.ts";
import { UsageError } from "../errors.ts";

/** Parses text in `format` and validates every op it yields as the JSONL reader validates a line. */
export function parseAs(text: string, file: string, format: string, notes: string[] = []): Op[] {
  const fmt = FORMATS[format];
  if (!fmt)
    throw new UsageError(`unknown format ${JSON.stringify(format)}; choose one of: ${Object.keys(FORMATS).join(", ")}`);
  let ops: Op[];
  try {
    ops = fmt.parse(text, file, notes);
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message))
      throw new HistoryError(file, 0, "value", "nested too deeply to read");
    throw e;
  }
  return validated(ops, file);
}

/** Reads a file in `format`: JSONL streamed (any size), others as UTF-8 text, refusing bytes that are not. */
export function readAs(file: string, format: string, options: ReadOptions = {}, notes: string[] = []): Op[] {
  if (format === "jsonl") return readHistory(file, options);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw e;
    throw new HistoryError(
      file,
      0,
      "file",
      code === "EISDIR" ? "is a directory, not a history file" : `cannot be read (${code ?? (e as Error).message})`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const line = bytes.subarray(0, firstInvalidUtf8(bytes)).filter((b) => b === 10).length + 1;
    throw new HistoryError(file, line, "line", "not valid UTF-8 (distinct byte strings would read as the same text)");
  }
  return parseAs(text, file, format, notes);
}

function validated(ops: Op[], file: string): Op[] {
  ops.forEach((op, i) => {
    const problem = opProblem(op);
    if (problem) throw new HistoryError(file, 0, problem[0], `${problem[1]} (the file's op ${i})`);
    if (op.index !== i) throw new HistoryError(file, 0, "index", `op ${i} has index ${op.index}`);
  });
  return ops;
}

/** Offset of the first byte where UTF-8 decoding fails (found by halving). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const ok = (n: number) => {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let lo = 0,
    hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
