/// <reference lib="dom" />
// The timeline: one lane per process (or packed lanes), each operation a bar from invocation to completion,
// drawn into a pixel buffer visiting only the operations inside the window; the overview strip of the whole
// run; hovering, selecting, panning and zooming.
import { duration, seconds } from "../../format.ts";
import { $, el, sizeCanvas } from "./dom.ts";
import {
  A,
  B,
  DATA,
  E,
  I0,
  I1,
  N,
  ND,
  P,
  S,
  T0,
  T1,
  TYPE_WORD,
  Y,
  end1,
  lowerBound,
  maxDur,
  opAt,
  opLabel,
  opName,
  open,
} from "./ops.ts";
import { COLOR, TYPE_COLOR, faultColor, mixRow, rasterFor } from "./colours.ts";
import {
  AXIS,
  BAND,
  FULL,
  GUTTER,
  HL,
  clampView,
  drawTimeAxis,
  faultBand,
  fitAll,
  pan,
  schedule,
  setView,
  shadeFaults,
  state,
  view,
  zoomAt,
} from "./view.ts";
import { clearAnomaly, showAnomaly } from "./anomalies.ts";

export const tl = $<HTMLCanvasElement>("tl");
const tip = $("tip"),
  ovc = $<HTMLCanvasElement>("overview");

// ---------- lanes ----------
const procs = [...new Set(P)].sort((a, b) => a - b);
const LANE = new Int32Array(N);
let laneCount = 0,
  laneLabels: string[] = [];
export const lanes = { packed: procs.length > 48 };
/** One lane per process, or (packed) a lane reused once its process is done: retired processes never come back. */
export function layoutLanes(): void {
  if (!lanes.packed) {
    const lane = new Map(procs.map((p, i) => [p, i]));
    for (let k = 0; k < N; k++) LANE[k] = lane.get(P[k])!;
    laneCount = procs.length;
    laneLabels = procs.map((p) => `p${p}`);
  } else {
    const first = new Map<number, number>(),
      last = new Map<number, number>();
    for (let k = 0; k < N; k++) {
      if (!first.has(P[k])) first.set(P[k], T0[k]);
      last.set(P[k], Math.max(last.get(P[k]) ?? 0, end1(k)));
    }
    const order = [...first.keys()].sort((a, b) => first.get(a)! - first.get(b)! || a - b);
    const free: number[] = [],
      laneOf = new Map<number, number>(),
      members: number[][] = [];
    for (const p of order) {
      let l = free.findIndex((x) => x < first.get(p)!);
      if (l < 0) {
        l = free.length;
        free.push(0);
        members.push([]);
      }
      free[l] = last.get(p)!;
      laneOf.set(p, l);
      members[l].push(p);
    }
    for (let k = 0; k < N; k++) LANE[k] = laneOf.get(P[k])!;
    laneCount = free.length;
    laneLabels = members.map((ps) => (ps.length === 1 ? `p${ps[0]}` : `p${ps[0]} +${ps.length - 1}`));
  }
  buildLaneOps();
}
export const laneOf = (k: number): number => LANE[k];

// The op under a point of the timeline, with a few pixels of tolerance for narrow bars.
const laneOps: number[][] = [];
function buildLaneOps(): void {
  laneOps.length = 0;
  for (let l = 0; l < laneCount; l++) laneOps.push([]);
  for (let k = 0; k < N; k++) laneOps[LANE[k]].push(k);
}
layoutLanes();

export const laneTop = (lane: number): number => AXIS + lane * state.laneH - state.scrollY;
const maxScroll = (h: number) => Math.max(0, laneCount * state.laneH - (h - AXIS));
// Ops are in invocation order; none lasts longer than maxDur except those never completed (kept in `open`).
const firstVisible = () => lowerBound(T0, view.t0 - maxDur - 1);

