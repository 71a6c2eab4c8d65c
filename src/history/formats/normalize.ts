// Turns imported op events into a faultline history that pairs cleanly: dense indexes, and Jepsen's
// process discipline. Other tools' logs sometimes reuse a process number after an indeterminate (info)
// completion, or invoke again with an op still open (the earlier one never completed, i.e. it crashed).
// Jepsen would have given the client a fresh process; we do the same, so the checker's semantics hold.
import { HistoryError, newOp, type Op, type OpType } from "../op.ts";

export interface RawOp {
  time: number;
  process: number | "nemesis";
  type: OpType;
  f: string;
  value: unknown;
  node?: string;
  error?: string;
  line: number; // source line, for errors
}

export function normalizeProcesses(raw: RawOp[], file: string): Op[] {
  let fresh = 0;
  for (const r of raw) if (typeof r.process === "number" && r.process >= fresh) fresh = r.process + 1;
  const alias = new Map<number, number>(); // recorded process → process used in the output
  const open = new Map<number, number>(); // output process → index of its open invoke
  const retired = new Set<number>();
  const out: Op[] = [];
  for (const r of raw) {
    const op = newOp(out.length, r.time, r.process, r.type, r.f, r.value);
    if (r.node !== undefined) op.node = r.node;
    if (r.error !== undefined) op.error = r.error;
    if (typeof r.process === "number") {
      let p = alias.get(r.process) ?? r.process;
      if (r.type === "invoke") {
        if (open.has(p) || retired.has(p)) {
          if (open.has(p)) {
            open.delete(p);
          }
          p = fresh++;
          alias.set(r.process, p);
        }
        open.set(p, op.index);
      } else {
        const at = open.get(p);
        if (at === undefined)
          throw new HistoryError(file, r.line, "type", `:${r.type} for process ${r.process} with no open :invoke`);
        if (out[at].f !== r.f)
          throw new HistoryError(
            file,
            r.line,
            "f",
            `completion :${r.f} does not match its invocation's :${out[at].f} (line of invoke: op ${at})`,
          );
        open.delete(p);
        if (r.type === "info") retired.add(p);
      }
      op.process = p;
    }
    out.push(op);
  }
  return out;
}
