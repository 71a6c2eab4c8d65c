// Jepsen-shaped histories for every Jepsen workload faultline checks (bank, counter, set, set-full,
// long-fork), in EDN and JSON: each must pass or fail as Jepsen would judge it, both forms alike; plus
// format detection, missing process/time/index, nemesis ops as faults, deep nesting, and export.
import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseJepsenEdn } from "../../src/history/formats/jepsen-edn.ts";
import { parseJepsenJson } from "../../src/history/formats/jepsen-json.ts";
import { detectFormat } from "../../src/history/formats/detect.ts";
import { fromJepsen, toJepsen } from "../../src/history/formats/workloads.ts";
import { faults } from "../../src/history/pairs.ts";
import { HistoryError, type Op } from "../../src/history/op.ts";
import { workloads as loaders } from "../../src/registry.ts";
import type { Workload } from "../../src/run/types.ts";

const workloads = Object.fromEntries(
  await Promise.all(Object.entries(loaders).map(async ([k, load]) => [k, await load()])),
) as Record<string, Workload>;
import { runCheckers } from "../../src/run/check.ts";
import { checkLongFork } from "../../checkers/long-fork/index.ts";
import { checkSetFull } from "../../checkers/set-full/index.ts";
import { buildReportData } from "../../src/report/data.ts";
import { CORPUS, corpusCases } from "../corpus/corpus.ts";

const bin = join(import.meta.dirname, "../../bin/faultline.js");
const fl = (args: string[]) => execa("node", [bin, ...args], { reject: false });
const tmp = () => mkdtempSync(join(tmpdir(), "fl-jepsen-"));

/** A Jepsen op as written in EDN: keywords for type, f and keyword-ish values; maps with any keys. */
type J = { process: number | "nemesis"; type: string; f: string; value?: unknown; time?: number };
const kw = new Set(["r", "w", "isolated", "killed", "majority"]);
function edn(v: unknown): string {
  if (v === null || v === undefined) return "nil";
  if (typeof v === "string") return kw.has(v) ? ":" + v : JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return "[" + v.map(edn).join(" ") + "]";
  return (
    "{" +
    Object.entries(v as object)
      .map(([k, x]) => `${/^\d+$/.test(k) ? k : ":" + k} ${edn(x)}`)
      .join(", ") +
    "}"
  );
}
const toEdn = (ops: J[]) =>
  ops
    .map(
      (o, i) =>
        `{:index ${i}, :time ${o.time ?? i * 1_000_000}, :type :${o.type}, :process ${o.process === "nemesis" ? ":nemesis" : o.process}, :f :${o.f}, :value ${edn(o.value)}}`,
    )
    .join("\n") + "\n";
const toJson = (ops: J[]) =>
  JSON.stringify(
    ops.map((o, i) => ({
      type: o.type,
      f: o.f,
      value: o.value ?? null,
      time: o.time ?? i * 1_000_000,
      process: o.process,
      index: i,
    })),
    null,
    1,
  );

function pair(ops: J[], process: number, f: string, inv: unknown, type: string, out: unknown): J[] {
  return [...ops, { process, type: "invoke", f, value: inv }, { process, type, f, value: out }];
}
function seq(...steps: [number, string, unknown, string, unknown][]): J[] {
  return steps.reduce<J[]>((h, s) => pair(h, ...s), []);
}

/** The verdict of `workload`'s checkers on a Jepsen history, read from EDN and from JSON (which must agree). */
function verdict(workload: string, ops: J[], wopts: Record<string, unknown> = {}) {
  const judge = (h: Op[]) =>
    runCheckers(fromJepsen(h, workload), workloads[workload].checkers({ keys: 1, seed: "", imported: true, ...wopts }));
  const a = judge(parseJepsenEdn(toEdn(ops), "h.edn"));
  const b = judge(parseJepsenJson(toJson(ops), "h.json"));
  expect(b.valid).toBe(a.valid);
  expect(Object.values(b.checkers).flatMap((v) => v.anomalies.map((x) => [x.kind, x.ops]))).toEqual(
    Object.values(a.checkers).flatMap((v) => v.anomalies.map((x) => [x.kind, x.ops])),
  );
  return a;
}
const kinds = (r: ReturnType<typeof verdict>) =>
  Object.values(r.checkers).flatMap((v) => v.anomalies.map((a) => a.kind));