export function drawTimeline(): void {
  const { g, w, h } = sizeCanvas(tl);
  const pw = w - GUTTER,
    span = view.t1 - view.t0;
  const X = (tt: number) => GUTTER + ((tt - view.t0) / span) * pw;
  state.scrollY = Math.max(0, Math.min(state.scrollY, maxScroll(h)));
  g.clearRect(0, 0, w, h);
  const lh = state.laneH,
    first = Math.max(0, Math.floor(state.scrollY / lh)),
    last = Math.min(laneCount - 1, Math.floor((state.scrollY + h - AXIS) / lh));
  for (let l = first; l <= last; l++)
    if (l % 2) {
      g.fillStyle = "#f6f8fa";
      g.fillRect(GUTTER, laneTop(l), pw, lh);
    }
  shadeFaults(g, X, GUTTER, w, AXIS, h - AXIS);

  const pad = lh >= 8 ? 2 : lh >= 4 ? 1 : 0,
    bh = Math.max(1, lh - 2 * pad);
  // Bars are rasterized into a pixel buffer, one row pattern per lane copied to the lane's rows: the cost is one
  // short fill per visible op plus one copy per pixel row, however many ops share a pixel.
  const dpr = window.devicePixelRatio || 1,
    W = Math.max(1, Math.round(w * dpr)),
    H = Math.max(1, Math.round(h * dpr));
  const nl = last >= first ? last - first + 1 : 0,
    gpx = Math.round(GUTTER * dpr);
  // Per pixel of each visible lane: how many ok / failed / indeterminate / highlighted ops cover it.
  const cnt = new Uint16Array(Math.max(1, nl * W * 4));
  const dimming = state.hl.size > 0;
  const labelled: number[] = [],
    numbered: number[] = [],
    strokes: number[] = [];
  const visit = (k: number) => {
    const l = LANE[k];
    if (l < first || l > last) return;
    const hl = HL[k] === 1;
    if (state.only && !hl) return;
    const x0 = X(T0[k]),
      x1 = X(end1(k));
    if (x1 < GUTTER || x0 > w) return;
    const a = Math.max(gpx, Math.round(x0 * dpr));
    let b = Math.min(W, Math.round(x1 * dpr));
    if (b <= a) b = Math.min(W, a + Math.max(1, Math.round(dpr)));
    const slot = hl ? 3 : Y[k];
    for (let i = ((l - first) * W + a) * 4 + slot, e = ((l - first) * W + b) * 4; i < e; i += 4)
      if (cnt[i] < 65535) cnt[i]++;
    if (hl) strokes.push(k);
    if (lh >= 13 && x1 - x0 >= 34) labelled.push(k);
    else if (state.order.has(k)) numbered.push(k);
  };
  const hi = lowerBound(T0, view.t1 + 1);
  for (let k = firstVisible(); k < hi; k++) if (T1[k] !== Infinity) visit(k);
  for (const k of open) if (T0[k] <= view.t1) visit(k);
  const r = rasterFor(tl, W, H);
  for (let l = first; l <= last; l++) {
    const y0 = Math.max(Math.round(AXIS * dpr), Math.round((laneTop(l) + pad) * dpr)),
      y1 = Math.min(H, Math.round((laneTop(l) + pad + bh) * dpr));
    const row = mixRow(cnt, (l - first) * W, W, dimming);
    for (let y = y0; y < Math.max(y1, y0 + 1) && y < H; y++) r.px.set(row, y * W);
  }
  r.ctx.putImageData(r.img, 0, 0);
  g.drawImage(r.canvas, 0, 0, W, H, 0, 0, w, h);
  g.strokeStyle = COLOR.hl;
  g.lineWidth = 2;
  for (const k of strokes.slice(0, 5000)) {
    const x0 = Math.max(GUTTER, X(T0[k])),
      x1 = Math.max(x0 + 1, X(end1(k)));
    g.fillStyle = TYPE_COLOR[Y[k]];
    g.fillRect(x0, laneTop(LANE[k]) + pad, x1 - x0, bh);
    g.strokeRect(x0, laneTop(LANE[k]) + pad, x1 - x0, bh);
  }
  // Labels inside wide bars.
  g.font = "11px system-ui, sans-serif";
  g.textBaseline = "middle";
  g.fillStyle = "#1f2328";
  for (const k of labelled.slice(0, 4000)) {
    const x0 = Math.max(GUTTER, X(T0[k])),
      x1 = X(end1(k)),
      room = Math.floor((x1 - x0 - 6) / 6.2);
    if (room < 4) continue;
    let s = (state.order.has(k) ? `#${state.order.get(k)} ` : "") + opLabel(k);
    if (s.length > room) s = s.slice(0, room - 1) + "…";
    g.globalAlpha = dimming && !state.hl.has(k) ? 0.4 : 1;
    g.fillText(s, x0 + 3, laneTop(LANE[k]) + lh / 2);
  }
  g.globalAlpha = 1;
  // The selected anomaly's linearization order and the ops that cannot be placed after it.
  if (state.order.size || state.blocked.size) {
    g.font = "bold 10px system-ui, sans-serif";
    g.fillStyle = COLOR.hl;
    g.textBaseline = "middle";
    const lastNum = new Map<number, number>();
    if (numbered.length < 2000)
      for (const k of numbered) {
        const x = Math.max(GUTTER, X(end1(k))),
          text = `#${state.order.get(k)}`,
          prev = lastNum.get(LANE[k]) ?? -Infinity;
        if (lh < 9 || x + 2 < prev) continue; // no room: the steps table lists every step
        g.fillText(text, x + 2, laneTop(LANE[k]) + lh / 2);
        lastNum.set(LANE[k], x + 4 + g.measureText(text).width);
      }
    for (const k of state.blocked) {
      const l = LANE[k];
      if (l < first || l > last) continue;
      const x0 = Math.max(GUTTER, X(T0[k])),
        x1 = Math.max(x0 + 1, X(end1(k))),
        y0 = laneTop(l) + pad;
      g.strokeStyle = "#d1242f";
      g.lineWidth = 3;
      g.setLineDash([4, 3]);
      g.strokeRect(x0 - 2, y0 - 2, x1 - x0 + 4, bh + 4);
      g.setLineDash([]);
      g.fillStyle = "#d1242f";
      g.font = "bold 11px system-ui, sans-serif";
      if (lh >= 9) {
        const text = "✗ cannot be placed next",
          tw = g.measureText(text).width;
        g.fillStyle = "#ffffffe6";
        g.fillRect(x1 + 4, laneTop(l) + lh / 2 - 7, tw + 4, 14);
        g.fillStyle = "#d1242f";
        g.fillText(text, x1 + 6, laneTop(l) + lh / 2);
      }
    }
  }
  // The evidence's steps as arrows from one op to the next.
  if (state.chain.length) {
    g.strokeStyle = COLOR.hl;
    g.fillStyle = COLOR.hl;
    g.lineWidth = 1.5;
    g.font = "10px system-ui, sans-serif";
    g.textBaseline = "bottom";
    for (const e of state.chain) {
      const a = e.a,
        b = e.b;
      const ax = Math.min(X(end1(a)), w),
        ay = laneTop(LANE[a]) + lh / 2,
        bx = Math.max(X(T0[b]), GUTTER),
        by = laneTop(LANE[b]) + lh / 2;
      g.beginPath();
      g.moveTo(ax, ay);
      g.bezierCurveTo(ax + 30, ay, bx - 30, by, bx, by);
      g.stroke();
      const ang = Math.atan2(by - ay, bx - ax - 30 < 0 ? 1 : bx - ax);
      g.beginPath();
      g.moveTo(bx, by);
      g.lineTo(bx - 7 * Math.cos(ang - 0.4), by - 7 * Math.sin(ang - 0.4));
      g.lineTo(bx - 7 * Math.cos(ang + 0.4), by - 7 * Math.sin(ang + 0.4));
      g.fill();
      if (e.label) g.fillText(e.label, (ax + bx) / 2 + 3, (ay + by) / 2 - 2);
    }
  }
  // Selected and hovered ops.
  for (const [k, color] of [
    [state.selected, "#1f2328"],
    [state.hover, "#0969da"],
  ] as const) {
    if (k < 0) continue;
    const l = LANE[k];
    if (l < first || l > last) continue;
    const x0 = Math.max(GUTTER, X(T0[k])),
      x1 = Math.max(x0 + 1, X(end1(k)));
    g.strokeStyle = color;
    g.lineWidth = 2;
    g.strokeRect(x0 - 1, laneTop(l) + pad - 1, x1 - x0 + 2, bh + 2);
  }
  // Gutter, axis.
  g.fillStyle = "#ffffff";
  g.fillRect(0, 0, GUTTER, h);
  g.fillRect(0, 0, w, AXIS);
  g.strokeStyle = "#d0d7de";
  g.beginPath();
  g.moveTo(GUTTER + 0.5, 0);
  g.lineTo(GUTTER + 0.5, h);
  g.moveTo(0, AXIS + 0.5);
  g.lineTo(w, AXIS + 0.5);
  g.stroke();
  g.fillStyle = "#656d76";
  g.font = "11px system-ui, sans-serif";
  g.textBaseline = "middle";
  if (lh >= 9)
    for (let l = first; l <= last; l++) {
      const y = laneTop(l) + lh / 2;
      if (y > AXIS) g.fillText(laneLabels[l], 6, y);
    }
  else g.fillText(`${laneCount} lanes`, 6, AXIS + 10);
  faultBand(g, X, GUTTER, w, 0, BAND);
  drawTimeAxis(g, GUTTER, pw, BAND, AXIS - BAND, X);
  g.fillStyle = "#656d76";
  g.font = "10px system-ui, sans-serif";
  g.textBaseline = "middle";
  g.fillText("faults", 6, BAND / 2);
  tl.dataset.t0 = String(view.t0);
  tl.dataset.t1 = String(view.t1);
}

