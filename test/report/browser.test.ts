// report.html in a real browser (Debian's Chromium through playwright-core): offline, the anomaly of a known-bad
// sim run listed with its explanation, clicking it zooms the timeline, and recorded values are inert text.
// Skipped, with a message, when /usr/bin/chromium is absent (install it with `apt-get install -y chromium`).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { run } from "../../src/run/runner.ts";
import { resolveConfig } from "../../src/run/config.ts";
import { writeReport } from "../../src/report/index.ts";
import { historyBuilder } from "../helpers.ts";
import { CHROMIUM, launchChromium } from "./chromium.ts";

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  process.stderr.write(
    `test/report/browser.test.ts: SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set FAULTLINE_CHROMIUM)\n`,
  );
const XSS = "</script><img src=x onerror=alert(1)>";
const tmp = () => mkdtempSync(join(tmpdir(), "fl-report-ui-"));

/** Opens a report from disk with every non-file request blocked and recorded; page errors and dialogs are recorded too. */
async function open(browser: Browser, file: string) {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const network: string[] = [],
    errors: string[] = [],
    dialogs: string[] = [];
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:")) return route.continue();
    network.push(url);
    return route.abort();
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`file://${file}`);
  await page.waitForSelector("body[data-ready='1']", { timeout: 20_000 });
  return { page, network, errors, dialogs };
}
// Page-side code runs in the browser; the project's type check has no DOM types, so it reaches the page through `doc`.
const view = (page: Page) =>
  page.evaluate(() => {
    const doc = (globalThis as any).document;
    return { t0: Number(doc.getElementById("tl").dataset.t0), t1: Number(doc.getElementById("tl").dataset.t1) };
  });

