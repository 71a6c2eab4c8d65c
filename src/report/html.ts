// Assembles report.html: one self-contained file (styles, script and data inline; no network), which opens from disk.
// Recorded values are untrusted: the data goes in as JSON with <, >, &, U+2028 and U+2029 escaped, so nothing in it
// can close the <script> element, and the page script renders values with textContent only. The page's
// Content-Security-Policy allows no network access and runs only the page script (by hash), never inline handlers.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ReportData } from "./data.ts";
import { bundlePage } from "./bundle.ts";

const asset = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url), "utf8");
/** The page script: bundled from page/*.ts when running from the sources, else the bundle the build wrote. */
function pageScript(): string {
  const entry = new URL("./page/main.ts", import.meta.url);
  return existsSync(entry)
    ? bundlePage(fileURLToPath(entry), fileURLToPath(new URL("../..", import.meta.url)))
    : asset("report.js");
}
let cached: { css: string; js: string } | undefined;
const assets = () => (cached ??= { css: asset("report.css"), js: pageScript() });

/** JSON that is safe inside a <script> element and inside JavaScript source. */
export function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** Text safe in HTML element content and in double-quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export const scriptHash = (js: string) => `'sha256-${createHash("sha256").update(js, "utf8").digest("base64")}'`;

/** The Content-Security-Policy of a page whose only scripts are `scripts`: no network, no inline handlers. */
export function csp(scripts: string[]): string {
  return `default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src ${scripts.map(scriptHash).join(" ")}; base-uri 'none'; form-action 'none'`;
}

/** The policy a served report.html runs under: only the page script this version renders may run, so a
 *  report.html someone else wrote into the results directory cannot run its own script. */
export const reportCsp = (): string => csp([assets().js]);

export function renderReport(data: ReportData): string {
  const { css, js } = assets();
  const title = `faultline · ${data.title}${data.run.name ? ` · ${String(data.run.name)}` : ""}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp([js]))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="faultline">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
<header id="top"><h1><span class="brand">faultline</span> <span id="title"></span></h1><span id="verdict" class="badge"></span></header>
<nav><a href="#summary">Summary</a><a href="#anomalies">Anomalies</a><a href="#timeline">Timeline</a><a href="#plots">Plots</a></nav>
<main>
<section id="summary"><h2>Summary</h2><div id="facts"></div><div id="notes"></div><div id="checkers"></div><div id="spectrum"></div><div id="byf"></div></section>
<section id="anomalies"><h2>Anomalies</h2><div id="anomaly-list"></div></section>
<section id="timeline"><h2>Timeline</h2>
<div class="toolbar" id="tl-toolbar"></div>
<canvas id="overview" class="overview" title="the whole run: drag to move the timeline's window"></canvas>
<div class="tl-wrap" id="tl-wrap"><canvas id="tl" tabindex="0" aria-label="timeline: one lane per process, each operation a bar from invocation to completion"></canvas><div id="tip" class="tip" hidden></div></div>
<p class="hint">Wheel or +/− zooms, drag or arrow keys pan, Shift+wheel scrolls lanes, double-click zooms in, 0 fits the whole run. Click an operation for its details.</p>
<div id="selected" class="selected"></div>
</section>
<section id="plots"><h2>Plots</h2>
<h3>Latency over time</h3><div class="legend" id="lat-legend"></div><canvas id="latency" class="plot"></canvas>
<h3>Throughput over time</h3><div class="legend" id="thr-legend"></div><canvas id="throughput" class="plot"></canvas>
<h3>Staleness (lag distribution)</h3><div id="lag-note"></div><canvas id="lag" class="plot" hidden></canvas>
</section>
</main>
<noscript><p>This report draws its content with JavaScript; the data is in results.json and history.jsonl beside it.</p></noscript>
<script type="application/json" id="faultline-data">${embedJson(data)}</script>
<script>${js}</script>
</body>
</html>
`;
}