function opAtPoint(x: number, y: number): number {
  if (x < GUTTER || y < AXIS) return -1;
  const l = Math.floor((y - AXIS + state.scrollY) / state.laneH);
  if (l < 0 || l >= laneCount) return -1;
  const pw = tl.clientWidth - GUTTER,
    span = view.t1 - view.t0,
    tt = view.t0 + ((x - GUTTER) / pw) * span,
    tol = (4 / pw) * span;
  const ops = laneOps[l];
  let lo = 0,
    hi = ops.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (T0[ops[m]] <= tt + tol) lo = m + 1;
    else hi = m;
  }
  for (let i = lo - 1; i >= 0 && i >= lo - 3; i--) {
    const k = ops[i];
    if (state.only && !state.hl.has(k)) continue;
    if (end1(k) >= tt - tol) return k;
  }
  return -1;
}

function opDetails(k: number): string[] {
  const lines = [
    `${opName(k)}  [${TYPE_WORD[Y[k]]}]`,
    `invoked ${seconds(T0[k])} (history #${I0[k]})` +
      (I1[k] >= 0
        ? `, ${Y[k] === 2 ? "indeterminate" : "completed"} ${seconds(T1[k])} (#${I1[k]}), took ${duration(T1[k] - T0[k])}`
        : ", never completed"),
    `value: ${S[A[k]]}` + (B[k] >= 0 ? `  →  ${S[B[k]]}` : ""),
  ];
  if (ND[k] >= 0) lines.push(`node: ${S[ND[k]]}`);
  if (E[k] >= 0) lines.push(`error: ${S[E[k]]}`);
  return lines;
}
function showTip(k: number, x: number, y: number): void {
  if (k < 0) {
    tip.hidden = true;
    return;
  }
  tip.textContent = opDetails(k).join("\n");
  tip.hidden = false;
  tip.style.left = `${Math.min(x + 14, Math.max(0, tl.clientWidth - 470))}px`;
  tip.style.top = `${y + 16}px`;
}

