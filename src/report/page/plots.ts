/// <reference lib="dom" />
// The plots: latency and throughput over the timeline's window (faults shaded), and the staleness histogram.
import { duration } from "../../format.ts";
import { $, el, sizeCanvas } from "./dom.ts";
import { DATA, Fi, N, S, T0, T1, Y, doneByType, lowerBound } from "./ops.ts";
import { COLOR, F_PALETTE, PX, TYPE_COLOR, rasterFor, word } from "./colours.ts";
import { HL, drawTimeAxis, niceStep, shadeFaults, state, view } from "./view.ts";

const PG = 64;
const fNames = [...new Set(Array.from(Fi))].map((i) => S[i]).sort();
const fColor = new Map(fNames.map((f, i) => [f, F_PALETTE[i % F_PALETTE.length]]));
let latMin = Infinity,
  latMax = 0;
for (let k = 0; k < N; k++)
  if (T1[k] !== Infinity) {
    const d = T1[k] - T0[k];
    if (d > 0 && d < latMin) latMin = d;
    if (d > latMax) latMax = d;
  }
if (!Number.isFinite(latMin)) {
  latMin = 1e3;
  latMax = 1e9;
}
latMin = Math.max(100, Math.pow(10, Math.floor(Math.log10(latMin))));
latMax = Math.pow(10, Math.ceil(Math.log10(Math.max(latMax, latMin * 10))));
const LOGLAT = new Float32Array(N);
for (let k = 0; k < N; k++) LOGLAT[k] = T1[k] === Infinity ? 0 : Math.log10(Math.max(T1[k] - T0[k], latMin));
const F_PX = new Uint32Array(S.length);
for (const f of fNames) F_PX[S.indexOf(f)] = word(fColor.get(f)!);
const INFO_PX = word("#d4910a");

export function drawLatency(): void {
  const c = $<HTMLCanvasElement>("latency"),
    { g, w, h } = sizeCanvas(c);
  const pw = w - PG,
    top = 28,
    ph = h - top - 8,
    span = view.t1 - view.t0;
  const X = (tt: number) => PG + ((tt - view.t0) / span) * pw;
  const lmin = Math.log10(latMin),
    lmax = Math.log10(latMax);
  const Yl = (d: number) => top + ph - ((Math.log10(Math.max(d, latMin)) - lmin) / (lmax - lmin)) * ph;
  g.clearRect(0, 0, w, h);
  shadeFaults(g, X, PG, w, top, ph);
  g.strokeStyle = "#eaeef2";
  g.fillStyle = "#656d76";
  g.font = "11px system-ui, sans-serif";
  g.textBaseline = "middle";
  for (let e = Math.ceil(lmin); e <= lmax; e++) {
    const y = Math.round(Yl(Math.pow(10, e))) + 0.5;
    g.beginPath();
    g.moveTo(PG, y);
    g.lineTo(w, y);
    g.stroke();
    g.fillText(duration(Math.pow(10, e)), 4, y);
  }
  // Points go into a pixel buffer (a small square each), so 100,000 of them cost a few milliseconds.
  const dpr = window.devicePixelRatio || 1,
    W = Math.max(1, Math.round(w * dpr)),
    H = Math.max(1, Math.round(h * dpr));
  const yk = ph / (lmax - lmin),
    r = rasterFor(c, W, H),
    px = r.px,
    sz = Math.max(2, Math.round(2.5 * dpr)),
    xmin = Math.round(PG * dpr);
  const hi = lowerBound(T0, view.t1 + 1),
    s0 = lowerBound(T0, view.t0);
  for (let k = s0; k < hi; k++) {
    if (T1[k] === Infinity) continue;
    if (state.only && HL[k] !== 1) continue;
    const color = Y[k] === 0 ? F_PX[Fi[k]] : Y[k] === 1 ? PX[1] : INFO_PX;
    const x = Math.round(X(T0[k]) * dpr) - 1,
      y = Math.round((top + ph - (LOGLAT[k] - lmin) * yk) * dpr) - 1;
    const xa = Math.max(xmin, x),
      xb = Math.min(W, x + sz),
      ya = Math.max(0, y),
      yb = Math.min(H, y + sz);
    for (let yy = ya; yy < yb; yy++) for (let i = yy * W + xa, e = yy * W + xb; i < e; i++) px[i] = color;
  }
  r.ctx.putImageData(r.img, 0, 0);
  g.drawImage(r.canvas, 0, 0, W, H, 0, 0, w, h);
  if (state.hl.size) {
    g.strokeStyle = COLOR.hl;
    g.lineWidth = 2;
    for (const k of state.hl)
      if (T1[k] !== Infinity && T0[k] >= view.t0 && T0[k] <= view.t1)
        g.strokeRect(X(T0[k]) - 3, Yl(T1[k] - T0[k]) - 3, 6, 6);
  }
  g.fillStyle = "#ffffff";
  g.fillRect(0, 0, w, 20);
  drawTimeAxis(g, PG, pw, 0, 20, X);
  g.fillStyle = "#656d76";
  g.fillText("latency", 4, 10);
}

