// The EDN reader, the importers (Jepsen EDN, Porcupine etcd/kv logs), the Jepsen EDN exporter, and the
// CLI commands built on them (import, export, check --format), end to end.
import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  EdnList,
  EdnMap,
  EdnSet,
  Keyword,
  readAll,
  readEdn,
  toJson,
  jsonToEdn,
} from "../../src/history/formats/edn.ts";
import { historyToEdn, parseJepsenEdn } from "../../src/history/formats/jepsen-edn.ts";
import { parsePorcupineEtcd, parsePorcupineKv } from "../../src/history/formats/porcupine.ts";
import { parseHistory } from "../../src/history/reader.ts";
import { HistoryError } from "../../src/history/op.ts";
import { CORPUS } from "../corpus/corpus.ts";

const bin = join(import.meta.dirname, "../../bin/faultline.js");
const fl = (args: string[]) => execa("node", [bin, ...args], { reject: false });
const tmp = () => mkdtempSync(join(tmpdir(), "fl-lin-"));

describe("EDN reader", () => {
  it("reads every EDN element", () => {
    const v =
      readEdn(`{:a 1, :b [1 2.5 -3 4N 1/2], "s\\"t\\n" #{:x} :c (nil true false) :d \\a :e my/sym :i #inst "2020" :f #_ ignored 7 ; comment
      :g {[1 2] "v"}}`) as EdnMap;
    expect(v).toBeInstanceOf(EdnMap);
    expect(v.kw("a")).toBe(1);
    expect(v.kw("b")).toEqual([1, 2.5, -3, 4, 0.5]);
    expect(v.get('s"t\n')).toBeInstanceOf(EdnSet);
    expect(v.kw("c")).toBeInstanceOf(EdnList);
    expect(v.kw("f")).toBe(7);
    expect(toJson(v)).toEqual({
      a: 1,
      b: [1, 2.5, -3, 4, 0.5],
      's"t\n': ["x"],
      c: [null, true, false],
      d: "a",
      e: "my/sym",
      i: "2020",
      f: 7,
      g: { "[1,2]": "v" },
    });
    expect(readAll("{:a 1}\n{:a 2}\n").map((f) => f.line)).toEqual([1, 2]);
    expect(readEdn(":read")).toEqual(new Keyword("read"));
  });

  it("reports malformed input with line and column", () => {
    expect(() => readEdn("[{:a 1}\n {:b 2")).toThrow(/^2:2: unclosed/);
    expect(() => readEdn('"abc')).toThrow(/unterminated string/);
    expect(() => readEdn("{:a}")).toThrow(/even number/);
    expect(() => readEdn(")")).toThrow(/unexpected/);
  });

  it("writes JSON as EDN that reads back the same", () => {
    const x = { a: [1, "two", null, true], "not a keyword": { k: -1.5 } };
    expect(toJson(readEdn(jsonToEdn(x)))).toEqual(x);
  });
});

