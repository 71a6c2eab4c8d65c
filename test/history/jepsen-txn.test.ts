import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { historyToEdn, parseJepsenEdn } from "../../src/history/formats/jepsen-edn.ts";
import { inferTxnWorkload, txnValueToEdn, validateTxnOps } from "../../src/history/formats/jepsen-txn.ts";
import { HistoryError } from "../../src/history/op.ts";
import { run } from "../../src/run/runner.ts";
import { resolveConfig } from "../../src/run/config.ts";
import { runCheckers } from "../../src/run/check.ts";
import { workloads } from "../../src/registry.ts";

const bin = join(import.meta.dirname, "../../bin/faultline.js");
const fl = (args: string[]) => execa("node", [bin, ...args], { reject: false });
const tmp = () => mkdtempSync(join(tmpdir(), "fl-txn-"));
const jsonl = (ops: object[]) => ops.map((o, i) => JSON.stringify({ index: i, time: i, ...o })).join("\n") + "\n";

describe("transactional histories in Jepsen EDN", () => {
  it("exports micro-ops as keyword vectors and reads them back unchanged", () => {
    expect(
      txnValueToEdn([
        ["append", 3, 7],
        ["r", 3, [1, 2, 7]],
        ["r", 4, null],
      ]),
    ).toBe("[[:append 3 7] [:r 3 [1 2 7]] [:r 4 nil]]");
    const ops = parseJepsenEdn(
      `{:type :invoke, :f :txn, :value [[:append 3 7] [:r 3 nil]], :process 0, :time 1}
{:type :ok, :f :txn, :value [[:append 3 7] [:r 3 [7]]], :process 0, :time 2}
{:type :invoke, :f :txn, :value [[:r 1 nil]], :process 1, :time 3}`,
      "h.edn",
    );
    expect(ops[1].value).toEqual([
      ["append", 3, 7],
      ["r", 3, [7]],
    ]);
    expect(parseJepsenEdn(historyToEdn(ops), "again.edn").map((o) => o.value)).toEqual(ops.map((o) => o.value));
    expect(inferTxnWorkload(ops)).toBe("list-append");
    expect(inferTxnWorkload([{ f: "txn", value: [["w", 1, 2]] }])).toBe("rw-register");
    // Knossos' multi-register transactions stay linearizability histories.
    expect(
      inferTxnWorkload([
        {
          f: "txn",
          value: [
            ["read", "x", null],
            ["write", "y", 1],
          ],
        },
      ]),
    ).toBeUndefined();
  });

  it("a sim run exported to EDN and imported again gets the same verdict", async () => {
    for (const [mode, workload] of [
      ["txn-snapshot", "list-append"],
      ["txn-read-committed", "rw-register"],
      ["txn-strict-serializable", "list-append"],
    ]) {
      const out = await run(
        await resolveConfig({
          resultsDir: tmp(),
          target: "sim",
          mode,
          workload,
          nemesis: [],
          timeLimit: 2,
          concurrency: 8,
          seed: "5",
        }),
      );
      const back = parseJepsenEdn(historyToEdn(out.history), "h.edn");
      const again = runCheckers(back, (await workloads[workload]()).checkers({ keys: 0, seed: "" }));
      expect(again.valid, mode).toBe(out.results.valid);
      expect(out.results.valid, mode).toBe(mode === "txn-strict-serializable");
      expect(
        again.checkers.isolation.anomalies.map((a) => a.kind),
        mode,
      ).toEqual(out.results.checkers.isolation.anomalies.map((a) => a.kind));
    }
  });

  it("bad transactions are file:line: field: problem errors", () => {
    const v =
      (ops: { f: string; type: string; value: unknown }[], w: "list-append" | "rw-register" = "list-append") =>
      () =>
        validateTxnOps(ops, w, "h.jsonl", (i) => i + 1);
    expect(v([{ f: "txn", type: "invoke", value: [["append", 1]] }])).toThrow(
      "h.jsonl:1: value[0]: a micro-op must be [f, key, value]",
    );
    expect(v([{ f: "txn", type: "invoke", value: [["w", 1, 2]] }])).toThrow(
      /list-append micro-ops are "r" and "append", got "w"/,
    );
    expect(v([{ f: "txn", type: "invoke", value: "nope" }])).toThrow(HistoryError);
    expect(
      v([
        { f: "txn", type: "invoke", value: [["append", 1, 5]] },
        { f: "txn", type: "ok", value: [["append", 1, 5]] },
        {
          f: "txn",
          type: "invoke",
          value: [
            ["r", 1, null],
            ["append", 1, 5],
          ],
        },
      ]),
    ).toThrow(
      "h.jsonl:3: value[1].value: 5 is appended to key 1 a second time (first at line 1); values must be unique per key",
    );
    expect(v([{ f: "txn", type: "ok", value: [["r", 1, 3]] }])).toThrow(
      "h.jsonl:1: value[0].value: a list-append read must give a list (or nil), got 3",
    );
    expect(
      v(
        [
          { f: "txn", type: "invoke", value: [["w", 1, 5]] },
          { f: "txn", type: "invoke", value: [["w", 1, 5]] },
        ],
        "rw-register",
      ),
    ).toThrow(/written to key 1 a second time/);
    // The same shapes pass when well formed.
    expect(
      v([
        {
          f: "txn",
          type: "invoke",
          value: [
            ["append", 1, 5],
            ["r", 1, null],
          ],
        },
        {
          f: "txn",
          type: "ok",
          value: [
            ["append", 1, 5],
            ["r", 1, [5]],
          ],
        },
      ]),
    ).not.toThrow();
  });

  it("check exits 3 with file:line on a bad JSONL or EDN transaction history", async () => {
    const dir = tmp();
    const bad = join(dir, "h.jsonl");
    writeFileSync(
      bad,
      jsonl([
        { process: 0, type: "invoke", f: "txn", value: [["append", 1, 1]] },
        { process: 0, type: "ok", f: "txn", value: [["append", 1, 1]] },
        { process: 1, type: "invoke", f: "txn", value: [["r", 1, null]] },
        { process: 1, type: "ok", f: "txn", value: [["r", 1, "1"]] },
      ]),
    );
    const r = await fl(["check", bad, "--workload", "list-append"]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(`${bad}:4: value[0].value: a list-append read must give a list (or nil), got "1"`);
    // Blank lines move ops off line index + 1: the error still names the op's own line.
    writeFileSync(bad, "\n" + readFileSync(bad, "utf8").split("\n").join("\n\n"));
    const b = await fl(["check", bad, "--workload", "list-append"]);
    expect(b.exitCode).toBe(3);
    expect(b.stderr).toContain(`${bad}:8: value[0].value: a list-append read must give a list (or nil), got "1"`);
    const edn = join(dir, "h.edn");
    writeFileSync(
      edn,
      `[{:type :invoke, :f :txn, :value [[:append 1 1]], :process 0}
 {:type :ok, :f :txn, :value [[:append 1 1]], :process 0}
 {:type :invoke, :f :txn, :value [[:append 1 1]], :process 1}]\n`,
    );
    const e = await fl(["check", edn, "--format", "jepsen-edn"]);
    expect(e.exitCode).toBe(3);
    expect(e.stderr).toContain(`${edn}:3: value[0].value: 1 is appended to key 1 a second time (first at line 1)`);
  });
});
