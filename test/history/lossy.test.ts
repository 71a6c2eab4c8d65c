// Input that JSON reading would make lossy is refused with file:line (exit 3), never judged as something else.
import { describe, expect, it } from "vitest";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { readHistory } from "../../src/history/reader.ts";
import { HistoryError } from "../../src/history/op.ts";

const bin = join(import.meta.dirname, "../../bin/faultline.js");
const tmp = () => mkdtempSync(join(tmpdir(), "fl-lossy-"));
/** A write of `a` then a read returning `b` on key x, as raw JSON text for the values. */
const writeThenRead = (a: string, b: string) =>
  [
    `{"index":0,"time":0,"process":0,"type":"invoke","f":"write","value":["x",${a}]}`,
    `{"index":1,"time":1,"process":0,"type":"ok","f":"write","value":["x",${a}]}`,
    `{"index":2,"time":2,"process":1,"type":"invoke","f":"read","value":["x",null]}`,
    `{"index":3,"time":3,"process":1,"type":"ok","f":"read","value":["x",${b}]}`,
  ].join("\n") + "\n";
const file = (text: string | Buffer) => {
  const f = join(tmp(), "h.jsonl");
  writeFileSync(f, text);
  return f;
};
const problem = (f: string) => {
  try {
    readHistory(f);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(HistoryError);
    return (e as Error).message;
  }
};

describe("lossy input is refused", () => {
  it("non-UTF-8 bytes: two distinct byte strings would both read as U+FFFD", () => {
    // The write's value is the byte 0xff, the read returns 0xfe.
    const parts = writeThenRead('"@"', '"@"').split("@");
    const bad = [[0xff], [0xff], [0xfe]];
    const f = file(
      Buffer.concat(
        parts.flatMap((p, i) => (i < bad.length ? [Buffer.from(p), Buffer.from(bad[i])] : [Buffer.from(p)])),
      ),
    );
    expect(problem(f)).toBe(`${f}:1: line: not valid UTF-8 (distinct byte strings would read as the same text)`);
    // Valid UTF-8 (é, emoji, an escaped U+FFFD) still reads.
    expect(readHistory(file(writeThenRead('"é😀"', '"\\ufffd"')))).toHaveLength(4);
    // In any chunk size, with the line number right.
    const late = file(
      Buffer.concat([
        Buffer.from(writeThenRead("1", "1").split("\n").slice(0, 3).join("\n") + "\n"),
        Buffer.from('{"index":3,"time":3,"process":1,"type":"ok","f":"read","value":["x","'),
        Buffer.from([0xc3]),
        Buffer.from('"]}\n'),
      ]),
    );
    for (const chunkBytes of [5, 64, 1 << 16])
      expect(() => readHistory(late, { chunkBytes })).toThrow(`${late}:4: line: not valid UTF-8`);
  });

  it("integers beyond 2^53 and numbers beyond a double's range", () => {
    let f = file(writeThenRead("9007199254740993", "9007199254740992"));
    expect(problem(f)).toBe(
      `${f}:1: value: 9007199254740992 is beyond 2^53, where integers cannot be read exactly (write it as a string)`,
    );
    f = file(writeThenRead("1e400", "1e401"));
    expect(problem(f)).toBe(`${f}:1: value: a number too large to represent (it would read as Infinity)`);
    expect(readHistory(file(writeThenRead("9007199254740991", "-9007199254740991")))).toHaveLength(4);
    expect(readHistory(file(writeThenRead("0.5", "1.5e10")))).toHaveLength(4);
  });

  it("values nested 5,000 deep: a clear error, no stack overflow", () => {
    const deep = "[".repeat(5000) + "]".repeat(5000);
    const f = file(writeThenRead(deep, deep));
    expect(problem(f)).toBe(`${f}:1: value: nested deeper than 64 levels`);
  });

  it("the CLI: exit 3 with file:line for each; distinct values stay distinct (INVALID, not VALID)", async () => {
    for (const [a, b] of [
      ["9007199254740993", "9007199254740992"],
      ["1e400", "1e999"],
      ["[".repeat(5000) + "]".repeat(5000), "1"],
    ]) {
      const f = file(writeThenRead(a, b));
      const r = await execa("node", [bin, "check", f], { reject: false });
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`^faultline: ${f.replace(/[.]/g, "\\.")}:1: value: `));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    for (const [a, b] of [
      ['{"a":1}', '{"b":2}'],
      ["1", '"1"'],
      ["[1,2]", "[2,1]"],
      ['{"a":1,"b":2}', '{"a":1}'],
    ]) {
      const r = await execa("node", [bin, "check", "--workload", "session", file(writeThenRead(a, b))], {
        reject: false,
      });
      expect(r.exitCode, `${a} vs ${b}`).toBe(1);
      expect(r.stdout).toMatch(/linearizable: INVALID/);
    }
  }, 60_000);
});

describe("files that are not histories", () => {
  it("a directory given as a history file, and an unreadable file, are bad input naming the path (exit 3)", async () => {
    const dir = tmp();
    mkdirSync(join(dir, "d.jsonl"));
    expect(() => readHistory(join(dir, "d.jsonl"))).toThrow(
      `${join(dir, "d.jsonl")}:0: file: is a directory, not a history file`,
    );
    const r = await execa("node", [bin, "check", "--workload", "register", join(dir, "d.jsonl", "")], {
      reject: false,
    });
    expect(r.exitCode).toBe(3);
    const e = await execa("node", [bin, "export", "--to", "jepsen-edn", join(dir, "d.jsonl")], { reject: false });
    expect(e.exitCode).toBe(3);
    const locked = file(writeThenRead("1", "1"));
    chmodSync(locked, 0);
    // Root reads any file; as anyone else the file cannot be read.
    if (process.getuid?.() !== 0)
      expect(() => readHistory(locked)).toThrow(`${locked}:0: file: cannot be read (permission denied)`);
  });
});
