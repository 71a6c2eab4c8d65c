// Appends each op to history.jsonl as it happens, in index order. Events are gathered for one turn of the event
// loop and written with one write(2) at its end (or sooner past 64 KB); a fault is written at once. So the file
// is always a prefix of the history: a crash or kill -9 of the runner loses at most the current turn's events
// (under a millisecond), and what is on disk stays checkable and sound, since an op whose invocation was lost
// was seen by nothing on disk either (whatever could have observed it completed later, so was lost with it).
// One write(2) per event cost the harness a sixth of the store's throughput.
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import { newOp, type Op, type OpType, type Process } from "./op.ts";
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

/** `JSON.stringify(value)` for the values workloads use most (null, finite numbers, strings, short arrays of
 *  these, as a register's `[key, value]` or a cas's `[key, [from, to]]`), without the generic walk; the same
 *  bytes, and anything else (objects, toJSON, holes, undefined) goes to JSON.stringify. */
function valueJson(v: unknown, depth = 0): string | undefined {
  if (v === null) return "null";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "null";
  if (typeof v === "string") return v.length <= 32 ? quote(v) : JSON.stringify(v);
  if (depth < 2 && Array.isArray(v) && v.length <= 4 && !("toJSON" in v)) {
    let out = "[";
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) return JSON.stringify(v);
      const e = v[i];
      const j =
        e === null || typeof e === "number" || typeof e === "string" || Array.isArray(e)
          ? valueJson(e, depth + 1)
          : undefined;
      if (j === undefined) return JSON.stringify(v);
      out += i ? "," + j : j;
    }
    return out + "]";
  }
  return JSON.stringify(v);
}

/** `JSON.stringify(op) + "\n"`, byte for byte, with only the value left to JSON.stringify: the generic walk over
 *  the op's own fields was the writer's largest cost. Anything unusual takes the generic path. */
export function jsonLine(op: Op): string {
  return line(op.index, op.time, op.process, op.type, op.f, op.value, op.node, op.error);
}

function line(
  index: number,
  time: number,
  process: Process,
  type: OpType,
  f: string,
  value: unknown,
  node: string | undefined,
  error: string | undefined,
): string {
  const v = valueJson(value);
  if (
    v === undefined ||
    !Number.isFinite(time) ||
    !Number.isInteger(index) ||
    typeof type !== "string" ||
    typeof f !== "string" ||
    (node !== undefined && typeof node !== "string") ||
    (error !== undefined && typeof error !== "string")
  ) {
    const op: Op = { index, time, process, type, f, value };
    if (node !== undefined) op.node = node;
    if (error !== undefined) op.error = error;
    return JSON.stringify(op) + "\n";
  }
  const p =
    typeof process === "number" && Number.isFinite(process)
      ? String(process)
      : process === "nemesis"
        ? '"nemesis"'
        : JSON.stringify(process);
  let l = `{"index":${index},"time":${time},"process":${p},"type":${quote(type)},"f":${quote(f)},"value":${v}`;
  if (node !== undefined) l += `,"node":${quote(node)}`;
  if (error !== undefined) l += `,"error":${JSON.stringify(error)}`;
  return l + "}\n";
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

  append(input: OpInput): void {
    this.record(input.process, input.type, input.f, input.value, input.node, input.error);
  }

  /** `append` without the input object, for the runner's two events per op. Ops not kept in memory go straight
   *  to their line, with no op object. */
  record(process: Process, type: OpType, f: string, value: unknown, node?: string, error?: string): void {
    const index = this.next++,
      time = this.clock();
    value ??= null;
    if (this.keep) {
      const op = newOp(index, time, process, type, f, value);
      if (node !== undefined) op.node = node;
      if (error !== undefined) op.error = error;
      this.ops.push(op);
    }
    if (this.fd === undefined) return;
    this.pending += line(index, time, process, type, f, value, node, error);
    if (process === "nemesis" || this.pending.length > FLUSH_BYTES) this.flush();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(this.flushTurn);
    }
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