describe("Jepsen bank (:read of every balance, :transfer {:from :to :amount})", () => {
  const transfer: [number, string, unknown, string, unknown] = [
    0,
    "transfer",
    { from: 0, to: 1, amount: 5 },
    "ok",
    { from: 0, to: 1, amount: 5 },
  ];
  it("passes reads that keep the total", () => {
    const r = verdict(
      "bank",
      seq(transfer, [1, "read", null, "ok", { 0: 5, 1: 15 }], [1, "read", null, "ok", { 0: 10, 1: 10 }]),
    );
    expect(r.valid).toBe(true);
  });
  it("fails a read with a wrong total (read through :read), and a negative balance unless allowed", () => {
    const h = seq(
      transfer,
      [1, "read", null, "ok", { 0: 5, 1: 15 }],
      [1, "read", null, "ok", { 0: 10, 1: 10 }],
      [2, "read", null, "ok", { 0: 5, 1: 10 }],
      [2, "read", null, "ok", { 0: -5, 1: 25 }],
    );
    const r = verdict("bank", h);
    expect(r.valid).toBe(false);
    expect(kinds(r)).toEqual(["wrong-total", "negative-balance"]);
    expect(kinds(verdict("bank", h, { negative: true }))).toEqual(["wrong-total"]);
    expect(kinds(verdict("bank", h, { total: 15 })).filter((k) => k === "wrong-total")).toHaveLength(3);
  });
  it("a history without reads is unknown, with the reason", () => {
    const r = verdict("bank", seq(transfer));
    expect(r.valid).toBe("unknown");
    expect(r.checkers.bank.reason).toContain("no read-all operations");
  });
});

describe("Jepsen counter (:add, :read)", () => {
  it("passes reads within [acknowledged, attempted]", () => {
    expect(
      verdict(
        "counter",
        seq(
          [0, "add", 1, "ok", 1],
          [1, "add", 2, "info", 2],
          [0 + 2, "read", null, "ok", 3],
          [2, "read", null, "ok", 1],
        ),
      ).valid,
    ).toBe(true);
  });
  it("fails a read above every attempt and one below the acknowledged", () => {
    const r = verdict(
      "counter",
      seq([0, "add", 1, "ok", 1], [0, "add", 2, "ok", 2], [1, "read", null, "ok", 9], [1, "read", null, "ok", 1]),
    );
    expect(kinds(r)).toEqual(["counter-too-high", "counter-too-low"]);
  });
});

describe("Jepsen set (:add, then a final :read of the whole set)", () => {
  it("passes when the final read holds every acknowledged add (plain elements and [k v] tuples)", () => {
    expect(
      verdict(
        "set",
        seq([0, "add", 1, "ok", 1], [1, "add", 2, "info", 2], [0, "add", 3, "ok", 3], [2, "read", null, "ok", [1, 3]]),
      ).valid,
    ).toBe(true);
    expect(verdict("set", seq([0, "add", [7, 1], "ok", [7, 1]], [2, "read", [7, null], "ok", [7, [1]]])).valid).toBe(
      true,
    );
  });
  it("fails a lost acknowledged add and an element nobody added", () => {
    const r = verdict("set", seq([0, "add", 1, "ok", 1], [0, "add", 3, "ok", 3], [2, "read", null, "ok", [1, 4]]));
    expect(kinds(r).sort()).toEqual(["lost-add", "phantom-element"]);
  });
});