describe.skipIf(!haveChromium)("report.html in Chromium", () => {
  let browser: Browser;
  let knownBad = "";
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("a known-bad sim run: the anomaly is listed with its explanation, and clicking it zooms the timeline to its ops", async () => {
    const out = await run(
      await resolveConfig({
        resultsDir: tmp(),
        mode: "primary-async",
        nemesis: ["partition"],
        seed: "7",
        timeLimit: 3,
      }),
    );
    knownBad = out.dir;
    const anomalies = out.results.checkers.linearizable.anomalies;
    expect(anomalies.length).toBeGreaterThan(0);
    const { page, network, errors, dialogs } = await open(browser, join(out.dir, "report.html"));
    try {
      expect(await page.textContent("#verdict")).toBe("INVALID");
      expect(await page.locator(".card.anomaly").count()).toBe(anomalies.length);
      const first = page.locator("#anomaly-0");
      expect(await first.locator(".kind").textContent()).toBe("nonlinearizable");
      expect(await first.locator(".checker-says").textContent()).toBe(`Checker: ${anomalies[0].explanation}`);
      const story = (await first.locator(".story").textContent())!;
      expect(story).toMatch(
        /^Process \d+, talking to n\d, read k\d and got \d \(invoked at \d+\.\d{3} s, acknowledged at \d+\.\d{3} s\)\./,
      );
      expect(story).toContain("not linearizable");

      const whole = await view(page);
      const times = anomalies[0].ops.map((i) => out.history[i].time);
      expect(Math.min(...times)).toBeGreaterThan(whole.t0);
      await page.click("#anomaly-0 a.zoom");
      await page.waitForFunction(() => (globalThis as any).document.body.dataset.anomaly === "0");
      await page.waitForTimeout(100); // the redraw is on the next animation frame
      const zoomed = await view(page);
      const opsSpan = Math.max(...anomalies[0].ops.map((i) => out.history[i].time)) - Math.min(...times);
      expect(zoomed.t1 - zoomed.t0).toBeLessThan(Math.max(opsSpan, 1e5) * 2);
      expect(zoomed.t1 - zoomed.t0).toBeLessThan((whole.t1 - whole.t0) / 2);
      for (const t of times) {
        expect(t).toBeGreaterThanOrEqual(zoomed.t0);
        expect(t).toBeLessThanOrEqual(zoomed.t1);
      }
      expect(await first.getAttribute("class")).toContain("active");
      // The highlighted ops are drawn: the timeline has the highlight color somewhere.
      const purple = await page.evaluate(() => {
        const c = (globalThis as any).document.getElementById("tl"),
          d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] === 0x6b && d[i + 1] === 0x21 && d[i + 2] === 0xa8) n++;
        return n;
      });
      expect(purple).toBeGreaterThan(20);

      // Hovering the op that cannot be placed shows its details; clicking pins them.
      const box = (await page.locator("#tl").boundingBox())!;
      const blocked = (anomalies[0].details as { blocked: { index: number }[] }).blocked[0].index;
      const at = (await page.evaluate(`window.faultlineReport.opBox(${blocked})`)) as {
        x: number;
        y: number;
        w: number;
        h: number;
      } | null;
      expect(at).not.toBeNull();
      await page.mouse.move(box.x + at!.x + at!.w / 2, box.y + at!.y + at!.h / 2);
      await page.waitForSelector("#tip:not([hidden])");
      const tip = (await page.textContent("#tip"))!;
      expect(tip).toContain(`process ${out.history[blocked].process} read`);
      expect(tip).toContain(`(history #${blocked})`);
      await page.mouse.click(box.x + at!.x + at!.w / 2, box.y + at!.y + at!.h / 2);
      expect(await page.textContent("#selected pre")).toBe(tip);
      expect(await page.textContent("#selected")).toContain("Part of: [nonlinearizable] anomaly 1");

      // Wheel zooms, drag pans, the fit key shows the whole run again.
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, -300);
      await page.waitForTimeout(100);
      const closer = await view(page);
      expect(closer.t1 - closer.t0).toBeLessThan(zoomed.t1 - zoomed.t0);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 - 200, box.y + box.height / 2, { steps: 4 });
      await page.mouse.up();
      await page.waitForTimeout(100);
      expect((await view(page)).t0).toBeGreaterThan(closer.t0);
      await page.focus("#tl");
      await page.keyboard.press("0");
      await page.waitForTimeout(100);
      expect((await view(page)).t1 - (await view(page)).t0).toBeGreaterThanOrEqual(whole.t1 - whole.t0);

      expect(network).toEqual([]);
      expect(errors).toEqual([]);
      expect(dialogs).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("a link to report.html#anomaly-N opens zoomed to that anomaly", async () => {
    const { page, errors } = await open(browser, join(knownBad, "report.html") + "#anomaly-1");
    try {
      expect(await page.evaluate("document.body.dataset.anomaly")).toBe("1");
      const v = await view(page);
      await page.evaluate("window.faultlineReport.fitAll()");
      await page.waitForTimeout(100);
      expect(await view(page)).not.toEqual(v);
      await page.click("#anomaly-1 a.zoom");
      await page.waitForTimeout(100);
      expect(await view(page)).toEqual(v);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("recorded values are inert: the XSS string renders as text everywhere", async () => {
    const dir = tmp();
    const h = historyBuilder();
    h.invoke(0, "write", ["k", XSS], { node: XSS });
    h.ok(0, "write", ["k", XSS], { node: XSS });
    h.info("nemesis", "partition", { nodes: [XSS], groups: [[XSS], ["n1"]] });
    h.invoke(1, "read", ["k", null], { node: "n1" });
    h.fail(1, "read", ["k", null], { node: "n1", error: XSS });
    h.invoke(2, "read", ["k", null], { node: "n1" });
    h.ok(2, "read", ["k", XSS], { node: "n1" });
    writeFileSync(join(dir, "history.jsonl"), h.ops.map((o) => JSON.stringify(o)).join("\n") + "\n");
    writeFileSync(
      join(dir, "run.json"),
      JSON.stringify({
        name: XSS,
        argv: [XSS],
        config: { target: XSS, mode: XSS, workload: XSS, nemesis: [XSS] },
        nodes: [XSS],
      }),
    );
    writeFileSync(
      join(dir, "results.json"),
      JSON.stringify({
        valid: false,
        checkers: {
          [XSS]: {
            checker: XSS,
            valid: false,
            reason: XSS,
            anomalies: [
              { kind: XSS, key: XSS, ops: [0, 1, 5, 6], explanation: XSS, details: { chain: [0, 5], note: XSS } },
            ],
          },
        },
        spectrum: { models: { [XSS]: { status: "violated", anomalies: 1, note: XSS } }, strongest: XSS },
      }),
    );
    writeReport(dir);
    expect(readFileSync(join(dir, "report.html"), "utf8")).not.toContain("<img");
    const { page, network, errors, dialogs } = await open(browser, join(dir, "report.html"));
    try {
      await page.click("#anomaly-0 a.zoom");
      await page.click("#anomaly-0 table.ops tr.clickable >> nth=0"); // selects the op: its details panel shows the value
      await page.waitForTimeout(200);
      expect(await page.evaluate(() => (globalThis as any).document.querySelectorAll("img").length)).toBe(0);
      const text = await page.evaluate(() => (globalThis as any).document.body.innerText as string);
      const count = text.split(XSS).length - 1;
      expect(count).toBeGreaterThan(8); // title, facts, checkers, spectrum, anomaly, ops table, selected op...
      expect(await page.title()).toContain(XSS);
      expect(network).toEqual([]);
      expect(errors).toEqual([]);
      expect(dialogs).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
