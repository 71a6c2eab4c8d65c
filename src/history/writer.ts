// Appends each op to history.jsonl as it happens, in index order. Events are gathered for one turn of the event
// loop and written with one write(2) at its end (or sooner past 64 KB); a fault is written at once. So the file
// is always a prefix of the history: a crash or kill -9 of the runner loses at most the current turn's events
// (under a millisecond), and what is on disk stays checkable and sound, since an op whose invocation was lost
// was seen by nothing on disk either (whatever could have observed it completed later, so was lost with it).
// One write(2) per event cost the harness a sixth of the store's throughput.
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import type { Op, OpType, Process } from "./op.ts";
import { readHistory } from "./reader.ts";

export interface OpInput {
  process: Process;
  type: OpType;
  f: string;
  value: unknown;
  node?: string;
  error?: string;
}

const FLUSH_BYTES = 64 << 10;

/** The JSON of a few strings that recur in every event (f's, node names), kept rather than escaped again. */
const quoted = new Map<string, string>();
const quote = (s: string): string => {
  let q = quoted.get(s);
  if (q === undefined) {
    q = JSON.stringify(s);
    if (quoted.size < 1024) quoted.set(s, q);
  }
  return q;
};

/** `JSON.stringify(op) + "\n"`, byte for byte, with only the value left to JSON.stringify: the generic walk over
 *  the op's own fields was the writer's largest cost. Anything unusual takes the generic path. */
export function jsonLine(op: Op): string {
  const value = JSON.stringify(op.value);
  if (
    value === undefined ||
    !Number.isFinite(op.time) ||
    !Number.isInteger(op.index) ||
    typeof op.type !== "string" ||
    typeof op.f !== "string" ||
    (op.node !== undefined && typeof op.node !== "string") ||
    (op.error !== undefined && typeof op.error !== "string")
  )
    return JSON.stringify(op) + "\n";
  const p = op.process;
  const process =
    typeof p === "number" && Number.isFinite(p) ? String(p) : p === "nemesis" ? '"nemesis"' : JSON.stringify(p);
  let line = `{"index":${op.index},"time":${op.time},"process":${process},"type":${quote(op.type)},"f":${quote(op.f)},"value":${value}`;
  if (op.node !== undefined) line += `,"node":${quote(op.node)}`;
  if (op.error !== undefined) line += `,"error":${JSON.stringify(op.error)}`;
  return line + "}\n";
}

/** Writers with events still pending, flushed if the process exits (e.g. a second Ctrl-C's process.exit). */
const open = new Set<HistoryWriter>();
let exitHook = false;

export class HistoryWriter {
  private fd: number | undefined;
  private next = 0;
  private pending = "";
  private flushQueued = false;
  /** The ops appended so far, when kept in memory (see `keep`); empty otherwise. */
  readonly ops: Op[] = [];
  private readonly keep: boolean;

  /** path undefined: keep in memory only (tests, in-process checks). `keep: false` (with a path): keep nothing
   *  in memory while the run goes on, and read the file back in `history()`; a run's ops kept in memory are
   *  garbage the collector copies and marks again and again, a tenth of a fast store's throughput. */
  constructor(
    readonly path: string | undefined,
    private readonly clock: () => number,
    options: { keep?: boolean } = {},
  ) {
    this.keep = options.keep ?? true;
    if (!path) this.keep = true;
    if (path) {
      this.fd = openSync(path, "a");
      open.add(this);
      if (!exitHook) {
        exitHook = true;
        process.on("exit", () => {
          for (const w of open) w.flush();
        });
      }
    }
  }

  append(input: OpInput): Op {
    return this.record(input.process, input.type, input.f, input.value, input.node, input.error);
  }

  /** `append` without the input object, for the runner's two events per op. */
  record(process: Process, type: OpType, f: string, value: unknown, node?: string, error?: string): Op {
    const op: Op = { index: this.next++, time: this.clock(), process, type, f, value: value ?? null };
    if (node !== undefined) op.node = node;
    if (error !== undefined) op.error = error;
    if (this.keep) this.ops.push(op);
    if (this.fd !== undefined) {
      this.pending += jsonLine(op);
      if (process === "nemesis" || this.pending.length > FLUSH_BYTES) this.flush();
      else if (!this.flushQueued) {
        this.flushQueued = true;
        setImmediate(this.flushTurn);
      }
    }
    return op;
  }

  private readonly flushTurn = (): void => {
    this.flushQueued = false;
    this.flush();
  };

  /** Every op appended: those kept in memory, or the file read back (after what is pending is written). */
  history(): Op[] {
    if (this.keep) return this.ops;
    this.flush();
    return readHistory(this.path!, { unchecked: true });
  }

  /** Writes what is pending. */
  flush(): void {
    if (this.fd === undefined || this.pending === "") return;
    writeSync(this.fd, this.pending);
    this.pending = "";
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    open.delete(this);
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }
}
