// Reads a JSONL history, validating every line; bad input is reported as file:line: field: problem.
import { readFileSync } from "node:fs";
import { HistoryError, opProblem, type Op } from "./op.ts";

export function parseHistory(text: string, file = "<history>"): Op[] {
  const ops: Op[] = [];
  const lines = text.split("\n");
  const lastIndex = text.endsWith("\n") ? lines.length - 1 : lines.length;
  for (let i = 0; i < lastIndex; i++) {
    const line = lines[i];
    if (line.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      const truncated = i === lastIndex - 1 && !text.endsWith("\n");
      throw new HistoryError(file, i + 1, "line", truncated ? "truncated: the last line is not complete JSON" : `not valid JSON (${(e as Error).message})`);
    }
    const problem = opProblem(parsed);
    if (problem) throw new HistoryError(file, i + 1, problem[0], problem[1]);
    const op = parsed as Op;
    if (op.index !== ops.length) throw new HistoryError(file, i + 1, "index", `expected ${ops.length} (indexes are dense and in order), got ${op.index}`);
    if (ops.length > 0 && op.time < ops[ops.length - 1].time)
      throw new HistoryError(file, i + 1, "time", `goes backwards (${op.time} < ${ops[ops.length - 1].time})`);
    ops.push(op);
  }
  return ops;
}

export function readHistory(file: string): Op[] {
  return parseHistory(readFileSync(file, "utf8"), file);
}