/** Selects an op (-1: none): its details in the panel under the timeline, with the anomalies it is part of. */
export function selectOp(k: number): void {
  state.selected = k;
  const box = $("selected");
  box.textContent = "";
  if (k >= 0) {
    const involved = DATA.anomalies.filter((a) => a.ops.some((i) => opAt(i) === k));
    box.append(
      el(
        "div",
        { class: "card" },
        el(
          "div",
          { class: "card-head" },
          el("strong", { text: "Selected operation" }),
          el("button", { type: "button", on: { click: () => selectOp(-1) } }, "clear"),
        ),
        el("pre", { text: opDetails(k).join("\n") }),
        involved.length
          ? el(
              "p",
              null,
              "Part of: ",
              ...involved.map((a) =>
                el(
                  "a",
                  {
                    href: `#anomaly-${a.id}`,
                    class: "zoom",
                    on: {
                      click: (ev) => {
                        ev.preventDefault();
                        showAnomaly(a.id);
                      },
                    },
                  },
                  `[${a.kind}] anomaly ${a.id + 1} `,
                ),
              ),
            )
          : null,
      ),
    );
  }
  schedule();
}

/** Selects an op and brings it into view on the timeline. */
export function goToOp(k: number): void {
  selectOp(k);
  zoomToOps(new Set([k]));
  $("timeline").scrollIntoView({ block: "start" });
}

