// Appends each op to history.jsonl the moment it happens. One write(2) per line, so a crash or
// kill -9 of the runner loses nothing that was already recorded (the kernel keeps the page cache).
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import type { Op, OpType, Process } from "./op.ts";

export interface OpInput {
  process: Process;
  type: OpType;
  f: string;
  value: unknown;
  node?: string;
  error?: string;
}

export class HistoryWriter {
  private fd: number | undefined;
  private next = 0;
  readonly ops: Op[] = [];

  /** path undefined: keep in memory only (tests, in-process checks). */
  constructor(readonly path: string | undefined, private readonly clock: () => number) {
    if (path) this.fd = openSync(path, "a");
  }

  append(input: OpInput): Op {
    const op: Op = { index: this.next++, time: this.clock(), process: input.process, type: input.type, f: input.f, value: input.value ?? null };
    if (input.node !== undefined) op.node = input.node;
    if (input.error !== undefined) op.error = input.error;
    this.ops.push(op);
    if (this.fd !== undefined) writeSync(this.fd, JSON.stringify(op) + "\n");
    return op;
  }

  close(): void {
    if (this.fd === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }
}