describe("importers", () => {
  it("jepsen-edn: vectors or lists of op maps, keywords to strings, nemesis ops as fault events, file:line errors", () => {
    const ops = parseJepsenEdn(
      `; a comment
({:process 0, :type :invoke, :f :write, :value 1}
 {:process :nemesis, :type :info, :f :start, :value "partition {}"}
 {:process 0, :type :ok, :f :write, :value 1, :error [:x nil]})`,
      "h.edn",
    );
    expect(ops.map((o) => [o.index, o.process, o.type, o.f, o.value])).toEqual([
      [0, 0, "invoke", "write", 1],
      [1, "nemesis", "info", "partition", { nodes: [], jepsen: "partition {}" }],
      [2, 0, "ok", "write", 1],
    ]);
    expect(ops[2].error).toBe('["x",null]');
    expect(() =>
      parseJepsenEdn(`[{:process 0, :type :invoke, :f :read}\n {:process 0, :type :done, :f :read}]`, "h.edn"),
    ).toThrow("h.edn:2: type:");
    expect(() => parseJepsenEdn(`[{:process 0, :type :ok, :f :read, :value 1}]`, "h.edn")).toThrow(HistoryError);
  });

  it("jepsen-edn: a process reused after a crash gets a fresh process number, as Jepsen would have", () => {
    const ops = parseJepsenEdn(`{:process 1, :type :invoke, :f :write, :value 1}
{:process 1, :type :info, :f :write, :value 1}
{:process 1, :type :invoke, :f :read, :value nil}
{:process 1, :type :ok, :f :read, :value 1}`);
    expect(ops.map((o) => o.process)).toEqual([1, 1, 2, 2]);
  });

  it("porcupine-etcd: failed cas is a compare that failed, timed-out read constrains nothing, info is a crash", () => {
    const ops = parsePorcupineEtcd(
      [
        "INFO  jepsen.util - 2\t:invoke\t:cas\t[3 0]",
        "INFO  jepsen.util - 2\t:fail\t:cas\t[3 0]",
        "INFO  jepsen.util - 0   :invoke :read   nil",
        "INFO  jepsen.util - 0   :fail   :read   :timed-out",
        "INFO  jepsen.util - 4\t:invoke\t:write\t2",
        "INFO  jepsen.util - 4\t:info\t:write\t:timed-out",
      ].join("\n"),
      "e.log",
    );
    expect(ops[1]).toMatchObject({ type: "fail", f: "cas", value: [3, 0], error: "compare-failed" });
    expect(ops[3]).toMatchObject({ type: "fail", f: "read", error: "timed-out" });
    expect(ops[5]).toMatchObject({ type: "info", f: "write", value: 2, error: "timed-out" });
    expect(() => parsePorcupineEtcd("INFO  jepsen.util - 2\t:invoke\t:cas\t[3 0]\ngarbage", "e.log")).toThrow(
      "e.log:2: line:",
    );
  });

  it("porcupine-kv: values become [key, value]", () => {
    const ops = parsePorcupineKv(
      `{:process 2, :type :invoke, :f :get, :key "0", :value nil}\n{:process 2, :type :ok, :f :get, :key "0", :value "x 0 0 y"}\n`,
    );
    expect(ops.map((o) => o.value)).toEqual([
      ["0", null],
      ["0", "x 0 0 y"],
    ]);
  });

  it("every corpus file imports", () => {
    expect(
      parseJepsenEdn(readFileSync(join(CORPUS, "knossos/multi-register/good/multi-register.edn"), "utf8")).length,
    ).toBeGreaterThan(200);
    expect(
      parsePorcupineEtcd(readFileSync(join(CORPUS, "porcupine/jepsen/etcd_005.log"), "utf8")).filter(
        (o) => o.type === "invoke",
      ),
    ).toHaveLength(79);
  });
});

describe("faultline JSONL ⇄ Jepsen EDN", () => {
  it("round-trips a sim history exactly", async () => {
    const dir = tmp();
    const run = await fl([
      "run",
      "--mode",
      "primary-async",
      "--seed",
      "3",
      "--nemesis",
      "partition,kill",
      "--time-limit",
      "3",
      "--results",
      dir,
    ]);
    expect([0, 1]).toContain(run.exitCode);
    const file = join(dir, "sim-primary-async-register", "latest", "history.jsonl");
    const original = parseHistory(readFileSync(file, "utf8"));
    const edn = join(dir, "h.edn");
    const ex = await fl(["export", "--to", "jepsen-edn", file, "-o", edn]);
    expect(ex.exitCode).toBe(0);
    expect(parseJepsenEdn(readFileSync(edn, "utf8"))).toEqual(original);
    const back = join(dir, "back.jsonl");
    const im = await fl(["import", "--from", "jepsen-edn", edn, "-o", back]);
    expect(im.exitCode).toBe(0);
    expect(readFileSync(back, "utf8")).toBe(readFileSync(file, "utf8"));
    // The exported history checks the same as the original.
    const a = await fl(["check", file]);
    const b = await fl(["check", "--format", "jepsen-edn", "--nil-read", "absent", edn]);
    expect(b.exitCode).toBe(a.exitCode);
  }, 60_000);

  it("exports strings and maps in values faithfully", () => {
    const h = [
      {
        index: 0,
        time: 0,
        process: "nemesis" as const,
        type: "info" as const,
        f: "partition",
        value: { nodes: ["n2"], groups: [["n2"], ["n1", "n3"]] },
        node: "n2",
      },
      { index: 1, time: 5, process: 0, type: "invoke" as const, f: "write", value: ['k "1"', 3] },
    ];
    expect(parseJepsenEdn(historyToEdn(h))).toEqual(h);
  });
});