/** Zooms and scrolls the timeline so that the ops `ks` fill it. */
export function zoomToOps(ks: Set<number>): void {
  if (!ks.size) return;
  let a = Infinity,
    b = -Infinity;
  for (const k of ks) {
    a = Math.min(a, T0[k]);
    b = Math.max(b, Math.min(end1(k), T0[k] + (FULL.t1 - FULL.t0)));
  }
  const span = Math.max(b - a, 1e5),
    padT = span * 0.35;
  view.t0 = Math.max(FULL.t0 - span * 0.02, a - padT);
  view.t1 = b + padT;
  clampView();
  const visibleH = tl.clientHeight - AXIS;
  let lmin = Infinity,
    lmax = -Infinity;
  for (const k of ks) {
    lmin = Math.min(lmin, LANE[k]);
    lmax = Math.max(lmax, LANE[k]);
  }
  const needed = (lmax - lmin + 1) * state.laneH;
  state.scrollY =
    needed <= visibleH ? Math.max(0, ((lmin + lmax + 1) / 2) * state.laneH - visibleH / 2) : lmin * state.laneH;
  schedule();
}

/** Where an op (by a history index of its invocation or completion) is drawn on the timeline, in CSS pixels of the canvas; null when off screen. */
export function opBox(index: number): { x: number; y: number; w: number; h: number } | null {
  const k = opAt(index);
  if (k < 0) return null;
  const pw = tl.clientWidth - GUTTER,
    span = view.t1 - view.t0,
    X = (tt: number) => GUTTER + ((tt - view.t0) / span) * pw;
  const x0 = Math.max(GUTTER, X(T0[k])),
    x1 = Math.min(tl.clientWidth, Math.max(x0 + 1, X(end1(k)))),
    y = laneTop(LANE[k]);
  if (x1 < GUTTER || x0 > tl.clientWidth || y < AXIS || y + state.laneH > tl.clientHeight) return null;
  return { x: x0, y, w: x1 - x0, h: state.laneH };
}

interface PanZoom {
  gutter?: number;
  lanes?: boolean;
  hover?: (x: number, y?: number) => void;
  click?: (x: number, y: number) => void;
}
/** Pointer: drag pans (both axes with lanes), wheel zooms, shift+wheel scrolls lanes, click selects. */
export function attachPanZoom(c: HTMLCanvasElement, opts: PanZoom): void {
  let drag: { x: number; y: number; t0: number; t1: number; sy: number; moved: boolean } | null = null;
  const gx = opts.gutter ?? GUTTER;
  c.addEventListener(
    "wheel",
    (ev) => {
      ev.preventDefault();
      const r = c.getBoundingClientRect(),
        frac = Math.max(0, Math.min(1, (ev.clientX - r.left - gx) / (r.width - gx)));
      if (ev.shiftKey && opts.lanes) {
        state.scrollY += ev.deltaY;
        schedule();
        return;
      }
      if (Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) {
        pan(ev.deltaX / (r.width - gx));
        return;
      }
      const dy = ev.deltaMode === 1 ? ev.deltaY * 30 : ev.deltaY;
      zoomAt(Math.exp(dy * 0.0025), frac);
    },
    { passive: false },
  );
  c.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0) return;
    c.setPointerCapture(ev.pointerId);
    drag = { x: ev.clientX, y: ev.clientY, t0: view.t0, t1: view.t1, sy: state.scrollY, moved: false };
  });
  c.addEventListener("pointermove", (ev) => {
    const r = c.getBoundingClientRect();
    if (drag) {
      const dx = ev.clientX - drag.x,
        dy = ev.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) {
        drag.moved = true;
        c.classList.add("dragging");
      }
      if (drag.moved) {
        const span = drag.t1 - drag.t0,
          shift = (-dx / (r.width - gx)) * span;
        view.t0 = drag.t0 + shift;
        view.t1 = drag.t1 + shift;
        clampView();
        if (opts.lanes) state.scrollY = drag.sy - dy;
        opts.hover?.(-1);
        schedule();
        return;
      }
    }
    opts.hover?.(ev.clientX - r.left, ev.clientY - r.top);
  });
  const up = (ev: PointerEvent) => {
    if (!drag) return;
    const moved = drag.moved;
    drag = null;
    c.classList.remove("dragging");
    if (!moved && ev.type === "pointerup") {
      const r = c.getBoundingClientRect();
      opts.click?.(ev.clientX - r.left, ev.clientY - r.top);
    }
  };
  c.addEventListener("pointerup", up);
  c.addEventListener("pointercancel", up);
  c.addEventListener("pointerleave", () => opts.hover?.(-1));
  c.addEventListener("dblclick", (ev) => {
    const r = c.getBoundingClientRect();
    zoomAt(0.5, (ev.clientX - r.left - gx) / (r.width - gx));
  });
}

