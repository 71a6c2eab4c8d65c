import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readHistory } from "../../src/history/reader.ts";
import type { Op } from "../../src/history/op.ts";
import { HistoryWriter, jsonLine } from "../../src/history/writer.ts";

describe("history writer", () => {
  it("writes each event's line exactly as JSON.stringify would", () => {
    const values: unknown[] = [
      null,
      0,
      -0,
      1.5,
      -3e-7,
      1e21,
      2 ** 53 - 1,
      "",
      'é\u2028"\\\n\t\u0001😀',
      true,
      [],
      {},
      ["k", null],
      ["k", [1, 2]],
      { a: [1, { b: "c" }], d: null },
      [undefined, () => 1],
      { u: undefined, n: 2 },
      new Date(0),
      { toJSON: () => "j" },
      NaN,
      Infinity,
      // The short-array path and where it gives way to JSON.stringify.
      [1, "é\n", [null, -0, NaN, [Infinity, "x"]]],
      Object.assign([1, 2], { toJSON: () => "arr" }),
      [1, [2, { toJSON: () => 3 }]],
      // eslint-disable-next-line no-sparse-arrays
      [, 1],
      [1, 2, 3, 4, 5],
      ["x".repeat(40), 1],
      ["k", undefined],
      ["k", true],
    ];
    const ops: Op[] = [];
    let i = 0;
    for (const value of values)
      for (const process of [0, 7, 12345, "nemesis"] as const)
        for (const [node, error] of [
          [undefined, undefined],
          ["n1", undefined],
          ["n2,n3", "timeout"],
          [undefined, 'say "why"\n'],
        ] as const) {
          const op: Op = {
            index: i++,
            time: i * 1_000_003,
            process,
            type: (["invoke", "ok", "fail", "info"] as const)[i % 4],
            f: ["read", "cas", "ünïcode f", 'q"uote'][i % 4],
            value,
          };
          if (node !== undefined) op.node = node;
          if (error !== undefined) op.error = error;
          ops.push(op);
        }
    // Odd ops take the generic path and still match.
    ops.push(
      { index: 1, time: NaN, process: 0, type: "ok", f: "x", value: 1 },
      { index: 2, time: 3, process: 0, type: "ok", f: "x", value: undefined },
      { index: 3, time: 3, process: 0, type: "ok", f: "x", value: Symbol("s") },
      { index: 4, time: 3, process: 0, type: "ok", f: "x", value: 1, node: 5 as unknown as string },
    );
    for (const op of ops) expect(jsonLine(op)).toBe(JSON.stringify(op) + "\n");
    expect(ops.length).toBeGreaterThan(300);
  });

  it("keep: false holds no ops in memory and reads the file back, the same ops a kept history has", () => {
    const dir = mkdtempSync(join(tmpdir(), "fl-writer-keep-"));
    let t = 0;
    const kept = new HistoryWriter(join(dir, "a.jsonl"), () => t);
    const lean = new HistoryWriter(join(dir, "b.jsonl"), () => t, { keep: false });
    for (let i = 0; i < 3000; i++, t += 7)
      for (const w of [kept, lean]) {
        w.record(i % 5, "invoke", "write", ["k", i, { s: "é\n" }], "n1");
        w.record(i % 5, i % 3 ? "ok" : "info", "write", ["k", i, { s: "é\n" }], "n1", i % 3 ? undefined : "timeout");
      }
    for (const w of [kept, lean])
      w.append({ process: "nemesis", type: "info", f: "partition", value: { nodes: ["n1"] } });
    expect(lean.ops).toEqual([]);
    expect(lean.history()).toEqual(kept.history()); // before close: what is pending is written first
    kept.close();
    lean.close();
    const back = lean.history();
    expect(back).toHaveLength(6001);
    expect(back).toEqual(kept.ops);
    expect(back[7]).toEqual({
      index: 7,
      time: 21,
      process: 3,
      type: "info",
      f: "write",
      value: ["k", 3, { s: "é\n" }],
      node: "n1",
      error: "timeout",
    });
  });

  it("a run killed with SIGKILL leaves whole turns on disk, in order: a prefix every reader accepts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fl-writer-kill-"));
    const file = join(dir, "history.jsonl");
    // Each turn appends one invoke and one completion for each of 10 processes, then reports the turn on stdout
    // in the next turn (so a reported turn was flushed). Turns go on until the child is killed.
    const script = `
      import { HistoryWriter } from ${JSON.stringify(join(process.cwd(), "src/history/writer.ts"))};
      const w = new HistoryWriter(${JSON.stringify(file)}, () => 0);
      let turn = 0;
      const step = () => {
        process.stdout.write(turn + "\\n");
        for (let p = 0; p < 10; p++) w.append({ process: p, type: "invoke", f: "write", value: [turn, p], node: "n1" });
        for (let p = 9; p >= 0; p--) w.append({ process: p, type: "ok", f: "write", value: [turn, p], node: "n1" });
        turn++;
        setImmediate(step);
      };
      step();`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let reported = -1;
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (d: Buffer) => {
        reported = Number(d.toString().trim().split("\n").at(-1));
        if (reported >= 300 && !child.killed) {
          child.kill("SIGKILL");
          resolve();
        }
      });
    });
    await new Promise((r) => child.on("exit", r));
    const text = readFileSync(file, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    const ops = readHistory(file); // dense indexes, every line complete and valid
    expect(ops.length % 20).toBe(0); // whole turns only
    expect(ops.length / 20).toBeGreaterThanOrEqual(reported); // every reported turn is there
    ops.forEach((o, i) => {
      const turn = Math.floor(i / 20),
        k = i % 20;
      expect(o.value).toEqual([turn, k < 10 ? k : 19 - k]);
      expect(o.type).toBe(k < 10 ? "invoke" : "ok");
    });
  }, 30_000);
});