describe("faultline check --format / import", () => {
  it("checks a Jepsen EDN history and Porcupine logs end to end, with the right exit codes", async () => {
    const bad = await fl([
      "check",
      "--format",
      "jepsen-edn",
      "--initial",
      "0",
      join(CORPUS, "knossos/cas-register/bad/rethink-fail-minimal.edn"),
    ]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain("process 1 read → 3");
    const good = await fl([
      "check",
      "--format",
      "jepsen-edn",
      "--initial",
      "0",
      join(CORPUS, "knossos/cas-register/good/memstress3-0.edn"),
    ]);
    expect(good.exitCode).toBe(0);
    const etcd = await fl([
      "check",
      "--format",
      "porcupine-etcd",
      "--json",
      join(CORPUS, "porcupine/jepsen/etcd_000.log"),
    ]);
    expect(etcd.exitCode).toBe(1);
    const json = JSON.parse(etcd.stdout);
    expect(json.checkers.linearizable.anomalies[0].details.witness.ops.length).toBeGreaterThan(0);
    expect(
      (await fl(["check", "--format", "porcupine-etcd", join(CORPUS, "porcupine/jepsen/etcd_005.log")])).exitCode,
    ).toBe(0);
    expect((await fl(["check", "--format", "porcupine-kv", join(CORPUS, "porcupine/kv/c01-bad.txt")])).exitCode).toBe(
      1,
    );
    expect((await fl(["check", "--format", "porcupine-kv", join(CORPUS, "porcupine/kv/c01-ok.txt")])).exitCode).toBe(0);
  }, 60_000);

  it("several histories: the one-line listing gives the same verdicts without witnesses; --json shrinks each anomaly's witness", async () => {
    const dir = join(CORPUS, "porcupine/jepsen");
    const listing = await fl(["check", "--format", "porcupine-etcd", dir]);
    expect(listing.exitCode).toBe(1);
    expect(listing.stdout).toContain("etcd_000.log: INVALID · linearizable invalid (1 anomaly)");
    expect(listing.stdout).toContain("etcd_005.log: VALID");
    const lines = (await fl(["check", "--format", "porcupine-etcd", "--json", dir])).stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const bad = lines.find((l) => String(l.file).endsWith("etcd_000.log"));
    expect(bad.checkers.linearizable.anomalies).toHaveLength(1);
    expect(bad.checkers.linearizable.anomalies[0].details.witness.minimal).toBe(true);
    expect(bad.checkers.linearizable.anomalies[0].details.witness.operations.length).toBeGreaterThan(0);
    expect(lines.at(-1).summary).toMatchObject({ histories: 2, valid: 1, invalid: 1 });
  }, 60_000);

  it("bad input: file:line and exit 3; unknown format or model: exit 3", async () => {
    const dir = tmp();
    const f = join(dir, "bad.edn");
    writeFileSync(f, "[{:process 0, :type :invoke, :f :read}\n {:process 0 :type :ok");
    const r = await fl(["check", "--format", "jepsen-edn", f]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(`${f}:2:`);
    expect((await fl(["check", "--format", "nope", f])).exitCode).toBe(3);
    expect((await fl(["import", "--from", "nope", f])).exitCode).toBe(3);
    const ok = join(dir, "ok.edn");
    writeFileSync(
      ok,
      "[{:process 0, :type :invoke, :f :read, :value nil} {:process 0, :type :ok, :f :read, :value 1}]",
    );
    expect((await fl(["check", "--format", "jepsen-edn", "--model", "nope", ok])).exitCode).toBe(3);
    const imp = await fl(["import", "--from", "jepsen-edn", ok]);
    expect(imp.exitCode).toBe(0);
    expect(parseHistory(imp.stdout)).toHaveLength(2);
  }, 60_000);
});
