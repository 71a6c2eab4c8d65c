// Builds small hand-written histories for tests: h.invoke(p, f, v) / h.ok(p, f, v) ...
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import type { Op, OpType } from "../src/history/op.ts";

export function historyBuilder() {
  const ops: Op[] = [];
  const add =
    (type: OpType) =>
    (process: number | "nemesis", f: string, value: unknown = null, extra: Partial<Op> = {}) => {
      const op: Op = { index: ops.length, time: ops.length * 1_000_000, process, type, f, value, ...extra };
      ops.push(op);
      return op.index;
    };
  return { ops, invoke: add("invoke"), ok: add("ok"), fail: add("fail"), info: add("info") };
}

/** Register histories in a line: each call appends an invoke and its completion for one process, 1 ms apart.
 *  w(p, k, v[, type][, node]) writes [k, v]; r(p, k, v[, node]) reads [k] and gets v; heal() ends a partition. */
export function registerHistory() {
  const ops: Op[] = [];
  let t = 0;
  const add = (process: number, type: Op["type"], f: string, value: unknown, node?: string) => {
    t += 1_000_000;
    ops.push({ index: ops.length, time: t, process, type, f, value, ...(node ? { node } : {}) });
  };
  return {
    ops,
    w(p: number, k: string, v: number, type: "ok" | "fail" | "info" = "ok", node?: string) {
      add(p, "invoke", "write", [k, v], node);
      add(p, type, "write", [k, v], node);
      return this;
    },
    r(p: number, k: string, v: number | null, node?: string) {
      add(p, "invoke", "read", [k, null], node);
      add(p, "ok", "read", [k, v], node);
      return this;
    },
    heal() {
      t += 1_000_000;
      ops.push({ index: ops.length, time: t, process: "nemesis", type: "info", f: "heal-partition", value: null });
      return this;
    },
  };
}

/** A CLI sim run (primary-async, no rate limit) that goes on until signalled, started once its history has
 *  grown past `bytes`: the run, and its history's path. */
export async function endlessRun(bin: string, dir: string, bytes: number) {
  const child = execa(
    "node",
    [
      bin,
      "run",
      "--mode",
      "primary-async",
      "--rate",
      "0",
      "--ops",
      "100000000",
      "--time-limit",
      "100000",
      "--results",
      dir,
    ],
    { reject: false },
  );
  const file = join(dir, "sim-primary-async-register", "latest", "history.jsonl");
  for (let i = 0; i < 400 && !(existsSync(file) && readFileSync(file).length > bytes); i++)
    await new Promise((r) => setTimeout(r, 50));
  return { child, file };
}
