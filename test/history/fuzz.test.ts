// Seeded fuzzing of the history reader and the importers: random bytes, random JSON and EDN values, mutated
// valid histories, deep nesting. Every input must give ops (that then pair and check) or a file:line error;
// never another exception (a stack trace), never a hang.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { rng, type Rng } from "../../src/run/rng.ts";
import { HistoryError, type Op } from "../../src/history/op.ts";
import { UsageError } from "../../src/errors.ts";
import { readHistory } from "../../src/history/reader.ts";
import { parseAs, readAs } from "../../src/history/import.ts";
import { pairOperations } from "../../src/history/pairs.ts";
import { runCheckers } from "../../src/run/check.ts";
import { registerWorkload } from "../../workloads/register.ts";

const bin = join(import.meta.dirname, "../../bin/faultline.js");
const dir = mkdtempSync(join(tmpdir(), "fl-fuzz-"));
const SEED = process.env.FUZZ_SEED ?? "1";
const FORMATS = ["jsonl", "jepsen-edn", "porcupine-etcd", "porcupine-kv"] as const;
type Format = (typeof FORMATS)[number];

const pick = <T>(r: Rng, xs: readonly T[]) => r.pick(xs);
const STRINGS = ["", "x", "k0", "é", "😀", "\u0000", "\\", '"', "<script>", "nil", ":ok", "\n"];
const NUMBERS = [0, 1, -1, 2.5, 1e300, -0, 9007199254740991, 42];

function jsonValue(r: Rng, depth = 0): unknown {
  const k = r.int(depth > 3 ? 4 : 7);
  if (k === 0) return null;
  if (k === 1) return pick(r, NUMBERS);
  if (k === 2) return pick(r, STRINGS);
  if (k === 3) return r.chance(0.5);
  if (k === 4) return Array.from({ length: r.int(4) }, () => jsonValue(r, depth + 1));
  if (k === 5)
    return Object.fromEntries(
      Array.from({ length: r.int(4) }, () => [
        pick(r, ["index", "time", "process", "type", "f", "value", "a", ""]),
        jsonValue(r, depth + 1),
      ]),
    );
  return pick(r, ["invoke", "ok", "fail", "info", "read", "write", "cas", "nemesis"]);
}

function ednValue(r: Rng, depth = 0): string {
  const k = r.int(depth > 3 ? 5 : 9);
  if (k === 0) return "nil";
  if (k === 1) return String(pick(r, [0, 1, -3, 2.5, 1e19, Infinity]));
  if (k === 2) return JSON.stringify(pick(r, STRINGS));
  if (k === 3)
    return pick(r, [
      ":invoke",
      ":ok",
      ":fail",
      ":info",
      ":read",
      ":write",
      ":cas",
      ":nemesis",
      "true",
      "false",
      "\\a",
      '#inst "2020"',
      "sym",
    ]);
  if (k === 4) return pick(r, ["", "#_", "(", "]", "}", '"', ";", "#{", "^"]);
  const items = Array.from({ length: r.int(4) }, () => ednValue(r, depth + 1));
  if (k === 5) return `[${items.join(" ")}]`;
  if (k === 6) return `(${items.join(" ")})`;
  if (k === 7) return `#{${items.join(" ")}}`;
  return `{${items.map((v, i) => `${pick(r, [":type", ":f", ":process", ":value", ":key", ":index", ":time"])} ${v}${i % 2 ? "," : ""}`).join(" ")}}`;
}

function validText(format: Format, r: Rng): string {
  const n = 1 + r.int(6);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = i % 3,
      v = r.int(3),
      f = pick(r, ["read", "write"]);
    if (format === "jsonl")
      lines.push(
        JSON.stringify({
          index: 2 * i,
          time: 2 * i,
          process: i,
          type: "invoke",
          f,
          value: ["k", f === "read" ? null : v],
        }),
        JSON.stringify({ index: 2 * i + 1, time: 2 * i + 1, process: i, type: "ok", f, value: ["k", v] }),
      );
    else if (format === "jepsen-edn")
      lines.push(
        `{:type :invoke, :f :${f}, :process ${p}, :value ${f === "read" ? "nil" : v}}`,
        `{:type :ok, :f :${f}, :process ${p}, :value ${v}}`,
      );
    else if (format === "porcupine-etcd")
      lines.push(
        `INFO  jepsen.util - ${p}\t:invoke\t:${f}\t${f === "read" ? "nil" : v}`,
        `INFO  jepsen.util - ${p}\t:ok\t:${f}\t${v}`,
      );
    else
      lines.push(
        `{:process ${p}, :type :invoke, :f :${f === "read" ? "get" : "put"}, :key "${v}", :value ${f === "read" ? "nil" : `"${v}"`}}`,
        `{:process ${p}, :type :ok, :f :${f === "read" ? "get" : "put"}, :key "${v}", :value "${v}"}`,
      );
  }
  return format === "jepsen-edn" && r.chance(0.5) ? `[${lines.join("\n")}]` : lines.join("\n") + "\n";
}

const NEST = ["[", "{", "(", "#{"] as const;
const CLOSE: Record<string, string> = { "[": "]", "{": "}", "(": ")", "#{": "}" };