describe("Jepsen set-full (reads of the whole set during the run)", () => {
  it("passes stable elements, measuring how long a stale one took to become stable", () => {
    const h = seq(
      [0, "add", 1, "ok", 1],
      [1, "read", null, "ok", []],
      [1, "read", null, "ok", [1]],
      [0, "add", 2, "ok", 2],
      [1, "read", null, "ok", [1, 2]],
    );
    const r = verdict("set-full", h);
    expect(r.valid).toBe(true);
    const s = r.checkers["set-full"].stats!;
    expect([s.stableCount, s.staleCount, s.lostCount, s.neverReadCount]).toEqual([2, 1, 0, 0]);
    expect(s.stableLatencyMsMax).toBeGreaterThan(0);
    expect(kinds(verdict("set-full", h, { linearizable: true }))).toEqual(["stale-read"]);
  });
  it("fails an element that was read and then disappeared; counts one never read", () => {
    const r = verdict(
      "set-full",
      seq([0, "add", 1, "ok", 1], [1, "read", null, "ok", [1]], [1, "read", null, "ok", []], [0, "add", 2, "ok", 2]),
    );
    expect(kinds(r)).toEqual(["lost-element"]);
    expect(r.checkers["set-full"].stats!.neverReadCount).toBe(1);
  });
  it("an element that vanished and came back is stable but stale; lost only when the last read misses it", () => {
    const back = verdict(
      "set-full",
      seq(
        [0, "add", 1, "ok", 1],
        [1, "read", null, "ok", [1]],
        [1, "read", null, "ok", []],
        [1, "read", null, "ok", [1]],
      ),
    );
    expect(back.valid).toBe(true);
    expect([back.checkers["set-full"].stats!.stableCount, back.checkers["set-full"].stats!.staleCount]).toEqual([1, 1]);
    const gone = verdict(
      "set-full",
      seq(
        [0, "add", 1, "ok", 1],
        [1, "read", null, "ok", []],
        [1, "read", null, "ok", [1]],
        [1, "read", null, "ok", [1, 1]],
        [2, "read", null, "ok", []],
      ),
    );
    expect(kinds(gone)).toEqual(["duplicated-element", "lost-element"]);
  });
  it("no read after any add is unknown", () => {
    expect(
      checkSetFull(
        fromJepsen(parseJepsenEdn(toEdn(seq([1, "read", null, "ok", []], [0, "add", 1, "ok", 1]))), "set-full"),
      ).valid,
    ).toBe("unknown");
  });
});

describe("Jepsen long-fork (single-key inserts, group reads)", () => {
  const w = (p: number, k: number): [number, string, unknown, string, unknown] => [
    p,
    "txn",
    [["w", k, 1]],
    "ok",
    [["w", k, 1]],
  ];
  const r = (p: number, a: number | null, b: number | null): [number, string, unknown, string, unknown] => [
    p,
    "txn",
    [
      ["r", 0, null],
      ["r", 1, null],
    ],
    "ok",
    [
      ["r", 0, a],
      ["r", 1, b],
    ],
  ];
  it("passes reads that form one chain", () => {
    expect(verdict("long-fork", seq(w(0, 0), r(2, 1, null), w(1, 1), r(3, 1, 1), r(2, null, null))).valid).toBe(true);
  });
  it("fails two reads that saw the two inserts in opposite orders", () => {
    const res = verdict("long-fork", seq(w(0, 0), w(1, 1), r(2, 1, null), r(3, null, 1)), { "group-size": 2 });
    expect(kinds(res)).toEqual(["long-fork"]);
    expect(res.checkers["long-fork"].anomalies[0].explanation).toContain("opposite orders");
  });
  it("refuses a read of the wrong group size; no reads is unknown", () => {
    const h = parseJepsenEdn(toEdn(seq(w(0, 0), r(2, 1, null))));
    expect(() => checkLongFork(h, { groupSize: 3 })).toThrow(/group of 3 keys/);
    expect(checkLongFork(parseJepsenEdn(toEdn(seq(w(0, 0))))).valid).toBe("unknown");
  });
});

