// The isolation checker's output downstream: the terminal summary prints the isolation table, results keep
// it, and report.html draws each cycle from its typed evidence (an inline SVG of the transactions and
// labelled edges beside the sentences) with the isolation table in the summary. The browser part is skipped,
// with a message, when /usr/bin/chromium is absent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { checkTxn } from "../../checkers/txn/index.ts";
import { runCheckers, summarize } from "../../src/run/check.ts";
import { buildReportData } from "../../src/report/data.ts";
import { writeReport } from "../../src/report/index.ts";
import { TxnHistory } from "./txn-history.ts";
import { CHROMIUM, launchChromium } from "../report/chromium.ts";

const haveChromium = existsSync(CHROMIUM);

// Write skew (G2-item) under a partition, and a long fork (G-nonadjacent, four transactions).
function skewed(): TxnHistory {
  return new TxnHistory()
    .nemesis("partition", { nodes: ["n1", "n2"] })
    .begin(1, [
      ["r", "x", []],
      ["append", "y", 1],
    ])
    .begin(2, [
      ["r", "y", []],
      ["append", "x", 1],
    ])
    .end(1)
    .end(2)
    .begin(3, [["append", "a", 1]])
    .begin(4, [["append", "b", 1]])
    .begin(5, [
      ["r", "a", [1]],
      ["r", "b", []],
    ])
    .begin(6, [
      ["r", "b", [1]],
      ["r", "a", []],
    ])
    .end(3)
    .end(4)
    .end(5)
    .end(6)
    .nemesis("heal")
    .txn(7, [
      ["r", "x", [1]],
      ["r", "y", [1]],
    ]);
}
const checkers = [
  { name: "isolation", check: (h: readonly unknown[]) => checkTxn(h as never, { workload: "list-append" }) },
];

describe("isolation results downstream", () => {
  it("summary prints the isolation table; results keep it; report data carries evidence and the table", () => {
    const h = skewed();
    const results = runCheckers(h.ops, checkers as never);
    expect(results.valid).toBe(false);
    expect(results.isolation?.status["snapshot-isolation"]).toBe("violated");
    const text = summarize(results);
    expect(text).toMatch(/isolation:\n/);
    expect(text).toMatch(/serializable\s+violated \(G-nonadjacent, G2-item\)/);
    const data = buildReportData({ history: h.ops, results: JSON.parse(JSON.stringify(results)) });
    expect(data.isolation?.strongest).toBe(results.isolation?.strongest);
    const kinds = data.anomalies.map((a) => a.kind).sort();
    expect(kinds).toEqual(["G-nonadjacent", "G2-item"]);
    const fork = data.anomalies.find((a) => a.kind === "G-nonadjacent")!;
    expect(fork.evidence?.steps?.map((s) => s.relation).sort()).toEqual(["rw", "rw", "wr", "wr"]);
    expect(fork.evidence?.order).toHaveLength(4);
    expect(fork.evidence?.faults?.[0]).toMatch(/^partition/);
    expect(fork.evidence?.names?.[0]).toBe("T1");
  });
  it("a history with no cycle: no evidence, every model held", () => {
    const h = new TxnHistory().txn(1, [["append", "x", 1]]).txn(2, [["r", "x", [1]]]);
    const data = buildReportData({
      history: h.ops,
      results: JSON.parse(JSON.stringify(runCheckers(h.ops, checkers as never))),
    });
    expect(data.anomalies).toEqual([]);
    expect(data.isolation?.models.every((m) => m.status === "held")).toBe(true);
  });
});

describe.skipIf(!haveChromium)("report.html draws each cycle", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  it("an SVG per cycle, one labelled arc per edge, beside the sentences; the isolation table in the summary", async () => {
    const h = skewed();
    const dir = mkdtempSync(join(tmpdir(), "fl-txn-report-"));
    const results = JSON.parse(JSON.stringify(runCheckers(h.ops, checkers as never)));
    const file = writeReport(dir, { dir, history: h.ops, results, run: { config: { workload: "list-append" } } });
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.route("**/*", (route) => (route.request().url().startsWith("file:") ? route.continue() : route.abort()));
    await page.goto(`file://${file}`);
    await page.waitForSelector("body[data-ready='1']", { timeout: 20_000 });
    try {
      expect(await page.locator("svg.cycle").count()).toBe(2);
      const fork = page.locator(".card.anomaly[data-kind='G-nonadjacent']");
      expect(await fork.locator("svg.cycle circle").count()).toBe(4);
      expect(await fork.locator("svg.cycle path[marker-end]").count()).toBe(4);
      expect(await fork.locator("svg.cycle .rel-label").allTextContents()).toEqual(
        expect.arrayContaining(["rw", "wr"]),
      );
      expect(await fork.locator(".cycle-words ol.chain li").first().textContent()).toMatch(/did not observe|observed/);
      expect(await page.locator("table.isolation tr").count()).toBe(11);
      expect(await page.locator("#spectrum").textContent()).toMatch(/Transactional isolation/);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