/** One fuzz input as bytes, for a format. */
function input(format: Format, r: Rng): Buffer {
  switch (r.int(6)) {
    case 0:
      return Buffer.from(Array.from({ length: r.int(300) }, () => r.int(256)));
    case 1:
      return Buffer.from(
        Array.from({ length: 1 + r.int(5) }, () =>
          format === "jsonl" ? JSON.stringify(jsonValue(r)) : ednValue(r),
        ).join(r.chance(0.8) ? "\n" : ""),
      );
    case 2: {
      // op-shaped lines with random field values
      const ops = Array.from({ length: 1 + r.int(6) }, (_, i) =>
        format === "jsonl"
          ? JSON.stringify({
              index: r.chance(0.8) ? i : jsonValue(r),
              time: r.chance(0.8) ? i : jsonValue(r),
              process: r.chance(0.7) ? r.int(3) : jsonValue(r),
              type: r.chance(0.7) ? pick(r, ["invoke", "ok", "fail", "info"]) : jsonValue(r),
              f: r.chance(0.7) ? pick(r, ["read", "write", "cas"]) : jsonValue(r),
              value: jsonValue(r),
            })
          : `{:type ${pick(r, [":invoke", ":ok", ":fail", ":info", ednValue(r)])} :f ${pick(r, [":read", ":write", ":cas", ednValue(r)])} :process ${pick(r, ["0", "1", ":nemesis", ednValue(r)])} :value ${ednValue(r)} :key ${ednValue(r)}}`,
      );
      return Buffer.from(ops.join("\n") + "\n");
    }
    case 3: {
      // a valid history, mutated
      const b = Buffer.from(validText(format, r));
      const out = Buffer.from(b);
      for (let m = 0; m < 1 + r.int(4); m++)
        out[r.int(out.length)] = pick(r, [r.int(256), 10, 0x22, 0x5b, 0x7b, 0x3a, 0xff]);
      return r.chance(0.3) ? out.subarray(0, r.int(out.length)) : out;
    }
    case 4: {
      // deep nesting in the value position
      const open = pick(r, NEST),
        depth = pick(r, [65, 1000, 5000, 20000]);
      const deep = open.repeat(depth) + CLOSE[open].repeat(r.chance(0.8) ? depth : depth >> 1);
      const jsonDeep = "[".repeat(depth) + "]".repeat(depth);
      if (format === "jsonl")
        return Buffer.from(`{"index":0,"time":0,"process":0,"type":"invoke","f":"write","value":${jsonDeep}}\n`);
      if (format === "porcupine-etcd") return Buffer.from(`INFO  jepsen.util - 0\t:invoke\t:write\t${deep}\n`);
      if (format === "porcupine-kv")
        return Buffer.from(`{:process 0, :type :invoke, :f :put, :key "k", :value ${deep}}\n`);
      return Buffer.from(`[{:type :invoke, :f :write, :process 0, :value ${deep}}]`);
    }
    default:
      return Buffer.from(validText(format, r));
  }
}

/** What must hold for every input: ops that pair (or a HistoryError naming file:line) and then a verdict. */
function judge(file: string, format: Format, bytes: Buffer, r: Rng): "ops" | "refused" {
  writeFileSync(file, bytes);
  let ops: Op[];
  try {
    ops = format === "jsonl" ? readHistory(file, { chunkBytes: pick(r, [7, 64, 1 << 16]) }) : readAs(file, format);
    if (format !== "jsonl") expect(parseAs(bytes.toString("utf8"), file, format)).toHaveLength(ops.length);
    pairOperations(ops, { file });
  } catch (e) {
    if (!(e instanceof HistoryError || e instanceof UsageError))
      throw new Error(
        `${format} input ${JSON.stringify(bytes.toString("latin1").slice(0, 200))} threw ${(e as Error)?.stack ?? e}`,
        { cause: e },
      );
    expect((e as Error).message).toMatch(/^.+:\d+: [^:]+: ./s);
    return "refused";
  }
  // The register workload's checkers judge read/write/cas; ops they do not know (a kv history's get/put) are
  // refused with a clear file:line error, which is an answer too.
  try {
    const results = runCheckers(ops, registerWorkload.checkers({ keys: 1, seed: "" }));
    expect([true, false, "unknown"]).toContain(results.valid);
  } catch (e) {
    if (!(e instanceof HistoryError)) throw e;
    expect((e as Error).message).toMatch(/^.+:\d+: f: the register checker does not know/);
  }
  return "ops";
}

describe(`fuzzing the history reader and importers (seed ${SEED})`, () => {
  for (const format of FORMATS) {
    it(`${format}: 400 inputs give ops and a verdict, or a file:line error`, () => {
      const r = rng(SEED, `fuzz-${format}`);
      const seen = { ops: 0, refused: 0 };
      for (let i = 0; i < 400; i++) seen[judge(join(dir, `${format}-${i}`), format, input(format, r), r)]++;
      // The generator must reach both outcomes, or it tests nothing.
      expect(seen.ops).toBeGreaterThan(20);
      expect(seen.refused).toBeGreaterThan(20);
    }, 120_000);
  }

  it("the CLI: check and import of fuzzed files exit 0–3 without a stack trace, in bounded time", async () => {
    const r = rng(SEED, "fuzz-cli");
    for (let i = 0; i < 8; i++) {
      const format = FORMATS[i % FORMATS.length];
      const file = join(dir, `cli-${i}`);
      writeFileSync(file, input(format, r));
      const args =
        format === "jsonl"
          ? ["check", "--workload", "register", file]
          : i % 2
            ? ["import", "--from", format, file, "-o", file + ".jsonl"]
            : ["check", "--format", format, file];
      const res = await execa("node", [bin, ...args], { reject: false, timeout: 30_000 });
      expect(res.timedOut, args.join(" ")).toBe(false);
      expect([0, 1, 2, 3], `${args.join(" ")}: ${res.stderr}`).toContain(res.exitCode);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    }
  }, 300_000);
});