describe("reading Jepsen histories", () => {
  it("detects EDN, Jepsen JSON (lines or one array), faultline JSONL and Porcupine logs", () => {
    const ops = seq([0, "read", null, "ok", 1]);
    expect(detectFormat(toEdn(ops))?.format).toBe("jepsen-edn");
    expect(detectFormat(toJson(ops))?.format).toBe("jepsen-json");
    expect(detectFormat('{"type":"invoke","f":"read","process":0}\n')?.format).toBe("jepsen-json");
    expect(detectFormat('{"index":0,"time":0,"process":0,"type":"invoke","f":"read","value":null}\n')?.format).toBe(
      "jsonl",
    );
    expect(detectFormat("INFO  jepsen.util - 1 :invoke :read nil\n")?.format).toBe("porcupine-etcd");
    expect(detectFormat('{:process 0 :type :invoke :f :get :key "k" :value nil}\n')?.format).toBe("porcupine-kv");
    expect(detectFormat("hello\n")).toBeUndefined();
  });
  it("detects the format of every corpus file (122 Knossos EDN histories, 4 Porcupine logs)", () => {
    const cases = corpusCases();
    expect(cases.length).toBe(126);
    for (const c of cases)
      expect([c.file, detectFormat(readFileSync(join(CORPUS, c.file), "utf8"))?.format]).toEqual([c.file, c.format]);
  });
  it("accepts histories without process, time or index while each completion follows its invocation, and says so", () => {
    const notes: string[] = [];
    const h = parseJepsenJson(
      '{"type":"invoke","f":"add","value":1}\n{"type":"ok","f":"add","value":1}\n{"type":"invoke","f":"read"}\n{"type":"ok","f":"read","value":[1]}\n',
      "h.json",
      notes,
    );
    expect(h.map((o) => [o.index, o.process, o.type, o.time])).toEqual([
      [0, 0, "invoke", 0],
      [1, 0, "ok", 1e6],
      [2, 0, "invoke", 2e6],
      [3, 0, "ok", 3e6],
    ]);
    expect(notes.join(" ")).toMatch(/no :process on 4 ops.*no :time/);
    expect(() =>
      parseJepsenEdn(
        "{:type :invoke, :f :add, :value 1}\n{:type :invoke, :f :add, :value 2}\n{:type :ok, :f :add, :value 1}\n",
        "h.edn",
      ),
    ).toThrow("h.edn:2: process: no :process, and the invocation on line 1 is still open");
  });
  it("maps Jepsen nemesis ops (invocation + completion) onto faultline's fault events", () => {
    const h = parseJepsenEdn(`{:process :nemesis, :type :info, :f :start-partition, :value :majority}
{:process :nemesis, :type :info, :f :start-partition, :value [:isolated {"n1" #{"n2" "n3"}, "n2" #{"n1"}, "n3" #{"n1"}}]}
{:process 0, :type :invoke, :f :read, :value nil}
{:process 0, :type :ok, :f :read, :value 1}
{:process :nemesis, :type :info, :f :stop-partition, :value nil}
{:process :nemesis, :type :info, :f :stop-partition, :value :network-healed}
{:process :nemesis, :type :info, :f :kill, :value :primaries}
{:process :nemesis, :type :info, :f :kill, :value {"n2" :killed}}
{:process :nemesis, :type :info, :f :start, :value :all}
{:process :nemesis, :type :info, :f :start, :value {"n2" :started}}`);
    const fs = faults(h);
    expect(fs.map((f) => [f.f, (f.value as { nodes: string[] }).nodes, f.stop?.f])).toEqual([
      ["partition", ["n1"], "heal-partition"],
      ["kill", ["n2"], "heal-kill"],
    ]);
    expect(h.map((o) => o.type)).toEqual([
      "invoke",
      "info",
      "invoke",
      "ok",
      "invoke",
      "info",
      "invoke",
      "info",
      "invoke",
      "info",
    ]);
    expect((fs[0].value as { groups: string[][] }).groups).toEqual([["n1"], ["n2", "n3"]]);
  });
  it("the report shows Jepsen's faults in its timeline and in the anomaly's story", () => {
    const h = fromJepsen(
      parseJepsenEdn(`{:process 0, :type :invoke, :f :transfer, :value {:from 0, :to 1, :amount 5}, :time 1000000}
{:process 0, :type :ok, :f :transfer, :value {:from 0, :to 1, :amount 5}, :time 2000000}
{:process :nemesis, :type :info, :f :start-partition, :value :majority, :time 3000000}
{:process :nemesis, :type :info, :f :start-partition, :value [:isolated {"n1" #{"n2" "n3"}, "n2" #{"n1"}, "n3" #{"n1"}}], :time 3500000}
{:process 1, :type :invoke, :f :read, :value nil, :time 4000000, :node "n1"}
{:process 1, :type :ok, :f :read, :value {0 5, 1 10}, :time 5000000, :node "n1"}
{:process 2, :type :invoke, :f :read, :value nil, :time 6000000}
{:process 2, :type :ok, :f :read, :value {0 5, 1 15}, :time 7000000}
{:process :nemesis, :type :info, :f :stop-partition, :value nil, :time 8000000}
{:process :nemesis, :type :info, :f :stop-partition, :value :network-healed, :time 8500000}
{:process 2, :type :invoke, :f :read, :value nil, :time 9000000}
{:process 2, :type :ok, :f :read, :value {0 5, 1 15}, :time 9500000}`),
      "bank",
    );
    const results = runCheckers(h, workloads.bank.checkers({ keys: 1, seed: "", imported: true }));
    expect(results.valid).toBe(false);
    const data = buildReportData({
      dir: "x",
      history: h,
      run: undefined,
      results: results as unknown as Record<string, unknown>,
      notes: [],
    });
    expect(data.faults.map((f) => [f.phrase, f.t0, f.t1])).toEqual([
      ["a partition isolating n1 (n1 | n2, n3)", 3.5e6, 8.5e6],
    ]);
    expect(data.anomalies[0].story).toContain("n1, the node process 1 talked to, was on the isolated side");
  });
  it("refuses EDN and JSON nested 5,000 deep with file:line, not a stack overflow", () => {
    const deep = "[".repeat(5000) + "]".repeat(5000);
    expect(() => parseJepsenEdn(`{:process 0, :type :invoke, :f :read,\n :value ${deep}}`, "d.edn")).toThrow(
      "d.edn:2: edn: nested more than 1000 levels deep",
    );
    expect(() => parseJepsenJson(`{"process":0,"type":"invoke","f":"read",\n"value":${deep}}`, "d.json")).toThrow(
      "d.json:2: json: nested more than 1000 levels deep",
    );
  });
  it("export maps faultline's conventions back to Jepsen's, and import --workload maps them again", () => {
    const h: Op[] = [
      { index: 0, time: 0, process: 0, type: "invoke", f: "incr", value: ["c", 2] },
      { index: 1, time: 1, process: 0, type: "ok", f: "incr", value: ["c", 2] },
      { index: 2, time: 2, process: 0, type: "invoke", f: "read", value: ["c", null] },
      { index: 3, time: 3, process: 0, type: "ok", f: "read", value: ["c", 2] },
    ];
    const j = toJepsen(h, "counter");
    expect(j.map((o) => [o.f, o.value])).toEqual([
      ["add", 2],
      ["add", 2],
      ["read", null],
      ["read", 2],
    ]);
    expect(fromJepsen(j, "counter").map((o) => [o.f, o.value])).toEqual([
      ["incr", ["c", 2]],
      ["incr", ["c", 2]],
      ["read", ["c", null]],
      ["read", ["c", 2]],
    ]);
    expect(() => runCheckers(h, workloads.bank.checkers({ keys: 1, seed: "" }))).toThrow(HistoryError);
    const posts: Op[] = [
      { index: 0, time: 0, process: 0, type: "invoke", f: "post", value: ["c", "p"] },
      {
        index: 1,
        time: 1,
        process: 0,
        type: "ok",
        f: "post",
        value: ["c", { conv: "c", id: "p", parent: null, seen: [] }],
      },
    ];
    const chat = runCheckers(posts, workloads.chat.checkers({ keys: 1, seed: "" }));
    expect(Object.values(chat.checkers).map((v) => v.valid)).toEqual(["unknown", "unknown"]);
    for (const w of ["register", "session"])
      expect(() => runCheckers(h, workloads[w].checkers({ keys: 1, seed: "" }))).toThrow(
        `f: the ${w} checker does not know "incr"`,
      );
  });
});

