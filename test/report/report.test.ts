// The report's data, explanations, escaping, the `report` command and the `serve` server (no browser needed).
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, unlinkSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { historyBuilder } from "../helpers.ts";
import { buildReportData, readLags, readRunDir, type ReportData } from "../../src/report/data.ts";
import { embedJson, renderReport } from "../../src/report/html.ts";
import { reportAfterRun, writeReport } from "../../src/report/index.ts";
import { serve } from "../../src/report/server.ts";
import { run } from "../../src/run/runner.ts";
import { resolveConfig } from "../../src/run/config.ts";
import type { Op } from "../../src/history/op.ts";
import { pairOperations } from "../../src/history/pairs.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "fl-report-"));
const bin = join(import.meta.dirname, "../../bin/faultline.js");
export const XSS = "</script><img src=x onerror=alert(1)>";
const jsonl = (ops: Op[]) => ops.map((o) => JSON.stringify(o)).join("\n") + "\n";
/** The data object embedded in a report page, parsed back the way the page does it. */
const embedded = (html: string): ReportData =>
  JSON.parse(/<script type="application\/json" id="faultline-data">([\s\S]*?)<\/script>/.exec(html)![1]);

/** A stale read under a partition: p0 writes 1, p1 writes 2 (acknowledged), then p2 on the isolated node reads 1. */
function staleHistory() {
  const h = historyBuilder();
  h.invoke(0, "write", ["x", 1], { node: "n1" });
  h.ok(0, "write", ["x", 1], { node: "n1" });
  h.info("nemesis", "partition", { nodes: ["n3"], groups: [["n3"], ["n1", "n2"]] });
  h.invoke(1, "write", ["x", 2], { node: "n1" });
  h.ok(1, "write", ["x", 2], { node: "n1" });
  h.invoke(2, "read", ["x", null], { node: "n3" });
  h.ok(2, "read", ["x", 1], { node: "n3" });
  h.info("nemesis", "heal-partition", { nodes: ["n3"] });
  return h.ops;
}

