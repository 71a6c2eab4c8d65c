/// <reference lib="dom" />
// The time window the timeline and the plots share, the highlight state, and the drawing both use: the time
// axis and the fault shading. Everything redraws on the next animation frame after a change (schedule).
import { DATA, END, N } from "./ops.ts";
import { faultColor } from "./colours.ts";

export const GUTTER = 64,
  AXIS = 36,
  BAND = 14;
export const FULL = { t0: 0, t1: END };
export const view = { t0: 0, t1: END };
/** Highlighted ops (the selected anomaly's), its linearization numbers, ops that cannot be placed, its steps
 *  as arrows; the selected and hovered op. */
export const state = {
  laneH: 18,
  scrollY: 0,
  hl: new Set<number>(),
  hlAnomaly: -1,
  only: false,
  selected: -1,
  hover: -1,
  order: new Map<number, number>(),
  blocked: new Set<number>(),
  chain: [] as { a: number; b: number; label?: string }[],
};
/** The highlighted ops as a mask, for the per-op drawing loops. */
export const HL = new Uint8Array(N);
export function setHl(ks: Set<number>): void {
  for (const k of state.hl) HL[k] = 0;
  state.hl = ks;
  for (const k of ks) HL[k] = 1;
}

let drawAll = () => {};
/** What a scheduled redraw draws (set once by main). */
export function onRedraw(f: () => void): void {
  drawAll = f;
}
let pending = false;
export function schedule(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    drawAll();
  });
}

export function clampView(): void {
  const minSpan = 1000,
    pad = (FULL.t1 - FULL.t0) * 0.02;
  const span = Math.max(minSpan, Math.min(view.t1 - view.t0, FULL.t1 - FULL.t0 + 2 * pad));
  const t0 = Math.max(FULL.t0 - pad, Math.min(view.t0, FULL.t1 + pad - span));
  view.t0 = t0;
  view.t1 = t0 + span;
}
export function setView(t0: number, t1: number): void {
  view.t0 = t0;
  view.t1 = t1;
  clampView();
  schedule();
}
export function zoomAt(factor: number, frac: number): void {
  const span = view.t1 - view.t0,
    at = view.t0 + span * frac,
    ns = span * factor;
  setView(at - ns * frac, at - ns * frac + ns);
}
export function pan(frac: number): void {
  const span = view.t1 - view.t0;
  setView(view.t0 + span * frac, view.t1 + span * frac);
}
export function fitAll(): void {
  view.t0 = FULL.t0;
  view.t1 = FULL.t1;
  clampView();
  schedule();
}

export function niceStep(raw: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(raw))),
    m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}
function tickLabel(tns: number, step: number): string {
  const d = Math.max(0, Math.min(9, Math.ceil(-Math.log10(step / 1e9))));
  return `${(tns / 1e9).toFixed(d)} s`;
}
type X = (t: number) => number;
export function drawTimeAxis(g: CanvasRenderingContext2D, x0: number, w: number, y: number, h: number, X: X): void {
  const span = view.t1 - view.t0,
    step = niceStep(span / Math.max(1, w / 110));
  g.fillStyle = "#656d76";
  g.font = "11px system-ui, sans-serif";
  g.textBaseline = "middle";
  g.strokeStyle = "#d0d7de";
  g.lineWidth = 1;
  for (let tt = Math.ceil(view.t0 / step) * step; tt <= view.t1; tt += step) {
    const x = Math.round(X(tt)) + 0.5;
    if (x < x0 || x > x0 + w) continue;
    g.beginPath();
    g.moveTo(x, y + h - 5);
    g.lineTo(x, y + h);
    g.stroke();
    g.fillText(tickLabel(tt, step), x + 3, y + h / 2 - 1);
  }
}
/** Each fault in the window as a shaded band in its nemesis' colour. */
export function shadeFaults(g: CanvasRenderingContext2D, X: X, x0: number, x1: number, y: number, h: number): void {
  for (const f of DATA.faults) {
    const ft1 = f.t1 === null ? END : f.t1;
    if (ft1 < view.t0 || f.t0 > view.t1) continue;
    const a = Math.max(x0, X(f.t0)),
      b = Math.min(x1, Math.max(X(ft1), X(f.t0) + 1));
    g.globalAlpha = 0.13;
    g.fillStyle = faultColor(f.f);
    g.fillRect(a, y, b - a, h);
    g.globalAlpha = 0.7;
    g.fillRect(a, y, b - a, 3);
    g.globalAlpha = 1;
  }
}
/** Fault names in a band above the ticks, so they never hide operations. */
export function faultBand(g: CanvasRenderingContext2D, X: X, x0: number, x1: number, y: number, h: number): void {
  g.font = "bold 10px system-ui, sans-serif";
  g.textBaseline = "middle";
  for (const f of DATA.faults) {
    const ft1 = f.t1 === null ? END : f.t1;
    if (ft1 < view.t0 || f.t0 > view.t1) continue;
    const a = Math.max(x0, X(f.t0)),
      b = Math.min(x1, Math.max(X(ft1), X(f.t0) + 1));
    g.globalAlpha = 0.25;
    g.fillStyle = faultColor(f.f);
    g.fillRect(a, y + 1, b - a, h - 2);
    g.globalAlpha = 1;
    const text = `${f.f} ${f.nodes.join(",")}${f.t1 === null ? " (never healed)" : ""}`,
      room = Math.floor((b - a - 6) / 6);
    if (room >= 3) {
      g.fillStyle = "#1f2328";
      g.fillText(text.length > room ? text.slice(0, room - 1) + "…" : text, a + 3, y + h / 2);
    }
  }
}