/** Hover, click and keys of the timeline, and dragging the overview's window. */
export function attachTimeline(): void {
  attachPanZoom(tl, {
    lanes: true,
    hover: (x, y = 0) => {
      const k = x < 0 ? -1 : opAtPoint(x, y);
      if (k !== state.hover) {
        state.hover = k;
        schedule();
      }
      showTip(k, x, y);
    },
    click: (x, y) => selectOp(opAtPoint(x, y)),
  });
  tl.addEventListener("keydown", (ev) => {
    const keys: Record<string, () => void> = {
      "+": () => zoomAt(0.6, 0.5),
      "=": () => zoomAt(0.6, 0.5),
      "-": () => zoomAt(1 / 0.6, 0.5),
      _: () => zoomAt(1 / 0.6, 0.5),
      ArrowLeft: () => pan(-0.2),
      ArrowRight: () => pan(0.2),
      ArrowUp: () => {
        state.scrollY -= state.laneH * 3;
        schedule();
      },
      ArrowDown: () => {
        state.scrollY += state.laneH * 3;
        schedule();
      },
      "0": () => fitAll(),
      Escape: () => clearAnomaly(),
    };
    if (Object.hasOwn(keys, ev.key)) {
      ev.preventDefault();
      keys[ev.key]();
    }
  });
  let dragging = false;
  const move = (ev: PointerEvent) => {
    const r = ovc.getBoundingClientRect(),
      frac = (ev.clientX - r.left - GUTTER) / (r.width - GUTTER);
    const at = FULL.t0 + frac * (FULL.t1 - FULL.t0),
      span = view.t1 - view.t0;
    setView(at - span / 2, at + span / 2);
  };
  ovc.addEventListener("pointerdown", (ev) => {
    dragging = true;
    ovc.setPointerCapture(ev.pointerId);
    move(ev);
  });
  ovc.addEventListener("pointermove", (ev) => {
    if (dragging) move(ev);
  });
  ovc.addEventListener("pointerup", () => {
    dragging = false;
  });
  ovc.addEventListener(
    "wheel",
    (ev) => {
      ev.preventDefault();
      zoomAt(Math.exp(ev.deltaY * 0.0025), 0.5);
    },
    { passive: false },
  );
}