describe("report data", () => {
  it("embedJson cannot close the script element and round-trips exactly", () => {
    const v = { s: XSS, amp: "a&b", ls: "x\u2028y\u2029z", nested: [XSS] };
    const out = embedJson(v);
    expect(out).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(out)).toEqual(v);
  });

  it("explains a stale read in the reader's terms: who, what, when, which fault", () => {
    const ops = staleHistory();
    const results = {
      valid: false,
      checkers: {
        linearizable: {
          checker: "linearizable",
          valid: false,
          anomalies: [
            {
              kind: "nonlinearizable",
              key: "x",
              ops: [5, 6, 7, 8],
              explanation: 'Not linearizable on key "x"',
              evidence: {
                prefix: [
                  { index: 0, op: "write 1", state: "value 1" },
                  { index: 3, op: "write 2", state: "value 2" },
                ],
                prefixLength: 2,
                blocked: [{ index: 5, op: "read → 1" }],
              },
            },
          ],
        },
      },
    };
    const d = buildReportData({ history: ops, results });
    expect(d.anomalies).toHaveLength(1);
    const story = d.anomalies[0].story;
    expect(story).toContain("Process 2, talking to n3, read x and got 1 (invoked at 0.005 s, acknowledged at 0.006 s)");
    expect(story).toContain("process 1 had written 2 to x, acknowledged at 0.004 s, 1 ms before this read began");
    expect(story).toContain("a stale read");
    expect(story).toContain("A partition isolating n3 (n3 | n1, n2) had begun at 0.002 s");
    expect(story).toContain("n3, the node process 2 talked to, was on the isolated side");
    // A fresh read is not called stale.
    const fresh = [...ops.slice(0, 5)];
    const h2 = historyBuilder();
    for (const o of fresh) h2.ops.push({ ...o });
    h2.invoke(2, "read", ["x", null], { node: "n1" });
    h2.ok(2, "read", ["x", 2], { node: "n1" });
    const d2 = buildReportData({
      history: h2.ops,
      results: {
        valid: false,
        checkers: {
          c: {
            checker: "c",
            valid: false,
            anomalies: [
              {
                kind: "nonlinearizable",
                ops: [5, 6],
                explanation: "",
                evidence: { prefix: [], blocked: [{ index: 5 }] },
              },
            ],
          },
        },
      },
    });
    expect(d2.anomalies[0].story).not.toContain("stale");
  });

  it("reads evidence loosely: indexes outside the history dropped, texts made strings and capped, lists capped", () => {
    const ops = staleHistory();
    const evidence = {
      steps: [
        { from: 0, to: 5, relation: "wr", why: XSS },
        { from: 0, to: 99, relation: "x", why: "out of range" },
        { from: -1, to: 5 },
        "junk",
        { from: 3, to: 5, relation: 7, why: { a: 1 } },
      ],
      order: [0, 5, 42, "3"],
      names: ["A", 5],
      witness: [5, 6, 1e9, 2.5],
      witnessText: "w".repeat(10_000),
      prefix: [
        { index: 0, op: "write 1", state: "value 1" },
        { index: 77, op: "gone", state: "?" },
      ],
      prefixLength: 1,
      blocked: [{ index: 5, op: 3 }, null],
      faults: Array.from({ length: 40 }, (_, i) => `fault ${i}`),
    };
    const d = buildReportData({
      history: ops,
      results: {
        valid: false,
        checkers: { mine: { valid: false, anomalies: [{ kind: "odd", ops: [0, 5], explanation: "", evidence }] } },
      },
    });
    const ev = d.anomalies[0].evidence!;
    expect(ev.steps).toEqual([
      { from: 0, to: 5, relation: "wr", why: XSS },
      { from: 3, to: 5, relation: "7", why: '{"a":1}' },
    ]);
    expect(ev.order).toEqual([0, 5]);
    expect(ev.names).toEqual(["A", "5"]);
    expect(ev.witness).toEqual([5, 6]);
    expect(ev.witnessText!.length).toBe(4097);
    expect(ev.prefix).toEqual([{ index: 0, op: "write 1", state: "value 1" }]);
    expect(ev.prefixLength).toBe(1);
    expect(ev.blocked).toEqual([{ index: 5, op: "3" }]);
    expect(ev.faults).toHaveLength(16);
    // Not an object: no evidence at all, and the anomaly still renders.
    const none = buildReportData({
      history: ops,
      results: {
        valid: false,
        checkers: { mine: { valid: false, anomalies: [{ kind: "odd", ops: [0], explanation: "", evidence: "zz" }] } },
      },
    });
    expect(none.anomalies[0].evidence).toBeUndefined();
  });

  it("puts every checker's first anomalies before any checker's fourth, so none hides behind another's many", () => {
    const ops = staleHistory();
    const many = Array.from({ length: 60 }, (_, i) => ({ kind: "stale-read", ops: [5, 6], explanation: `stale ${i}` }));
    const d = buildReportData({
      history: ops,
      results: {
        valid: false,
        checkers: {
          linearizable: { valid: false, anomalies: many },
          sequential: {
            valid: false,
            anomalies: [{ kind: "not-sequential", ops: [0, 1, 5, 6], explanation: "one order" }],
          },
        },
      },
    });
    expect(d.anomalies.map((a) => a.explanation).slice(0, 5)).toEqual([
      "stale 0",
      "one order",
      "stale 1",
      "stale 2",
      "stale 3",
    ]);
    expect(d.anomalies.map((a) => a.id)).toEqual(d.anomalies.map((_, i) => i));
    expect(d.anomalies).toHaveLength(61);
    expect(d.anomaliesOmitted).toBe(0);
  });

  it("encodes ops in columns that decode back to the history, and maps faults", () => {
    const ops = staleHistory();
    const d = buildReportData({ history: ops });
    expect(d.ops.n).toBe(3);
    let t = 0,
      i = 0;
    const decoded = Array.from({ length: d.ops.n }, (_, k) => {
      t += d.ops.t[k];
      i += d.ops.i[k];
      return {
        p: d.ops.p[k],
        t0: t,
        t1: t + d.ops.d[k],
        i0: i,
        i1: i + d.ops.j[k],
        f: d.strings[d.ops.f[k]],
        a: d.strings[d.ops.a[k]],
        b: d.ops.b[k] < 0 ? null : d.strings[d.ops.b[k]],
      };
    });
    expect(decoded[2]).toEqual({ p: 2, t0: 5e6, t1: 6e6, i0: 5, i1: 6, f: "read", a: '["x",null]', b: '["x",1]' });
    expect(decoded[0].b).toBeNull(); // a write's completion value equals its invocation's
    expect(d.faults).toEqual([
      expect.objectContaining({
        f: "partition",
        t0: 2e6,
        t1: 7e6,
        nodes: ["n3"],
        phrase: "a partition isolating n3 (n3 | n1, n2)",
      }),
    ]);
    expect(d.valid).toBeNull(); // no results: not checked
  });

  it("measures read staleness only when written values are unique per key", () => {
    const lag = readLags(pairOperations(staleHistory()));
    expect(lag).not.toBeNull();
    expect(lag!.samples).toEqual([1e6]); // overwritten (acknowledged) at 4 ms, read began at 5 ms
    expect(lag!.fresh).toBe(0);
    const h = historyBuilder();
    h.invoke(0, "write", ["x", 1]);
    h.ok(0, "write", ["x", 1]);
    h.invoke(0, "write", ["x", 1]);
    h.ok(0, "write", ["x", 1]);
    expect(readLags(pairOperations(h.ops))).toBeNull();
  });

  it("every untrusted string stays inside the JSON: no markup from data reaches the page", () => {
    const h = historyBuilder();
    h.invoke(0, "write", ["k", XSS], { node: XSS });
    h.fail(0, "write", ["k", XSS], { node: XSS, error: XSS });
    const html = renderReport(
      buildReportData({
        history: h.ops,
        run: { name: XSS, config: { target: XSS } },
        results: {
          valid: false,
          checkers: { [XSS]: { valid: false, anomalies: [{ kind: XSS, ops: [0, 1], explanation: XSS }] } },
        },
      }),
    );
    expect(html).not.toContain("<img");
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(embedded(html).run.name).toBe(XSS);
    // The page allows no network and only its own script.
    expect(html).toMatch(
      /Content-Security-Policy" content="default-src &#39;none&#39;; img-src data:; style-src &#39;unsafe-inline&#39;; script-src &#39;sha256-/,
    );
  });
});

