// A checker and a nemesis the report has never heard of render with no change to the report: a test-only
// checker's typed evidence is drawn as steps and a witness, and a test-only nemesis' declared colour shades its
// faults and names them in the legend; the spectrum reads the test checker's declared model.
import { beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { nemeses, workloads } from "../../src/registry.ts";
import { run } from "../../src/run/runner.ts";
import { resolveConfig } from "../../src/run/config.ts";
import type { ReportData } from "../../src/report/data.ts";
import type { Nemesis } from "../../nemeses/types.ts";
import type { Workload } from "../../src/run/types.ts";
import type { Verdict } from "../../checkers/types.ts";
import type { Op } from "../../src/history/op.ts";
import { CHROMIUM, launchChromium } from "./chromium.ts";

const COLOUR = "#00ff7f";
const embedded = (html: string): ReportData =>
  JSON.parse(/<script type="application\/json" id="faultline-data">([\s\S]*?)<\/script>/.exec(html)![1]);

// A fault that changes nothing, in a colour no built-in nemesis uses.
const hush: Nemesis = {
  name: "hush",
  description: "marks a quiet spell (does nothing)",
  colour: COLOUR,
  requires: [],
  specs: ["one"],
  async inject(ctx) {
    return { nodes: ctx.nodes.slice(0, 1), value: {} };
  },
  async heal() {},
};

/** The first two completed writes, joined by a step the zebra checker finds suspicious. */
function zebra(h: readonly Op[]): Verdict {
  const writes = h
    .filter((o) => o.type === "ok" && o.f === "write")
    .slice(0, 2)
    .map((o) => o.index);
  return {
    checker: "zebra",
    valid: false,
    anomalies: [
      {
        kind: "striped",
        ops: writes,
        explanation: "Two writes wear stripes.",
        evidence: {
          steps: [
            {
              from: writes[0],
              to: writes[1],
              relation: "striped-before",
              why: "the first write's stripes run into the second",
            },
          ],
          witness: writes,
          witnessText: "the two striped writes",
        },
      },
    ],
  };
}

describe("a new checker and a new nemesis in the report, with no report change", () => {
  let dir = "";
  const loadRegister = workloads.register;
  beforeAll(async () => {
    // The register workload with one more checker, which only this test knows.
    const register = await loadRegister();
    const withZebra: Workload = {
      ...register,
      checkers: (o) => [...register.checkers(o), { name: "zebra", decides: ["causal"], check: zebra }],
    };
    workloads.register = async () => withZebra;
    nemeses.hush = async () => hush;
    try {
      dir = (
        await run(
          await resolveConfig({
            resultsDir: mkdtempSync(join(tmpdir(), "fl-extend-")),
            mode: "linearizable",
            nemesis: ["hush"],
            seed: "3",
            timeLimit: 3,
          }),
        )
      ).dir;
    } finally {
      workloads.register = loadRegister;
      delete nemeses.hush;
    }
  });

  it("the report data carries the checker's evidence, the nemesis' declared colour, and the declared model in the spectrum", () => {
    const data = embedded(readFileSync(join(dir, "report.html"), "utf8"));
    const a = data.anomalies.find((x) => x.checker === "zebra")!;
    expect(a.kind).toBe("striped");
    expect(a.evidence?.steps).toEqual([
      expect.objectContaining({ relation: "striped-before", why: "the first write's stripes run into the second" }),
    ]);
    expect(a.evidence?.witness).toHaveLength(2);
    expect(data.faults.length).toBeGreaterThan(0);
    expect(data.faults.every((f) => f.f === "hush")).toBe(true);
    expect(data.faultKinds.hush).toEqual({ colour: COLOUR, description: hush.description });
    const causal = data.spectrum!.models.find((m) => m.model === "causal")!;
    expect(causal.status).toBe("violated");
    expect(causal.anomalies).toBe(1);
    // The sim's linearizable mode held linearizability, which the zebra's causal violation contradicts: said so.
    expect(data.spectrum!.models.find((m) => m.model === "linearizable")!.note).toMatch(
      /inconsistent: causal was found violated/,
    );
  });

  it.skipIf(!existsSync(CHROMIUM))(
    "the page draws the steps, the witness and the fault in its declared colour",
    async () => {
      const browser: Browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        await page.route("**/*", (route) =>
          route.request().url().startsWith("file:") ? route.continue() : route.abort(),
        );
        await page.goto(`file://${join(dir, "report.html")}`);
        await page.waitForSelector("body[data-ready='1']", { timeout: 20_000 });
        const card = page.locator(".card.anomaly[data-checker='zebra']");
        expect(await card.locator(".kind").textContent()).toBe("striped");
        expect(await card.locator("ol.chain li").count()).toBe(1);
        expect(await card.locator("ol.chain li").textContent()).toContain("—striped-before→");
        expect(await card.locator("ol.chain li").textContent()).toContain(
          "the first write's stripes run into the second",
        );
        expect(await card.locator("h3.witness").textContent()).toContain(
          "Witness (2 operations): the two striped writes",
        );
        const legend = page.locator("#tl-toolbar .fault-kind[data-fault='hush']");
        expect(await legend.textContent()).toBe("hush (fault)");
        expect(await legend.getAttribute("title")).toBe(hush.description);
        expect(await legend.locator(".sw").evaluate((e) => getComputedStyle(e).backgroundColor)).toBe(
          "rgb(0, 255, 127)",
        );
        // The timeline's fault band is drawn in the declared colour (at 25% over white).
        const tinted = await page.evaluate(() => {
          const c = (globalThis as any).document.getElementById("tl"),
            d = c
              .getContext("2d")
              .getImageData(0, 0, c.width, Math.round(14 * (globalThis as any).devicePixelRatio)).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4)
            if (Math.abs(d[i] - 191) <= 2 && d[i + 1] === 255 && Math.abs(d[i + 2] - 223) <= 2) n++;
          return n;
        });
        expect(tinted).toBeGreaterThan(50);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
});