// ---------- overview strip ----------
let ovBins: Float64Array | null = null;
export function drawOverview(): void {
  const { g, w, h } = sizeCanvas(ovc);
  const X = (tt: number) => GUTTER + ((tt - FULL.t0) / (FULL.t1 - FULL.t0)) * (w - GUTTER);
  const nb = Math.max(1, Math.floor((w - GUTTER) / 2));
  if (!ovBins || ovBins.length !== nb) {
    ovBins = new Float64Array(nb);
    for (let k = 0; k < N; k++) ovBins[Math.min(nb - 1, Math.floor(((T0[k] - FULL.t0) / (FULL.t1 - FULL.t0)) * nb))]++;
  }
  g.clearRect(0, 0, w, h);
  let max = 1;
  for (const v of ovBins) if (v > max) max = v;
  const saved = { t0: view.t0, t1: view.t1 };
  view.t0 = FULL.t0;
  view.t1 = FULL.t1;
  shadeFaults(g, X, GUTTER, w, 0, h);
  view.t0 = saved.t0;
  view.t1 = saved.t1;
  g.fillStyle = "#8c959f";
  const bw = (w - GUTTER) / nb;
  for (let i = 0; i < nb; i++)
    if (ovBins[i]) {
      const bh = (ovBins[i] / max) * (h - 8);
      g.fillRect(GUTTER + i * bw, h - bh, Math.max(1, bw - 0.3), bh);
    }
  g.fillStyle = "#a40e26";
  for (const a of DATA.anomalies)
    for (const i of a.ops.slice(0, 50)) {
      const k = opAt(i);
      if (k >= 0) g.fillRect(X(T0[k]) - 0.5, 0, 1.5, 7);
    }
  const a = X(view.t0),
    b = X(view.t1);
  g.fillStyle = "#6b21a81a";
  g.fillRect(a, 0, b - a, h);
  g.strokeStyle = COLOR.hl;
  g.lineWidth = 1.5;
  g.strokeRect(Math.max(GUTTER, a) + 0.5, 0.5, Math.max(2, Math.min(w, b) - Math.max(GUTTER, a) - 1), h - 1);
  g.fillStyle = "#656d76";
  g.font = "11px system-ui, sans-serif";
  g.textBaseline = "middle";
  g.fillText("whole run", 6, h / 2);
}

/** The timeline's toolbar: zoom, lanes, the highlight, and the legend (outcomes and each fault's declared colour). */
export function renderToolbar(): void {
  const onlyBtn = el(
    "button",
    {
      type: "button",
      "aria-pressed": "false",
      title: "draw only the operations of the selected anomaly",
      on: {
        click: () => {
          state.only = !state.only;
          onlyBtn.setAttribute("aria-pressed", String(state.only));
          schedule();
        },
      },
    },
    "only these ops",
  );
  const packBtn = el(
    "button",
    {
      type: "button",
      "aria-pressed": String(lanes.packed),
      title: "reuse a lane once its process has retired (after an indeterminate op)",
      on: {
        click: () => {
          lanes.packed = !lanes.packed;
          packBtn.setAttribute("aria-pressed", String(lanes.packed));
          layoutLanes();
          schedule();
        },
      },
    },
    "pack lanes",
  );
  const setLaneH = (v: number) => {
    state.laneH = Math.max(2, Math.min(40, v));
    schedule();
  };
  $("tl-toolbar").append(
    el("button", { type: "button", title: "zoom in (+)", on: { click: () => zoomAt(0.5, 0.5) } }, "+"),
    el("button", { type: "button", title: "zoom out (−)", on: { click: () => zoomAt(2, 0.5) } }, "−"),
    el("button", { type: "button", title: "the whole run (0)", on: { click: fitAll } }, "fit"),
    el("span", { class: "sep" }),
    el("button", { type: "button", title: "taller lanes", on: { click: () => setLaneH(state.laneH + 4) } }, "lanes ↕+"),
    el(
      "button",
      { type: "button", title: "shorter lanes", on: { click: () => setLaneH(state.laneH - 4) } },
      "lanes ↕−",
    ),
    packBtn,
    onlyBtn,
    el(
      "button",
      { type: "button", title: "clear the anomaly highlight (Esc)", on: { click: () => clearAnomaly() } },
      "clear highlight",
    ),
    el("span", { class: "sep" }),
    el(
      "span",
      { class: "legend" },
      ...[
        ["ok", COLOR.ok],
        ["failed", COLOR.fail],
        ["indeterminate", COLOR.info],
      ].map(([n, c]) => el("span", null, el("span", { class: "sw", style: `background:${c}` }), n)),
      ...[...new Set(DATA.faults.map((f) => f.f))].map((f) =>
        el(
          "span",
          { class: "fault-kind", "data-fault": f, title: DATA.faultKinds?.[f]?.description },
          el("span", { class: "sw", style: `background:${faultColor(f)};opacity:.5` }),
          `${f} (fault)`,
        ),
      ),
      el("span", null, el("span", { class: "sw", style: `background:#fff;border:2px solid ${COLOR.hl}` }), "anomaly"),
    ),
  );
}
