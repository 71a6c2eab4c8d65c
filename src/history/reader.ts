// Reads a JSONL history, validating every line; bad input is reported as file:line: field: problem.
// Files are read in chunks, line by line, so a history larger than the biggest string V8 can hold (512 MB)
// still reads, and memory holds the parsed ops, not also the text and an array of its lines.
import { closeSync, openSync, readSync } from "node:fs";
import { HistoryError, opProblem, type Op } from "./op.ts";

/** Validates lines one at a time into ops (dense indexes, time never going backwards). */
class LineParser {
  readonly ops: Op[] = [];
  private lineNo = 0;
  constructor(private readonly file: string) {}

  /** One line without its newline; `unterminated`: the file's last line, with no newline after it. */
  line(text: string, unterminated: boolean): void {
    this.lineNo++;
    if (text.trim() === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new HistoryError(this.file, this.lineNo, "line", unterminated ? "truncated: the last line is not complete JSON" : `not valid JSON (${(e as Error).message})`);
    }
    const problem = opProblem(parsed);
    if (problem) throw new HistoryError(this.file, this.lineNo, problem[0], problem[1]);
    const op = parsed as Op;
    const ops = this.ops;
    if (op.index !== ops.length) throw new HistoryError(this.file, this.lineNo, "index", `expected ${ops.length} (indexes are dense and in order), got ${op.index}`);
    if (ops.length > 0 && op.time < ops[ops.length - 1].time)
      throw new HistoryError(this.file, this.lineNo, "time", `goes backwards (${op.time} < ${ops[ops.length - 1].time})`);
    ops.push(op);
  }

  /** Every newline-terminated line of text; returns where the unterminated rest begins. */
  lines(text: string): number {
    let start = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
      this.line(text.slice(start, nl), false);
      start = nl + 1;
    }
    return start;
  }
}

export function parseHistory(text: string, file = "<history>"): Op[] {
  const p = new LineParser(file);
  const rest = p.lines(text);
  if (rest < text.length) p.line(text.slice(rest), true);
  return p.ops;
}

export function readHistory(file: string, options: { chunkBytes?: number } = {}): Op[] {
  const size = options.chunkBytes ?? 16 << 20;
  const p = new LineParser(file);
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(size);
    let carry: Buffer | undefined;   // the start of a line that continues in the next chunk
    for (let n = readSync(fd, buf, 0, size, null); n > 0; n = readSync(fd, buf, 0, size, null)) {
      const chunk = carry ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      carry = undefined;
      // Decode up to the chunk's last newline at once (a newline byte never splits a UTF-8 character).
      const end = chunk.lastIndexOf(10) + 1;
      p.lines(chunk.toString("utf8", 0, end));
      if (end < chunk.length) carry = Buffer.from(chunk.subarray(end));   // a copy: buf is reused
    }
    if (carry) p.line(carry.toString("utf8"), true);
    return p.ops;
  } finally {
    closeSync(fd);
  }
}
