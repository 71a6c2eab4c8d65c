// Report benchmark (npm run bench:report): a 100,000-operation sim run's report.html must stay under 20 MB and
// load in Chromium in under 3 s; also prints generation time and redraw times (whole run and zoomed in).
// Exits 1 when a budget is exceeded; skips (exit 0, with a message) when /usr/bin/chromium is absent.
import { existsSync, mkdtempSync, statSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/run/runner.ts";
import { resolveConfig } from "../../src/run/config.ts";
import { writeReport } from "../../src/report/index.ts";
import { CHROMIUM, launchChromium } from "../report/chromium.ts";

const OPS = Number(process.env.FAULTLINE_BENCH_OPS ?? 100_000);
const BUDGET = { bytes: 20 * 1024 * 1024, loadMs: 3000 };

const root = mkdtempSync(join(tmpdir(), "fl-bench-report-"));
const failures: string[] = [];
try {
  let t = performance.now();
  const out = await run(
    await resolveConfig({
      resultsDir: root,
      mode: "primary-async",
      nemesis: ["partition"],
      seed: "7",
      rate: 0,
      ops: OPS,
      timeLimit: 100_000,
    }),
  );
  const runMs = performance.now() - t;
  const ops = out.history.filter((o) => o.type === "invoke").length;
  t = performance.now();
  const file = writeReport(out.dir);
  const genMs = performance.now() - t;
  const bytes = statSync(file).size;
  console.log(`report bench: ${ops} ops (${out.history.length} events), run ${(runMs / 1000).toFixed(1)} s`);
  console.log(
    `  report.html: ${(bytes / 1048576).toFixed(2)} MB (budget ${BUDGET.bytes / 1048576} MB), written in ${genMs.toFixed(0)} ms`,
  );
  if (bytes >= BUDGET.bytes) failures.push(`report.html is ${bytes} bytes (budget ${BUDGET.bytes})`);

  if (!existsSync(CHROMIUM)) {
    console.log(`  load time: SKIPPED (no Chromium at ${CHROMIUM}; apt-get install -y chromium)`);
  } else {
    const browser = await launchChromium();
    try {
      const loads: number[] = [];
      let redraw: Record<string, number> = {};
      for (let i = 0; i < 3; i++) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        const start = performance.now();
        await page.goto(`file://${file}`);
        await page.waitForSelector("body[data-ready='1']", { timeout: 60_000 });
        loads.push(performance.now() - start);
        if (i === 2) {
          // A string, not a function: tsx would add helpers to a function that do not exist in the page.
          redraw = await page.evaluate(`(() => {
            const f = window.faultlineReport;
            const time = (fn) => { const s = performance.now(); for (let k = 0; k < 10; k++) fn(); return (performance.now() - s) / 10; };
            const whole = time(f.redraw);
            f.showAnomaly(0, { scroll: false });
            const anomaly = time(f.redraw);
            f.fitAll(); f.zoomAt(0.02, 0.5);
            const zoomed = time(f.redraw);
            return { whole, anomaly, zoomed };
          })()`);
        }
        await page.close();
      }
      const best = Math.min(...loads),
        worst = Math.max(...loads);
      console.log(
        `  load in Chromium (navigation to first full draw): best ${best.toFixed(0)} ms, worst ${worst.toFixed(0)} ms of 3 (budget ${BUDGET.loadMs} ms)`,
      );
      console.log(
        `  redraw of timeline + overview + plots: whole run ${redraw.whole.toFixed(1)} ms, anomaly zoom ${redraw.anomaly.toFixed(1)} ms, 2% window ${redraw.zoomed.toFixed(1)} ms`,
      );
      if (best >= BUDGET.loadMs) failures.push(`report loads in ${best.toFixed(0)} ms (budget ${BUDGET.loadMs} ms)`);
    } finally {
      await browser.close();
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
if (failures.length) {
  console.error(`report bench FAILED:\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
console.log("report bench: ok");