export function drawThroughput(): void {
  const c = $<HTMLCanvasElement>("throughput"),
    { g, w, h } = sizeCanvas(c);
  const pw = w - PG,
    top = 20,
    ph = h - top - 6,
    span = view.t1 - view.t0;
  const X = (tt: number) => PG + ((tt - view.t0) / span) * pw;
  g.clearRect(0, 0, w, h);
  shadeFaults(g, X, PG, w, top, ph);
  const nb = Math.max(1, Math.floor(pw / 4)),
    bin = span / nb;
  const counts = [0, 1, 2].map((y) => {
    const arr = doneByType[y],
      out = new Float64Array(nb);
    let prev = lowerBound(arr, view.t0);
    for (let i = 0; i < nb; i++) {
      const nx = lowerBound(arr, view.t0 + (i + 1) * bin, prev);
      out[i] = nx - prev;
      prev = nx;
    }
    return out;
  });
  let max = 1;
  for (let i = 0; i < nb; i++) max = Math.max(max, counts[0][i] + counts[1][i] + counts[2][i]);
  const perSec = 1e9 / bin,
    topRate = niceStep(max * perSec);
  const scale = ph / Math.max(max, topRate / perSec);
  const bw = pw / nb;
  for (let i = 0; i < nb; i++) {
    let base = top + ph;
    for (let y = 0; y < 3; y++) {
      const v = counts[y][i];
      if (!v) continue;
      const hh = v * scale;
      g.fillStyle = TYPE_COLOR[y];
      g.fillRect(PG + i * bw, base - hh, Math.max(1, bw - 0.5), hh);
      base -= hh;
    }
  }
  g.fillStyle = "#656d76";
  g.font = "11px system-ui, sans-serif";
  g.textBaseline = "middle";
  const rateTop = (ph / scale) * perSec;
  for (const frac of [0.5, 1]) {
    const y = top + ph - frac * ph;
    g.strokeStyle = "#eaeef2";
    g.beginPath();
    g.moveTo(PG, y + 0.5);
    g.lineTo(w, y + 0.5);
    g.stroke();
    g.fillText(`${Math.round(rateTop * frac)}/s`, 4, y + 6);
  }
  g.fillStyle = "#ffffff";
  g.fillRect(0, 0, w, top);
  drawTimeAxis(g, PG, pw, 0, top, X);
  g.fillStyle = "#656d76";
  g.fillText("ops/s", 4, top / 2);
}

export function drawLag(): void {
  const lag = DATA.lag,
    c = $<HTMLCanvasElement>("lag"),
    note = $("lag-note");
  if (!lag) {
    note.textContent =
      "No staleness measure for this run: it needs reads of registers with unique written values (the session workload) or a checker that reports lags (staleness probes).";
    c.hidden = true;
    return;
  }
  const sorted = Float64Array.from(lag.samples).sort(),
    n = sorted.length,
    total = n + lag.fresh;
  const q = (p: number) => sorted[Math.min(n - 1, Math.floor(p * n))];
  const stats = lag.stats
    ? " · " +
      Object.entries(lag.stats)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")
    : "";
  note.textContent =
    `${lag.label}. ${total} sample(s): ${lag.fresh} not stale, ${n} stale` +
    (n
      ? ` · stale by p50 ${duration(q(0.5))}, p90 ${duration(q(0.9))}, p99 ${duration(q(0.99))}, max ${duration(sorted[n - 1])}`
      : "") +
    stats;
  if (!n) {
    c.hidden = true;
    return;
  }
  c.hidden = false;
  const { g, w, h } = sizeCanvas(c);
  const lo = Math.max(1, sorted[0]),
    hi = Math.max(lo * 10, sorted[n - 1]);
  const l0 = Math.log10(lo),
    l1 = Math.log10(hi) + 1e-9,
    nb = 40,
    bins = new Float64Array(nb);
  for (const v of sorted)
    bins[Math.min(nb - 1, Math.max(0, Math.floor(((Math.log10(Math.max(v, lo)) - l0) / (l1 - l0)) * nb)))]++;
  let max = 1;
  for (const b of bins) max = Math.max(max, b);
  const pw = w - PG - 10,
    top = 10,
    ph = h - top - 22;
  g.clearRect(0, 0, w, h);
  g.fillStyle = "#5b8def";
  for (let i = 0; i < nb; i++) {
    const bh = (bins[i] / max) * ph;
    g.fillRect(PG + (i * pw) / nb, top + ph - bh, pw / nb - 1, bh);
  }
  g.fillStyle = "#656d76";
  g.font = "11px system-ui, sans-serif";
  g.textBaseline = "top";
  for (let e = Math.ceil(l0); e <= l1; e++) {
    const x = PG + ((e - l0) / (l1 - l0)) * pw;
    g.fillRect(x, top + ph, 1, 4);
    g.fillText(duration(Math.pow(10, e)), x + 2, top + ph + 5);
  }
  g.fillText(`${max} reads`, 4, top);
  g.fillText("stale by", 4, top + ph + 5);
}

export function renderPlotLegends(): void {
  $("lat-legend").append(
    ...fNames.map((f) =>
      el("span", null, el("span", { class: "sw", style: `background:${fColor.get(f)}` }), `${f} ok`),
    ),
    el("span", null, el("span", { class: "sw", style: `background:${COLOR.fail}` }), "failed"),
    el("span", null, el("span", { class: "sw", style: "background:#d4910a" }), "indeterminate"),
    el("span", null, "log scale; faults shaded; drag/wheel to pan/zoom with the timeline"),
  );
  $("thr-legend").append(
    ...[
      ["ok", COLOR.ok],
      ["failed", COLOR.fail],
      ["indeterminate", COLOR.info],
    ].map(([n, c]) => el("span", null, el("span", { class: "sw", style: `background:${c}` }), `${n} completions`)),
  );
}