describe("report files and commands", () => {
  // Runs are the slow part: one known-bad and one valid run, shared by the tests below (which run in order).
  const root = tmp();
  let bad: Awaited<ReturnType<typeof run>>, good: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    bad = await run(
      await resolveConfig({ resultsDir: root, mode: "primary-async", nemesis: ["partition"], seed: "7", timeLimit: 3 }),
    );
    await new Promise((r) => setTimeout(r, 5));
    good = await run(
      await resolveConfig({ resultsDir: root, mode: "linearizable", nemesis: ["partition"], seed: "7", timeLimit: 2 }),
    );
  });

  it("every run writes report.html beside results.json, with the anomaly and its explanation", () => {
    const out = bad;
    const file = join(out.dir, "report.html");
    expect(existsSync(file)).toBe(true);
    const data = embedded(readFileSync(file, "utf8"));
    const lin = out.results.checkers.linearizable;
    expect(lin.valid).toBe(false);
    expect(data.valid).toBe(false);
    expect(data.anomalies.map((a) => a.explanation)).toEqual(lin.anomalies.map((a) => a.explanation));
    expect(data.anomalies[0].story).toMatch(/^Process \d+, talking to n\d, read k\d and got \d/);
    expect(data.anomalies[0].story).toMatch(/not linearizable/);
    expect(data.counts.ok + data.counts.fail + data.counts.info).toBe(data.ops.n);
    expect(data.spectrum?.models.find((m) => m.model === "linearizable")?.status).toBe("violated");
  });

  it("a report failure never fails the run: it is logged", () => {
    const lines: string[] = [];
    expect(reportAfterRun(join(tmp(), "missing"), undefined, (l) => lines.push(l))).toBeUndefined();
    expect(lines[0]).toMatch(/^faultline: report.html not written: .*history.jsonl/);
  });

  it("a run killed mid-line still gets a report of what is complete, with a note", () => {
    const dir = tmp();
    writeFileSync(join(dir, "history.jsonl"), jsonl(staleHistory()) + '{"index":8,"ti');
    const files = readRunDir(dir);
    expect(files.history).toHaveLength(8);
    expect(files.notes!.join(" ")).toMatch(/incomplete line \(line 9\)/);
    expect(files.notes!.join(" ")).toMatch(/results.json is missing/);
    writeReport(dir);
    expect(embedded(readFileSync(join(dir, "report.html"), "utf8")).notes.length).toBe(3);
  });

  it("`faultline report` rewrites an older run's report; a garbled history is exit 3 with file:line", async () => {
    const out = bad;
    unlinkSync(join(out.dir, "report.html"));
    const r = await execa("node", [bin, "report", out.dir], { reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe(join(out.dir, "report.html"));
    expect(embedded(readFileSync(join(out.dir, "report.html"), "utf8")).anomalies.length).toBe(
      out.results.checkers.linearizable.anomalies.length,
    );
    const garbled = tmp();
    writeFileSync(
      join(garbled, "history.jsonl"),
      '{"index":0,"time":0,"process":0,"type":"invoke","f":"read","value":null}\n{"index":1,"time":1,"process":0,"type":"bogus","f":"read","value":null}\n',
    );
    const g = await execa("node", [bin, "report", garbled], { reject: false });
    expect(g.exitCode).toBe(3);
    expect(g.stderr).toContain(`${join(garbled, "history.jsonl")}:2: type: must be one of`);
    const none = await execa("node", [bin, "report", join(garbled, "nope")], { reject: false });
    expect(none.exitCode).toBe(3);
  });

  it("`serve` lists runs newest first and serves their reports and files, only inside the results directory", async () => {
    // An older run without a report: served anyway, rendered on the fly.
    unlinkSync(join(good.dir, "report.html"));
    mkdirSync(join(good.dir, "logs"));
    writeFileSync(join(good.dir, "logs", "n1.log"), XSS);
    const { server, url } = await serve({ root, port: 0 });
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const index = await (await fetch(url)).text();
      const goodAt = index.indexOf("sim-linearizable-register"),
        badAt = index.indexOf("sim-primary-async-register");
      expect(goodAt).toBeGreaterThan(0);
      expect(badAt).toBeGreaterThan(goodAt); // newest first
      expect(index).toContain("INVALID");
      expect(index).toMatch(/<td class="num">\d+<\/td>/);
      const runs = (await (await fetch(url + "api/runs")).json()) as {
        path: string;
        valid: unknown;
        anomalies: number;
      }[];
      expect(runs.map((r) => r.valid)).toEqual([true, false]);
      for (const [r, dir] of [
        [runs[0], good.dir],
        [runs[1], bad.dir],
      ] as const) {
        expect(index).toContain(`href="${r.path}"`);
        const res = await fetch(new URL(r.path, url));
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toMatch(/^text\/html/);
        const data = embedded(await res.text());
        expect(data.run.dir).toBe(dir);
        expect(data.anomalies.length).toBe(r.anomalies);
      }
      const hist = await fetch(new URL(runs[1].path + "history.jsonl", url));
      expect(hist.headers.get("content-type")).toMatch(/^text\/plain/);
      expect((await hist.text()).split("\n")[0]).toMatch(/^\{"index":0,/);
      const files = await (await fetch(new URL(runs[0].path + "files/", url))).text();
      expect(files).toContain('href="logs/"');
      const log = await fetch(new URL(runs[0].path + "files/logs/n1.log", url));
      expect(log.headers.get("content-type")).toMatch(/^text\/plain/);
      expect(await log.text()).toBe(XSS);
      for (const evil of [
        "run/..%2F..%2F..%2Fetc/passwd",
        "run/%2e%2e/%2e%2e/etc/passwd",
        "run/x/y/../../../../etc/passwd",
        "etc/passwd",
      ]) {
        const r = await fetch(url + evil);
        expect([400, 404]).toContain(r.status);
        expect(await r.text()).not.toContain("root:");
      }
    } finally {
      server.close();
    }
  });
});