describe("faultline check / import / export on Jepsen histories", () => {
  it("check detects the format, judges a Jepsen bank history with a wrong total INVALID, refuses a stranger's ops", async () => {
    const dir = tmp();
    const ops = seq(
      [0, "transfer", { from: 0, to: 1, amount: 5 }, "ok", { from: 0, to: 1, amount: 5 }],
      [1, "read", null, "ok", { 0: 5, 1: 15 }],
      [1, "read", null, "ok", { 0: 10, 1: 10 }],
      [2, "read", null, "ok", { 0: 5, 1: 10 }],
    );
    const e = join(dir, "bank.edn"),
      j = join(dir, "bank.json");
    writeFileSync(e, toEdn(ops));
    writeFileSync(j, toJson(ops));
    const a = await fl(["check", "--workload", "bank", e]);
    expect(a.exitCode).toBe(1);
    expect(a.stderr).toContain("read as jepsen-edn");
    expect(a.stdout).toContain("wrong-total");
    const b = await fl(["check", "--workload", "bank", "--json", j]);
    expect(b.exitCode).toBe(1);
    expect(b.stderr).toContain("read as jepsen-json");
    expect(JSON.parse(b.stdout).checkers.bank.anomalies).toHaveLength(1);
    expect((await fl(["check", "--workload", "bank", "--wopt", "total=15", e])).stdout).toContain("sums to 20, not 15");
    const c = await fl(["check", "--workload", "counter", e]);
    expect(c.exitCode).toBe(3);
    expect(c.stderr).toContain(`${e}:1: f: the counter checker does not know "transfer"`);
    const deep = join(dir, "deep.json");
    writeFileSync(deep, `{"process":0,"type":"invoke","f":"read","value":${"[".repeat(5000)}${"]".repeat(5000)}}\n`);
    const d = await fl(["check", deep]);
    expect(d.exitCode).toBe(3);
    expect(d.stderr).toContain(`${deep}:1: json: nested more than 1000`);
    const lf = await fl(["run", "--workload", "long-fork", "--results", dir]);
    expect(lf.exitCode).toBe(3);
    expect(lf.stderr).toContain("check-only");
  }, 60_000);
  it("import detects and maps a workload; export writes Jepsen JSON that checks alike", async () => {
    const dir = tmp();
    const e = join(dir, "set.edn"),
      out = join(dir, "set.jsonl"),
      back = join(dir, "back.json");
    writeFileSync(e, toEdn(seq([0, "add", 1, "ok", 1], [0, "add", 3, "ok", 3], [2, "read", null, "ok", [1]])));
    const im = await fl(["import", "--workload", "set", e, "-o", out]);
    expect(im.exitCode).toBe(0);
    expect(im.stderr).toContain("read as jepsen-edn");
    expect(readFileSync(out, "utf8")).toContain('"value":["s",3]');
    const chk = await fl(["check", "--workload", "set", out]);
    expect(chk.exitCode).toBe(1);
    expect(chk.stdout).toContain("lost-add");
    const ex = await fl(["export", "--to", "jepsen-json", "--workload", "set", out, "-o", back]);
    expect(ex.exitCode).toBe(0);
    expect(readFileSync(back, "utf8").split("\n")[0]).toBe(
      '{"index":0,"time":0,"type":"invoke","process":0,"f":"add","value":1}',
    );
    expect((await fl(["check", "--workload", "set", back])).exitCode).toBe(1);
  }, 60_000);
});
