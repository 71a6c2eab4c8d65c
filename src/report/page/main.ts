/// <reference lib="dom" />
// faultline's report page: reads the JSON embedded in the page and renders the summary and anomalies with
// textContent only (recorded values are untrusted), and draws the timeline and plots on canvas. No network.
// Bundled by esbuild into the page's one inline script (see bundle.ts).
import { $ } from "./dom.ts";
import { DATA, N } from "./ops.ts";
import { clampView, fitAll, onRedraw, schedule, state, view, zoomAt } from "./view.ts";
import {
  attachPanZoom,
  attachTimeline,
  drawOverview,
  drawTimeline,
  opBox,
  renderToolbar,
  selectOp,
} from "./timeline.ts";
import { drawLag, drawLatency, drawThroughput, renderPlotLegends } from "./plots.ts";
import { minis, renderAnomalies, showAnomaly } from "./anomalies.ts";
import { renderSummary } from "./summary.ts";

function drawAll(): void {
  drawTimeline();
  drawOverview();
  drawLatency();
  drawThroughput();
}
onRedraw(drawAll);
attachTimeline();
for (const id of ["latency", "throughput"]) attachPanZoom($<HTMLCanvasElement>(id), { gutter: 64 });
renderToolbar();
renderPlotLegends();
renderSummary();
renderAnomalies();
drawLag();
clampView();
drawAll();
let lastW = 0;
new ResizeObserver(() => {
  if (document.body.clientWidth === lastW) return;
  lastW = document.body.clientWidth;
  schedule();
  for (const m of minis) requestAnimationFrame(m);
  drawLag();
}).observe(document.body);
const m = /^#anomaly-(\d+)$/.exec(location.hash);
if (m && DATA.anomalies[+m[1]]) showAnomaly(+m[1], { scroll: false });

// For tests and the curious: the page's state and actions.
(window as unknown as Record<string, unknown>).faultlineReport = {
  view,
  state,
  data: DATA,
  showAnomaly,
  selectOp,
  fitAll,
  zoomAt,
  opBox,
  redraw: drawAll,
  draws: { drawTimeline, drawOverview, drawLatency, drawThroughput },
  ops: N,
};
document.body.dataset.ready = "1";
