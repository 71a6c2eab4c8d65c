import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseHistory, readHistory } from "../../src/history/reader.ts";
import { HistoryError } from "../../src/history/op.ts";
import { pairOperations } from "../../src/history/pairs.ts";
import { HistoryWriter } from "../../src/history/writer.ts";

const line = (o: object) => JSON.stringify(o) + "\n";
const good =
  line({ index: 0, time: 0, process: 0, type: "invoke", f: "read", value: null }) +
  line({ index: 1, time: 5, process: 0, type: "ok", f: "read", value: 3 });

describe("history reader", () => {
  it("reads a valid history", () => {
    const ops = parseHistory(good, "h.jsonl");
    expect(ops).toHaveLength(2);
    expect(ops[1].value).toBe(3);
  });

  it("names file, line and field for a bad field", () => {
    const bad = good + line({ index: 2, time: 6, process: 0, type: "done", f: "read", value: null });
    expect(() => parseHistory(bad, "h.jsonl")).toThrow("h.jsonl:3: type: must be one of invoke, ok, fail, info");
  });

  it("reads a file in chunks as it parses text: lines across chunk boundaries, errors with their line numbers", () => {
    const dir = mkdtempSync(join(tmpdir(), "fl-reader-"));
    let text = "";
    for (let i = 0; i < 200; i++)
      text += line({
        index: i,
        time: i,
        process: i % 3,
        type: i % 2 ? "ok" : "invoke",
        f: "write",
        value: ["k", "é".repeat(i % 7)],
      });
    const f = join(dir, "h.jsonl");
    writeFileSync(f, text);
    for (const chunkBytes of [1, 7, 64, 4096]) expect(readHistory(f, { chunkBytes })).toEqual(parseHistory(text, f));
    writeFileSync(f, text + "\n" + line({ index: 201, time: 300, process: 0, type: "invoke", f: "read", value: null }));
    expect(() => readHistory(f, { chunkBytes: 13 })).toThrow(
      `${f}:202: index: expected 200 (indexes are dense and in order), got 201`,
    );
    writeFileSync(f, text + `{"index":200,"ti`);
    expect(() => readHistory(f, { chunkBytes: 13 })).toThrow(
      `${f}:201: line: truncated: the last line is not complete JSON`,
    );
  });

  it("reports a truncated last line", () => {
    const truncated = good + `{"index":2,"time":7,"proc`;
    try {
      parseHistory(truncated, "t.jsonl");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(HistoryError);
      expect((e as HistoryError).line).toBe(3);
      expect((e as Error).message).toContain("truncated");
    }
  });

  it("rejects garbled JSON, missing values and non-dense indexes", () => {
    expect(() => parseHistory("{nope\n", "g.jsonl")).toThrow(/^g\.jsonl:1: line: not valid JSON/);
    expect(() => parseHistory(line({ index: 0, time: 0, process: 0, type: "invoke", f: "read" }), "m.jsonl")).toThrow(
      "m.jsonl:1: value: is missing",
    );
    expect(() =>
      parseHistory(line({ index: 5, time: 0, process: 0, type: "invoke", f: "read", value: null }), "i.jsonl"),
    ).toThrow("i.jsonl:1: index: expected 0");
    expect(() =>
      parseHistory(line({ index: 0, time: 0, process: -1, type: "invoke", f: "r", value: null }), "p.jsonl"),
    ).toThrow("p.jsonl:1: process:");
  });

  it("pairing rejects a completion without an invocation and a crashed process that comes back", () => {
    const orphan = parseHistory(line({ index: 0, time: 0, process: 2, type: "ok", f: "read", value: 1 }));
    expect(() => pairOperations(orphan, { file: "o.jsonl" })).toThrow(
      "o.jsonl:1: type: ok for process 2 with no open invocation",
    );
    const revived = parseHistory(
      line({ index: 0, time: 0, process: 1, type: "invoke", f: "write", value: 1 }) +
        line({ index: 1, time: 1, process: 1, type: "info", f: "write", value: 1 }) +
        line({ index: 2, time: 2, process: 1, type: "invoke", f: "read", value: null }),
    );
    expect(() => pairOperations(revived, { file: "r.jsonl" })).toThrow("r.jsonl:3: process: process 1 crashed earlier");
  });

  it("pairs ops with Jepsen semantics: ok takes the completion's value, a missing completion is info", () => {
    const ops = parseHistory(good + line({ index: 2, time: 9, process: 1, type: "invoke", f: "write", value: 4 }));
    const pairs = pairOperations(ops);
    expect(pairs.map((p) => [p.f, p.type, p.value])).toEqual([
      ["read", "ok", 3],
      ["write", "info", 4],
    ]);
  });

  it("the writer puts a turn's events on disk at its end, in index order, and a fault at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fl-"));
    const file = join(dir, "h.jsonl");
    const w = new HistoryWriter(file, () => 42);
    const kinds = () => readHistory(file).map((o) => `${o.process}:${o.type}`);
    w.append({ process: 0, type: "invoke", f: "write", value: 1 });
    w.append({ process: 0, type: "ok", f: "write", value: 1 });
    expect(kinds()).toEqual([]); // pending until the turn ends
    await new Promise((r) => setImmediate(r));
    expect(readHistory(file)).toEqual(w.ops); // by the end of the turn
    w.append({ process: 1, type: "invoke", f: "read", value: null });
    w.append({ process: "nemesis", type: "info", f: "partition", value: null });
    expect(kinds()).toEqual(["0:invoke", "0:ok", "1:invoke", "nemesis:info"]); // a fault at once, after what came before it
    w.append({ process: 1, type: "ok", f: "read", value: 1 });
    for (let i = 0; i < 2000; i++)
      w.append({ process: 2, type: i % 2 ? "ok" : "invoke", f: "write", value: "x".repeat(100) });
    expect(readHistory(file).length).toBeGreaterThan(500); // past 64 KB it does not wait for the turn's end
    expect(readHistory(file)).toEqual(w.ops.slice(0, readHistory(file).length)); // always a prefix
    w.close();
    expect(readHistory(file)).toEqual(w.ops);
    writeFileSync(join(dir, "x"), "");
  });

  it("errors about an op name its own line when blank lines moved it off index + 1", () => {
    const op = (index: number, type: string, process = 0) =>
      JSON.stringify({ index, time: index, process, type, f: "read", value: null });
    const text = ["", op(0, "invoke"), "", "", op(1, "ok"), op(2, "ok"), ""].join("\n") + "\n";
    const dir = mkdtempSync(join(tmpdir(), "fl-lines-"));
    const file = join(dir, "h.jsonl");
    writeFileSync(file, text);
    for (const ops of [parseHistory(text, file), readHistory(file, { chunkBytes: 7 })]) {
      expect(ops).toHaveLength(3);
      expect(() => pairOperations(ops, { file })).toThrow(`${file}:6: type: ok for process 0 with no open invocation`);
    }
    // Without blank lines the line is index + 1, as before.
    const plain = [op(0, "invoke"), op(1, "ok"), op(2, "ok")].join("\n") + "\n";
    expect(() => pairOperations(parseHistory(plain, file), { file })).toThrow(`${file}:3: type:`);
  });
});
