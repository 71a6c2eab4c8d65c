// Reads a JSONL history, validating every line; bad input is reported as file:line: field: problem.
// Files are read in chunks, line by line, so a history larger than the biggest string V8 can hold (512 MB)
// still reads, and memory holds the parsed ops, not also the text and an array of its lines.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { HistoryError, opProblem, setSourceLines, type Op } from "./op.ts";

/** Validates lines one at a time into ops (dense indexes, time never going backwards). */
class LineParser {
  readonly ops: Op[] = [];
  lineNo = 0;
  /** Where line − index changes (after a blank line): the op index and its line, for sourceLine(). */
  readonly jumps: { index: number[]; line: number[] } = { index: [], line: [] };
  private delta = 1;
  constructor(
    private readonly file: string,
    private readonly options: ReadOptions = {},
  ) {}

  /** One line without its newline; `unterminated`: the file's last line, with no newline after it. */
  line(text: string, unterminated: boolean): void {
    this.lineNo++;
    if (text.trim() === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      if (unterminated && this.options.dropTruncatedEnd) {
        this.options.onNote?.(
          `${this.file}:${this.lineNo}: the last line is incomplete (a run killed mid-write?); it is left out`,
        );
        return;
      }
      throw new HistoryError(
        this.file,
        this.lineNo,
        "line",
        unterminated ? "truncated: the last line is not complete JSON" : `not valid JSON (${(e as Error).message})`,
      );
    }
    if (this.lineNo - this.ops.length !== this.delta) {
      this.delta = this.lineNo - this.ops.length;
      this.jumps.index.push(this.ops.length);
      this.jumps.line.push(this.lineNo);
    }
    if (this.options.unchecked) {
      this.ops.push(parsed as Op);
      return;
    }
    const problem = opProblem(parsed);
    if (problem) throw new HistoryError(this.file, this.lineNo, problem[0], problem[1]);
    const op = parsed as Op;
    const ops = this.ops;
    if (op.index !== ops.length)
      throw new HistoryError(
        this.file,
        this.lineNo,
        "index",
        `expected ${ops.length} (indexes are dense and in order), got ${op.index}`,
      );
    if (ops.length > 0 && op.time < ops[ops.length - 1].time)
      throw new HistoryError(
        this.file,
        this.lineNo,
        "time",
        `goes backwards (${op.time} < ${ops[ops.length - 1].time})`,
      );
    ops.push(op);
  }

  /** The ops, with their file lines recorded when blank lines moved them off index + 1. */
  result(): Op[] {
    const { index, line } = this.jumps;
    if (index.length)
      setSourceLines(this.ops, (i) => {
        let lo = 0,
          hi = index.length - 1,
          at = -1; // the last jump at or before i
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          if (index[mid] <= i) {
            at = mid;
            lo = mid + 1;
          } else hi = mid - 1;
        }
        return at < 0 ? i + 1 : line[at] + (i - index[at]);
      });
    return this.ops;
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

export interface ReadOptions {
  chunkBytes?: number;
  /** Leave out an incomplete last line (what a killed writer leaves) instead of refusing the file; says so through onNote. */
  dropTruncatedEnd?: boolean;
  onNote?: (note: string) => void;
  /** A file this process just wrote (a run's own history, read back for its check): parsed, not checked, so the
   *  run judges what it recorded even where a stricter reader would refuse a value. */
  unchecked?: boolean;
}

/** Decodes bytes that must be UTF-8: invalid bytes would become U+FFFD, making distinct values equal. */
const utf8 = new TextDecoder("utf-8", { fatal: true });
function decodeLines(bytes: Uint8Array, file: string, firstLine: number): string {
  try {
    return utf8.decode(bytes);
  } catch {
    let start = 0;
    for (let line = firstLine; ; line++) {
      const nl = bytes.indexOf(10, start);
      const end = nl < 0 ? bytes.length : nl;
      try {
        utf8.decode(bytes.subarray(start, end));
      } catch {
        throw new HistoryError(
          file,
          line,
          "line",
          "not valid UTF-8 (distinct byte strings would read as the same text)",
        );
      }
      if (nl < 0) throw new HistoryError(file, firstLine, "line", "not valid UTF-8");
      start = nl + 1;
    }
  }
}

export function parseHistory(text: string, file = "<history>", options: ReadOptions = {}): Op[] {
  const p = new LineParser(file, options);
  const rest = p.lines(text);
  if (rest < text.length) p.line(text.slice(rest), true);
  return p.result();
}

/** Reads a history file in chunks. A directory, or a file that cannot be read, is bad input naming the path. */
export function readHistory(file: string, options: ReadOptions = {}): Op[] {
  const size = options.chunkBytes ?? 16 << 20;
  const p = new LineParser(file, options);
  let fd: number;
  try {
    fd = openSync(file, "r");
    if (fstatSync(fd).isDirectory()) {
      closeSync(fd);
      throw Object.assign(new Error(), { code: "EISDIR" });
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw e; // reported as "no such file or directory: <path>"
    throw new HistoryError(
      file,
      0,
      "file",
      code === "EISDIR"
        ? "is a directory, not a history file"
        : code === "EACCES" || code === "EPERM"
          ? "cannot be read (permission denied)"
          : `cannot be read (${code ?? (e as Error).message})`,
    );
  }
  try {
    const buf = Buffer.allocUnsafe(size);
    let carry: Buffer | undefined; // the start of a line that continues in the next chunk
    for (let n = readSync(fd, buf, 0, size, null); n > 0; n = readSync(fd, buf, 0, size, null)) {
      const chunk = carry ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      carry = undefined;
      // Decode up to the chunk's last newline at once (a newline byte never splits a UTF-8 character).
      const end = chunk.lastIndexOf(10) + 1;
      p.lines(decodeLines(chunk.subarray(0, end), file, p.lineNo + 1));
      if (end < chunk.length) carry = Buffer.from(chunk.subarray(end)); // a copy: buf is reused
    }
    if (carry) {
      let text: string | undefined;
      try {
        text = decodeLines(carry, file, p.lineNo + 1);
      } catch (e) {
        if (!options.dropTruncatedEnd) throw e;
      }
      // Undecodable bytes at the very end are a cut inside a character when the writer was killed.
      if (text === undefined) {
        p.lineNo++;
        options.onNote?.(`${file}:${p.lineNo}: the last line is incomplete (a run killed mid-write?); it is left out`);
      } else p.line(text, true);
    }
    return p.result();
  } finally {
    closeSync(fd);
  }
}
