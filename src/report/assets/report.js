// faultline report page script. Plain JavaScript, no dependencies, no network. Reads the JSON embedded in the
// page, renders the summary and anomalies with textContent only (recorded values are untrusted), and draws the
// timeline and plots on canvas, visiting only the operations inside the visible window.
(() => {
  "use strict";
  const DATA = JSON.parse(document.getElementById("faultline-data").textContent);
  const $ = (id) => document.getElementById(id);
  const S = DATA.strings;

  // ---------- DOM helpers: text only, never markup from data ----------
  function el(tag, props, ...kids) {
    const e = document.createElement(tag);
    if (props) for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = String(v);
      else if (k === "on") for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
      else if (k === "style") e.setAttribute("style", v);
      else e.setAttribute(k, String(v));
    }
    for (const kid of kids.flat()) if (kid !== undefined && kid !== null && kid !== false) e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    return e;
  }

  // ---------- formatting ----------
  const fmtS = (ns) => `${(ns / 1e9).toFixed(3)} s`;
  function fmtDur(ns) {
    const a = Math.abs(ns);
    if (!Number.isFinite(ns)) return "∞";
    if (a < 1e3) return `${Math.round(ns)} ns`;
    if (a < 1e6) return `${(ns / 1e3).toFixed(a < 1e4 ? 1 : 0)} µs`;
    if (a < 1e9) return `${(ns / 1e6).toFixed(a < 1e7 ? 1 : 0)} ms`;
    return `${(ns / 1e9).toFixed(2)} s`;
  }
  const TYPE = ["ok", "fail", "info"];
  const TYPE_WORD = ["ok", "failed", "indeterminate"];
  const COLOR = { ok: "#6dbb83", fail: "#e27d7d", info: "#efb437", hl: "#6b21a8" };
  const FAULT_COLOR = { partition: "#5b8def", kill: "#e05252", crash: "#e05252", pause: "#9b6bd6", clock: "#d4a017", loss: "#2a9d8f" };
  const faultColor = (f) => FAULT_COLOR[f] || "#888888";
  // Colors as little-endian RGBA words for pixel buffers; the dimmed ones are blended with white.
  const word = (hex, alpha = 1) => {
    const n = parseInt(hex.slice(1), 16), mix = (c) => Math.round(c * alpha + 255 * (1 - alpha));
    return ((255 << 24) | (mix(n & 255) << 16) | (mix((n >> 8) & 255) << 8) | mix(n >> 16)) >>> 0;
  };
  const PX = [word(COLOR.ok), word(COLOR.fail), word(COLOR.info)];
  const PX_DIM = [word(COLOR.ok, 0.28), word(COLOR.fail, 0.28), word(COLOR.info, 0.28)];
  const RGB = [COLOR.ok, COLOR.fail, COLOR.info].map((hex) => { const n = parseInt(hex.slice(1), 16); return [n >> 16, (n >> 8) & 255, n & 255]; });
  let mixBuf = new Uint32Array(0);
  /** One lane's row of pixels from per-pixel counts [ok, fail, info, highlighted]. */
  function mixRow(cnt, from, W, dimming) {
    if (mixBuf.length !== W) mixBuf = new Uint32Array(W);
    const alpha = dimming ? 0.28 : 1;
    for (let x = 0; x < W; x++) {
      const i = (from + x) * 4, o = cnt[i], f = cnt[i + 1], n = cnt[i + 2], h = cnt[i + 3];
      if (h) { mixBuf[x] = 0; continue; }
      const tot = o + f + n;
      if (!tot) { mixBuf[x] = 0; continue; }
      if (tot === o) { mixBuf[x] = dimming ? PX_DIM[0] : PX[0]; continue; }
      const r = RGB[0][0] * o + RGB[1][0] * f + RGB[2][0] * n, g = RGB[0][1] * o + RGB[1][1] * f + RGB[2][1] * n, b = RGB[0][2] * o + RGB[1][2] * f + RGB[2][2] * n;
      const mix = (c) => Math.round((c / tot) * alpha + 255 * (1 - alpha));
      mixBuf[x] = ((255 << 24) | (mix(b) << 16) | (mix(g) << 8) | mix(r)) >>> 0;
    }
    return mixBuf;
  }
  const rasters = new Map();
  /** A cleared offscreen pixel buffer of W×H device pixels, one per visible canvas. */
  function rasterFor(c, W, H) {
    let r = rasters.get(c);
    if (!r || r.W !== W || r.H !== H) {
      const canvas = document.createElement("canvas"); canvas.width = W; canvas.height = H;
      const ctx = canvas.getContext("2d"), img = ctx.createImageData(W, H);
      r = { canvas, ctx, img, px: new Uint32Array(img.data.buffer), W, H };
      rasters.set(c, r);
    } else r.px.fill(0);
    return r;
  }
  const F_PALETTE = ["#2f6fdb", "#d9480f", "#2b8a3e", "#ae3ec9", "#e8590c", "#1098ad", "#5c940d", "#c2255c"];

  // ---------- decode the operations ----------
  const O = DATA.ops, N = O.n;
  const P = new Float64Array(N), T0 = new Float64Array(N), T1 = new Float64Array(N), Y = new Uint8Array(N);
  const Fi = new Int32Array(N), A = new Int32Array(N), B = new Int32Array(N), ND = new Int32Array(N), E = new Int32Array(N), I0 = new Int32Array(N), I1 = new Int32Array(N);
  let t = 0, ix = 0, END = DATA.end || 0, maxDur = 0;
  const open = [];
  for (let k = 0; k < N; k++) {
    t += O.t[k]; ix += O.i[k];
    P[k] = O.p[k]; T0[k] = t; Y[k] = O.y[k]; Fi[k] = O.f[k]; A[k] = O.a[k]; B[k] = O.b[k]; ND[k] = O.nd[k]; E[k] = O.e[k]; I0[k] = ix;
    I1[k] = O.j[k] < 0 ? -1 : ix + O.j[k];
    if (O.d[k] < 0) { T1[k] = Infinity; open.push(k); } else { T1[k] = t + O.d[k]; if (O.d[k] > maxDur) maxDur = O.d[k]; if (T1[k] > END) END = T1[k]; }
  }
  for (const f of DATA.faults) { if (f.t0 > END) END = f.t0; if (f.t1 !== null && f.t1 > END) END = f.t1; }
  if (END <= 0) END = 1e9;
  const opOfIdx = new Int32Array(Math.max(DATA.counts.events, 1)).fill(-1);
  for (let k = 0; k < N; k++) { opOfIdx[I0[k]] = k; if (I1[k] >= 0) opOfIdx[I1[k]] = k; }
  const opAt = (index) => (Number.isInteger(index) && index >= 0 && index < opOfIdx.length ? opOfIdx[index] : -1);
  const end1 = (k) => Math.min(T1[k], END);

  // Sorted completion times per type, for throughput.
  const doneByType = [0, 1, 2].map((y) => {
    const xs = [];
    for (let k = 0; k < N; k++) if (Y[k] === y && T1[k] !== Infinity) xs.push(T1[k]);
    return Float64Array.from(xs).sort();
  });
  function lowerBound(arr, x, lo = 0, hi = arr.length) {
    while (lo < hi) { const m = (lo + hi) >>> 1; if (arr[m] < x) lo = m + 1; else hi = m; }
    return lo;
  }

  // ---------- labels ----------
  const parsed = new Map();
  function parseVal(id) {
    if (id < 0) return undefined;
    if (parsed.has(id)) return parsed.get(id);
    let v; try { v = JSON.parse(S[id]); } catch { v = S[id]; }
    parsed.set(id, v);
    return v;
  }
  function short(v, max = 40) {
    let s = typeof v === "string" && /^[\w.:@/-]{1,40}$/.test(v) ? v : JSON.stringify(v);
    if (s === undefined) s = String(v);
    return s.length > max ? s.slice(0, max - 1) + "…" : s;
  }
  const isTuple = (v) => Array.isArray(v) && v.length === 2 && (typeof v[0] === "string" || typeof v[0] === "number");
  const labelCache = new Map();
  function opLabel(k) {
    const key = `${Fi[k]}|${A[k]}|${B[k]}|${Y[k]}`;
    let s = labelCache.get(key);
    if (s !== undefined) return s;
    const f = S[Fi[k]], a = parseVal(A[k]), b = B[k] >= 0 ? parseVal(B[k]) : undefined;
    if (isTuple(a)) {
      if (f === "read") s = `read ${a[0]}${Y[k] === 0 ? ` → ${short(isTuple(b) ? b[1] : b === undefined ? a[1] : b)}` : ""}`;
      else s = `${f} ${a[0]} ${short(a[1])}${b !== undefined ? ` → ${short(isTuple(b) ? b[1] : b)}` : ""}`;
    } else s = `${f}${a === null || a === undefined ? "" : " " + short(a)}${b !== undefined ? ` → ${short(b)}` : ""}`;
    labelCache.set(key, s);
    return s;
  }
  const opName = (k) => `process ${P[k]} ${opLabel(k)}`;

  // ---------- lanes ----------
  const procs = [...new Set(P)].sort((a, b) => a - b);
  const LANE = new Int32Array(N);
  let laneCount = 0, laneLabels = [], packed = procs.length > 48;
  function layoutLanes() {
    if (!packed) {
      const lane = new Map(procs.map((p, i) => [p, i]));
      for (let k = 0; k < N; k++) LANE[k] = lane.get(P[k]);
      laneCount = procs.length;
      laneLabels = procs.map((p) => `p${p}`);
      return;
    }
    // Reuse a lane once its process is done (retired processes never come back), as a worker does.
    const first = new Map(), last = new Map();
    for (let k = 0; k < N; k++) {
      if (!first.has(P[k])) first.set(P[k], T0[k]);
      last.set(P[k], Math.max(last.get(P[k]) ?? 0, end1(k)));
    }
    const order = [...first.keys()].sort((a, b) => first.get(a) - first.get(b) || a - b);
    const free = [], laneOf = new Map();
    laneLabels = [];
    for (const p of order) {
      let l = free.findIndex((x) => x < first.get(p));
      if (l < 0) { l = free.length; free.push(0); laneLabels.push([]); }
      free[l] = last.get(p);
      laneOf.set(p, l);
      laneLabels[l].push(p);
    }
    for (let k = 0; k < N; k++) LANE[k] = laneOf.get(P[k]);
    laneCount = free.length;
    laneLabels = laneLabels.map((ps) => (ps.length === 1 ? `p${ps[0]}` : `p${ps[0]} +${ps.length - 1}`));
  }
  layoutLanes();

  // ---------- shared view state ----------
  const FULL = { t0: 0, t1: END };
  const view = { t0: 0, t1: END };
  const state = { laneH: 18, scrollY: 0, hl: new Set(), hlAnomaly: -1, only: false, selected: -1, hover: -1, order: new Map(), blocked: new Set(), chain: [] };
  const GUTTER = 64, AXIS = 36, BAND = 14;

  function clampView() {
    const minSpan = 1000, pad = (FULL.t1 - FULL.t0) * 0.02;
    let span = Math.max(minSpan, Math.min(view.t1 - view.t0, FULL.t1 - FULL.t0 + 2 * pad));
    let t0 = Math.max(FULL.t0 - pad, Math.min(view.t0, FULL.t1 + pad - span));
    view.t0 = t0; view.t1 = t0 + span;
  }
  function setView(t0, t1) { view.t0 = t0; view.t1 = t1; clampView(); schedule(); }
  function zoomAt(factor, frac) {
    const span = view.t1 - view.t0, at = view.t0 + span * frac, ns = span * factor;
    setView(at - ns * frac, at - ns * frac + ns);
  }
  function pan(frac) { const span = view.t1 - view.t0; setView(view.t0 + span * frac, view.t1 + span * frac); }

  let pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; drawAll(); });
  }

  function sizeCanvas(c) {
    const dpr = window.devicePixelRatio || 1, w = c.clientWidth, h = c.clientHeight;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) { c.width = Math.round(w * dpr); c.height = Math.round(h * dpr); }
    const g = c.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    return { g, w, h };
  }

  function niceStep(raw) {
    const p = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
  }
  function tickLabel(tns, step) {
    const d = Math.max(0, Math.min(9, Math.ceil(-Math.log10(step / 1e9))));
    return `${(tns / 1e9).toFixed(d)} s`;
  }
  function drawTimeAxis(g, x0, w, y, h, X) {
    const span = view.t1 - view.t0, step = niceStep(span / Math.max(1, w / 110));
    g.fillStyle = "#656d76"; g.font = "11px system-ui, sans-serif"; g.textBaseline = "middle";
    g.strokeStyle = "#d0d7de"; g.lineWidth = 1;
    for (let tt = Math.ceil(view.t0 / step) * step; tt <= view.t1; tt += step) {
      const x = Math.round(X(tt)) + 0.5;
      if (x < x0 || x > x0 + w) continue;
      g.beginPath(); g.moveTo(x, y + h - 5); g.lineTo(x, y + h); g.stroke();
      g.fillText(tickLabel(tt, step), x + 3, y + h / 2 - 1);
    }
  }
  function shadeFaults(g, X, x0, x1, y, h, labels) {
    for (const f of DATA.faults) {
      const ft1 = f.t1 === null ? END : f.t1;
      if (ft1 < view.t0 || f.t0 > view.t1) continue;
      const a = Math.max(x0, X(f.t0)), b = Math.min(x1, Math.max(X(ft1), X(f.t0) + 1));
      g.globalAlpha = 0.13; g.fillStyle = faultColor(f.f); g.fillRect(a, y, b - a, h);
      g.globalAlpha = 0.7; g.fillRect(a, y, b - a, 3);
      g.globalAlpha = 1;
      if (labels && b - a > 30) {
        g.fillStyle = faultColor(f.f); g.font = "bold 11px system-ui, sans-serif"; g.textBaseline = "top";
        const text = `${f.f} ${f.nodes.join(",")}`;
        g.fillText(text.length * 6.5 > b - a - 6 ? text.slice(0, Math.max(1, Math.floor((b - a - 6) / 6.5))) : text, a + 3, y + 5);
      }
    }
  }
  // Fault names in a band above the ticks, so they never hide operations.
  function faultBand(g, X, x0, x1, y, h) {
    g.font = "bold 10px system-ui, sans-serif"; g.textBaseline = "middle";
    for (const f of DATA.faults) {
      const ft1 = f.t1 === null ? END : f.t1;
      if (ft1 < view.t0 || f.t0 > view.t1) continue;
      const a = Math.max(x0, X(f.t0)), b = Math.min(x1, Math.max(X(ft1), X(f.t0) + 1));
      g.globalAlpha = 0.25; g.fillStyle = faultColor(f.f); g.fillRect(a, y + 1, b - a, h - 2); g.globalAlpha = 1;
      const text = `${f.f} ${f.nodes.join(",")}${f.t1 === null ? " (never healed)" : ""}`, room = Math.floor((b - a - 6) / 6);
      if (room >= 3) { g.fillStyle = "#1f2328"; g.fillText(text.length > room ? text.slice(0, room - 1) + "…" : text, a + 3, y + h / 2); }
    }
  }
  function firstVisible() {
    // Ops are in invocation order; none lasts longer than maxDur except those never completed (kept in `open`).
    return lowerBound(T0, view.t0 - maxDur - 1);
  }

  // ---------- the timeline ----------
  const tl = $("tl"), tip = $("tip"), ovc = $("overview");
  function laneTop(lane) { return AXIS + lane * state.laneH - state.scrollY; }
  function maxScroll(h) { return Math.max(0, laneCount * state.laneH - (h - AXIS)); }

  function drawTimeline() {
    const { g, w, h } = sizeCanvas(tl);
    const pw = w - GUTTER, span = view.t1 - view.t0;
    const X = (tt) => GUTTER + ((tt - view.t0) / span) * pw;
    state.scrollY = Math.max(0, Math.min(state.scrollY, maxScroll(h)));
    g.clearRect(0, 0, w, h);
    const lh = state.laneH, first = Math.max(0, Math.floor(state.scrollY / lh)), last = Math.min(laneCount - 1, Math.floor((state.scrollY + h - AXIS) / lh));
    for (let l = first; l <= last; l++) if (l % 2) { g.fillStyle = "#f6f8fa"; g.fillRect(GUTTER, laneTop(l), pw, lh); }
    shadeFaults(g, X, GUTTER, w, AXIS, h - AXIS, false);

    const pad = lh >= 8 ? 2 : lh >= 4 ? 1 : 0, bh = Math.max(1, lh - 2 * pad);
    // Bars are rasterized into a pixel buffer, one row pattern per lane copied to the lane's rows: the cost is one
    // short fill per visible op plus one copy per pixel row, however many ops share a pixel.
    const dpr = window.devicePixelRatio || 1, W = Math.max(1, Math.round(w * dpr)), H = Math.max(1, Math.round(h * dpr));
    const nl = last >= first ? last - first + 1 : 0, gpx = Math.round(GUTTER * dpr);
    // Per pixel of each visible lane: how many ok / failed / indeterminate / highlighted ops cover it. Zoomed out,
    // a pixel's color mixes its ops' colors by count, so density stays honest.
    const cnt = new Uint16Array(Math.max(1, nl * W * 4));
    const dimming = state.hl.size > 0;
    const labelled = [], numbered = [], strokes = [];
    const visit = (k) => {
      const l = LANE[k];
      if (l < first || l > last) return;
      const hl = HL[k] === 1;
      if (state.only && !hl) return;
      const x0 = X(T0[k]), x1 = X(end1(k));
      if (x1 < GUTTER || x0 > w) return;
      let a = Math.max(gpx, Math.round(x0 * dpr)), b = Math.min(W, Math.round(x1 * dpr));
      if (b <= a) b = Math.min(W, a + Math.max(1, Math.round(dpr)));
      const slot = hl ? 3 : Y[k];
      for (let i = ((l - first) * W + a) * 4 + slot, e = ((l - first) * W + b) * 4; i < e; i += 4) if (cnt[i] < 65535) cnt[i]++;
      if (hl) strokes.push(k);
      if (lh >= 13 && x1 - x0 >= 34) labelled.push(k);
      else if (state.order.has(k)) numbered.push(k);
    };
    const hi = lowerBound(T0, view.t1 + 1);
    for (let k = firstVisible(); k < hi; k++) if (T1[k] !== Infinity) visit(k);
    for (const k of open) if (T0[k] <= view.t1) visit(k);
    const r = rasterFor(tl, W, H);
    for (let l = first; l <= last; l++) {
      const y0 = Math.max(Math.round(AXIS * dpr), Math.round((laneTop(l) + pad) * dpr)), y1 = Math.min(H, Math.round((laneTop(l) + pad + bh) * dpr));
      const row = mixRow(cnt, (l - first) * W, W, dimming);
      for (let y = y0; y < Math.max(y1, y0 + 1) && y < H; y++) r.px.set(row, y * W);
    }
    r.ctx.putImageData(r.img, 0, 0);
    g.drawImage(r.canvas, 0, 0, W, H, 0, 0, w, h);
    g.strokeStyle = COLOR.hl; g.lineWidth = 2;
    for (const k of strokes.slice(0, 5000)) {
      const x0 = Math.max(GUTTER, X(T0[k])), x1 = Math.max(x0 + 1, X(end1(k)));
      g.fillStyle = [COLOR.ok, COLOR.fail, COLOR.info][Y[k]]; g.fillRect(x0, laneTop(LANE[k]) + pad, x1 - x0, bh);
      g.strokeRect(x0, laneTop(LANE[k]) + pad, x1 - x0, bh);
    }
    // Labels inside wide bars.
    g.font = "11px system-ui, sans-serif"; g.textBaseline = "middle"; g.fillStyle = "#1f2328";
    for (const k of labelled.slice(0, 4000)) {
      const x0 = Math.max(GUTTER, X(T0[k])), x1 = X(end1(k)), room = Math.floor((x1 - x0 - 6) / 6.2);
      if (room < 4) continue;
      let s = (state.order.has(k) ? `#${state.order.get(k)} ` : "") + opLabel(k); if (s.length > room) s = s.slice(0, room - 1) + "…";
      g.globalAlpha = dimming && !state.hl.has(k) ? 0.4 : 1;
      g.fillText(s, x0 + 3, laneTop(LANE[k]) + lh / 2);
    }
    g.globalAlpha = 1;
    // Linearization order and blocked ops of the selected anomaly.
    if (state.order.size || state.blocked.size) {
      g.font = "bold 10px system-ui, sans-serif"; g.textBaseline = "bottom";
      g.fillStyle = COLOR.hl; g.textBaseline = "middle";
      const lastNum = new Map();
      if (numbered.length < 2000) for (const k of numbered) {
        const x = Math.max(GUTTER, X(end1(k))), text = `#${state.order.get(k)}`, prev = lastNum.get(LANE[k]) ?? -Infinity;
        if (lh < 9 || x + 2 < prev) continue; // no room: the ops table lists every step
        g.fillText(text, x + 2, laneTop(LANE[k]) + lh / 2);
        lastNum.set(LANE[k], x + 4 + g.measureText(text).width);
      }
      for (const k of state.blocked) {
        const l = LANE[k]; if (l < first || l > last) continue;
        const x0 = Math.max(GUTTER, X(T0[k])), x1 = Math.max(x0 + 1, X(end1(k))), y0 = laneTop(l) + pad;
        g.strokeStyle = "#d1242f"; g.lineWidth = 3; g.setLineDash([4, 3]); g.strokeRect(x0 - 2, y0 - 2, x1 - x0 + 4, bh + 4); g.setLineDash([]);
        g.fillStyle = "#d1242f"; g.font = "bold 11px system-ui, sans-serif";
        if (lh >= 9) {
          const text = "✗ cannot be placed next", tw = g.measureText(text).width;
          g.fillStyle = "#ffffffe6"; g.fillRect(x1 + 4, laneTop(l) + lh / 2 - 7, tw + 4, 14);
          g.fillStyle = "#d1242f"; g.fillText(text, x1 + 6, laneTop(l) + lh / 2);
        }
      }
    }
    // Dependency chain arrows.
    if (state.chain.length) {
      g.strokeStyle = COLOR.hl; g.fillStyle = COLOR.hl; g.lineWidth = 1.5; g.font = "10px system-ui, sans-serif"; g.textBaseline = "bottom";
      for (const e of state.chain) {
        const a = e.a, b = e.b;
        const ax = Math.min(X(end1(a)), w), ay = laneTop(LANE[a]) + lh / 2, bx = Math.max(X(T0[b]), GUTTER), by = laneTop(LANE[b]) + lh / 2;
        g.beginPath(); g.moveTo(ax, ay); g.bezierCurveTo(ax + 30, ay, bx - 30, by, bx, by); g.stroke();
        const ang = Math.atan2(by - ay, bx - ax - 30 < 0 ? 1 : bx - ax);
        g.beginPath(); g.moveTo(bx, by); g.lineTo(bx - 7 * Math.cos(ang - 0.4), by - 7 * Math.sin(ang - 0.4)); g.lineTo(bx - 7 * Math.cos(ang + 0.4), by - 7 * Math.sin(ang + 0.4)); g.fill();
        if (e.label) g.fillText(e.label, (ax + bx) / 2 + 3, (ay + by) / 2 - 2);
      }
    }
    // Selected and hovered ops.
    for (const [k, color] of [[state.selected, "#1f2328"], [state.hover, "#0969da"]]) {
      if (k < 0) continue;
      const l = LANE[k]; if (l < first || l > last) continue;
      const x0 = Math.max(GUTTER, X(T0[k])), x1 = Math.max(x0 + 1, X(end1(k)));
      g.strokeStyle = color; g.lineWidth = 2; g.strokeRect(x0 - 1, laneTop(l) + pad - 1, x1 - x0 + 2, bh + 2);
    }
    // Gutter, axis.
    g.fillStyle = "#ffffff"; g.fillRect(0, 0, GUTTER, h); g.fillRect(0, 0, w, AXIS);
    g.strokeStyle = "#d0d7de"; g.beginPath(); g.moveTo(GUTTER + 0.5, 0); g.lineTo(GUTTER + 0.5, h); g.moveTo(0, AXIS + 0.5); g.lineTo(w, AXIS + 0.5); g.stroke();
    g.fillStyle = "#656d76"; g.font = "11px system-ui, sans-serif"; g.textBaseline = "middle";
    if (lh >= 9) for (let l = first; l <= last; l++) { const y = laneTop(l) + lh / 2; if (y > AXIS) g.fillText(laneLabels[l], 6, y); }
    else g.fillText(`${laneCount} lanes`, 6, AXIS + 10);
    faultBand(g, X, GUTTER, w, 0, BAND);
    drawTimeAxis(g, GUTTER, pw, BAND, AXIS - BAND, X);
    g.fillStyle = "#656d76"; g.font = "10px system-ui, sans-serif"; g.textBaseline = "middle"; g.fillText("faults", 6, BAND / 2);
    tl.dataset.t0 = String(view.t0); tl.dataset.t1 = String(view.t1);
  }

  // The op under a point of the timeline, with a few pixels of tolerance for narrow bars.
  const laneOps = [];
  function buildLaneOps() {
    laneOps.length = 0;
    for (let l = 0; l < laneCount; l++) laneOps.push([]);
    for (let k = 0; k < N; k++) laneOps[LANE[k]].push(k);
  }
  buildLaneOps();
  function opAtPoint(x, y) {
    if (x < GUTTER || y < AXIS) return -1;
    const l = Math.floor((y - AXIS + state.scrollY) / state.laneH);
    if (l < 0 || l >= laneCount) return -1;
    const pw = tl.clientWidth - GUTTER, span = view.t1 - view.t0, tt = view.t0 + ((x - GUTTER) / pw) * span, tol = (4 / pw) * span;
    const ops = laneOps[l];
    let lo = 0, hi = ops.length;
    while (lo < hi) { const m = (lo + hi) >>> 1; if (T0[ops[m]] <= tt + tol) lo = m + 1; else hi = m; }
    for (let i = lo - 1; i >= 0 && i >= lo - 3; i--) {
      const k = ops[i];
      if (state.only && !state.hl.has(k)) continue;
      if (end1(k) >= tt - tol) return k;
    }
    return -1;
  }

  function opDetails(k) {
    const lines = [
      `${opName(k)}  [${TYPE_WORD[Y[k]]}]`,
      `invoked ${fmtS(T0[k])} (history #${I0[k]})` + (I1[k] >= 0 ? `, ${Y[k] === 2 ? "indeterminate" : "completed"} ${fmtS(T1[k])} (#${I1[k]}), took ${fmtDur(T1[k] - T0[k])}` : ", never completed"),
      `value: ${S[A[k]]}` + (B[k] >= 0 ? `  →  ${S[B[k]]}` : ""),
    ];
    if (ND[k] >= 0) lines.push(`node: ${S[ND[k]]}`);
    if (E[k] >= 0) lines.push(`error: ${S[E[k]]}`);
    return lines;
  }
  function showTip(k, x, y) {
    if (k < 0) { tip.hidden = true; return; }
    tip.textContent = opDetails(k).join("\n");
    tip.hidden = false;
    const wrap = tl.clientWidth;
    tip.style.left = `${Math.min(x + 14, Math.max(0, wrap - 470))}px`;
    tip.style.top = `${y + 16}px`;
  }

  function selectOp(k) {
    state.selected = k;
    const box = $("selected");
    box.textContent = "";
    if (k >= 0) {
      const involved = DATA.anomalies.filter((a) => a.ops.some((i) => opAt(i) === k));
      box.append(el("div", { class: "card" },
        el("div", { class: "card-head" }, el("strong", { text: "Selected operation" }), el("button", { type: "button", on: { click: () => selectOp(-1) } }, "clear")),
        el("pre", { text: opDetails(k).join("\n") }),
        involved.length ? el("p", null, "Part of: ", ...involved.map((a) => el("a", { href: `#anomaly-${a.id}`, class: "zoom", on: { click: (ev) => { ev.preventDefault(); showAnomaly(a.id); } } }, `[${a.kind}] anomaly ${a.id + 1} `))) : null));
    }
    schedule();
  }

  // Pointer: drag pans (both axes), wheel zooms, shift+wheel scrolls lanes, click selects.
  function attachPanZoom(c, opts) {
    let drag = null;
    c.addEventListener("wheel", (ev) => {
      ev.preventDefault();
      const r = c.getBoundingClientRect(), gx = opts.gutter ?? GUTTER, frac = Math.max(0, Math.min(1, (ev.clientX - r.left - gx) / (r.width - gx)));
      if (ev.shiftKey && opts.lanes) { state.scrollY += ev.deltaY; schedule(); return; }
      if (Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) { pan(ev.deltaX / (r.width - gx)); return; }
      const dy = ev.deltaMode === 1 ? ev.deltaY * 30 : ev.deltaY;
      zoomAt(Math.exp(dy * 0.0025), frac);
    }, { passive: false });
    c.addEventListener("pointerdown", (ev) => {
      if (ev.button !== 0) return;
      c.setPointerCapture(ev.pointerId);
      drag = { x: ev.clientX, y: ev.clientY, t0: view.t0, t1: view.t1, sy: state.scrollY, moved: false };
    });
    c.addEventListener("pointermove", (ev) => {
      const r = c.getBoundingClientRect();
      if (drag) {
        const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; c.classList.add("dragging"); }
        if (drag.moved) {
          const gx = opts.gutter ?? GUTTER, span = drag.t1 - drag.t0, shift = (-dx / (r.width - gx)) * span;
          view.t0 = drag.t0 + shift; view.t1 = drag.t1 + shift; clampView();
          if (opts.lanes) state.scrollY = drag.sy - dy;
          opts.hover?.(-1);
          schedule();
          return;
        }
      }
      opts.hover?.(ev.clientX - r.left, ev.clientY - r.top);
    });
    const up = (ev) => {
      if (!drag) return;
      const moved = drag.moved; drag = null; c.classList.remove("dragging");
      if (!moved && ev.type === "pointerup") { const r = c.getBoundingClientRect(); opts.click?.(ev.clientX - r.left, ev.clientY - r.top); }
    };
    c.addEventListener("pointerup", up);
    c.addEventListener("pointercancel", up);
    c.addEventListener("pointerleave", () => opts.hover?.(-1));
    c.addEventListener("dblclick", (ev) => { const r = c.getBoundingClientRect(), gx = opts.gutter ?? GUTTER; zoomAt(0.5, (ev.clientX - r.left - gx) / (r.width - gx)); });
  }
  attachPanZoom(tl, {
    lanes: true,
    hover: (x, y) => {
      const k = x < 0 ? -1 : opAtPoint(x, y);
      if (k !== state.hover) { state.hover = k; schedule(); }
      showTip(k, x, y);
    },
    click: (x, y) => selectOp(opAtPoint(x, y)),
  });
  tl.addEventListener("keydown", (ev) => {
    const keys = { "+": () => zoomAt(0.6, 0.5), "=": () => zoomAt(0.6, 0.5), "-": () => zoomAt(1 / 0.6, 0.5), "_": () => zoomAt(1 / 0.6, 0.5), ArrowLeft: () => pan(-0.2), ArrowRight: () => pan(0.2),
      ArrowUp: () => { state.scrollY -= state.laneH * 3; schedule(); }, ArrowDown: () => { state.scrollY += state.laneH * 3; schedule(); }, "0": () => fitAll(), Escape: () => clearAnomaly() };
    if (keys[ev.key]) { ev.preventDefault(); keys[ev.key](); }
  });

  // ---------- overview strip ----------
  let ovBins = null;
  function drawOverview() {
    const { g, w, h } = sizeCanvas(ovc);
    const X = (tt) => GUTTER + ((tt - FULL.t0) / (FULL.t1 - FULL.t0)) * (w - GUTTER);
    const nb = Math.max(1, Math.floor((w - GUTTER) / 2));
    if (!ovBins || ovBins.length !== nb) {
      ovBins = new Float64Array(nb);
      for (let k = 0; k < N; k++) ovBins[Math.min(nb - 1, Math.floor(((T0[k] - FULL.t0) / (FULL.t1 - FULL.t0)) * nb))]++;
    }
    g.clearRect(0, 0, w, h);
    let max = 1; for (const v of ovBins) if (v > max) max = v;
    const saved = { t0: view.t0, t1: view.t1 }; view.t0 = FULL.t0; view.t1 = FULL.t1;
    shadeFaults(g, X, GUTTER, w, 0, h, false);
    view.t0 = saved.t0; view.t1 = saved.t1;
    g.fillStyle = "#8c959f";
    const bw = (w - GUTTER) / nb;
    for (let i = 0; i < nb; i++) if (ovBins[i]) { const bh = (ovBins[i] / max) * (h - 8); g.fillRect(GUTTER + i * bw, h - bh, Math.max(1, bw - 0.3), bh); }
    g.fillStyle = "#a40e26";
    for (const a of DATA.anomalies) for (const i of a.ops.slice(0, 50)) { const k = opAt(i); if (k >= 0) g.fillRect(X(T0[k]) - 0.5, 0, 1.5, 7); }
    const a = X(view.t0), b = X(view.t1);
    g.fillStyle = "#6b21a81a"; g.fillRect(a, 0, b - a, h);
    g.strokeStyle = COLOR.hl; g.lineWidth = 1.5; g.strokeRect(Math.max(GUTTER, a) + 0.5, 0.5, Math.max(2, Math.min(w, b) - Math.max(GUTTER, a) - 1), h - 1);
    g.fillStyle = "#656d76"; g.font = "11px system-ui, sans-serif"; g.textBaseline = "middle"; g.fillText("whole run", 6, h / 2);
  }
  (() => {
    let dragging = false;
    const move = (ev) => {
      const r = ovc.getBoundingClientRect(), frac = (ev.clientX - r.left - GUTTER) / (r.width - GUTTER);
      const at = FULL.t0 + frac * (FULL.t1 - FULL.t0), span = view.t1 - view.t0;
      setView(at - span / 2, at + span / 2);
    };
    ovc.addEventListener("pointerdown", (ev) => { dragging = true; ovc.setPointerCapture(ev.pointerId); move(ev); });
    ovc.addEventListener("pointermove", (ev) => { if (dragging) move(ev); });
    ovc.addEventListener("pointerup", () => { dragging = false; });
    ovc.addEventListener("wheel", (ev) => { ev.preventDefault(); zoomAt(Math.exp(ev.deltaY * 0.0025), 0.5); }, { passive: false });
  })();

  // ---------- plots (share the timeline's time window) ----------
  const fNames = [...new Set(Array.from(Fi))].map((i) => S[i]).sort();
  const fColor = new Map(fNames.map((f, i) => [f, F_PALETTE[i % F_PALETTE.length]]));
  let latMin = Infinity, latMax = 0;
  for (let k = 0; k < N; k++) if (T1[k] !== Infinity) { const d = T1[k] - T0[k]; if (d > 0 && d < latMin) latMin = d; if (d > latMax) latMax = d; }
  if (!Number.isFinite(latMin)) { latMin = 1e3; latMax = 1e9; }
  latMin = Math.max(100, Math.pow(10, Math.floor(Math.log10(latMin))));
  latMax = Math.pow(10, Math.ceil(Math.log10(Math.max(latMax, latMin * 10))));
  const PG = 64;
  const LOGLAT = new Float32Array(N);
  for (let k = 0; k < N; k++) LOGLAT[k] = T1[k] === Infinity ? 0 : Math.log10(Math.max(T1[k] - T0[k], latMin));
  const F_PX = new Uint32Array(S.length);
  for (const f of fNames) F_PX[S.indexOf(f)] = word(fColor.get(f));
  const INFO_PX = word("#d4910a");

  function drawLatency() {
    const c = $("latency"), { g, w, h } = sizeCanvas(c);
    const pw = w - PG, top = 28, ph = h - top - 8, span = view.t1 - view.t0;
    const X = (tt) => PG + ((tt - view.t0) / span) * pw;
    const lmin = Math.log10(latMin), lmax = Math.log10(latMax);
    const Yl = (d) => top + ph - ((Math.log10(Math.max(d, latMin)) - lmin) / (lmax - lmin)) * ph;
    g.clearRect(0, 0, w, h);
    shadeFaults(g, X, PG, w, top, ph, false);
    g.strokeStyle = "#eaeef2"; g.fillStyle = "#656d76"; g.font = "11px system-ui, sans-serif"; g.textBaseline = "middle";
    for (let e = Math.ceil(lmin); e <= lmax; e++) { const y = Math.round(Yl(Math.pow(10, e))) + 0.5; g.beginPath(); g.moveTo(PG, y); g.lineTo(w, y); g.stroke(); g.fillText(fmtDur(Math.pow(10, e)), 4, y); }
    // Points go into a pixel buffer (a small square each), so 100,000 of them cost a few milliseconds.
    const dpr = window.devicePixelRatio || 1, W = Math.max(1, Math.round(w * dpr)), H = Math.max(1, Math.round(h * dpr));
    const yk = ph / (lmax - lmin), r = rasterFor(c, W, H), px = r.px, sz = Math.max(2, Math.round(2.5 * dpr)), xmin = Math.round(PG * dpr);
    const hi = lowerBound(T0, view.t1 + 1), s0 = lowerBound(T0, view.t0);
    for (let k = s0; k < hi; k++) {
      if (T1[k] === Infinity) continue;
      if (state.only && HL[k] !== 1) continue;
      const color = Y[k] === 0 ? F_PX[Fi[k]] : Y[k] === 1 ? PX[1] : INFO_PX;
      const x = Math.round(X(T0[k]) * dpr) - 1, y = Math.round((top + ph - (LOGLAT[k] - lmin) * yk) * dpr) - 1;
      const xa = Math.max(xmin, x), xb = Math.min(W, x + sz), ya = Math.max(0, y), yb = Math.min(H, y + sz);
      for (let yy = ya; yy < yb; yy++) for (let i = yy * W + xa, e = yy * W + xb; i < e; i++) px[i] = color;
    }
    r.ctx.putImageData(r.img, 0, 0);
    g.drawImage(r.canvas, 0, 0, W, H, 0, 0, w, h);
    if (state.hl.size) {
      g.strokeStyle = COLOR.hl; g.lineWidth = 2;
      for (const k of state.hl) if (T1[k] !== Infinity && T0[k] >= view.t0 && T0[k] <= view.t1) g.strokeRect(X(T0[k]) - 3, Yl(T1[k] - T0[k]) - 3, 6, 6);
    }
    g.fillStyle = "#ffffff"; g.fillRect(0, 0, w, 20);
    drawTimeAxis(g, PG, pw, 0, 20, X);
    g.fillStyle = "#656d76"; g.fillText("latency", 4, 10);
  }

  function drawThroughput() {
    const c = $("throughput"), { g, w, h } = sizeCanvas(c);
    const pw = w - PG, top = 20, ph = h - top - 6, span = view.t1 - view.t0;
    const X = (tt) => PG + ((tt - view.t0) / span) * pw;
    g.clearRect(0, 0, w, h);
    shadeFaults(g, X, PG, w, top, ph, false);
    const nb = Math.max(1, Math.floor(pw / 4)), bin = span / nb;
    const counts = [0, 1, 2].map((y) => {
      const arr = doneByType[y], out = new Float64Array(nb);
      let prev = lowerBound(arr, view.t0);
      for (let i = 0; i < nb; i++) { const nx = lowerBound(arr, view.t0 + (i + 1) * bin, prev); out[i] = nx - prev; prev = nx; }
      return out;
    });
    let max = 1;
    for (let i = 0; i < nb; i++) max = Math.max(max, counts[0][i] + counts[1][i] + counts[2][i]);
    const perSec = 1e9 / bin, topRate = niceStep((max * perSec) / 1.0);
    const scale = ph / Math.max(max, topRate / perSec);
    const bw = pw / nb;
    const cols = [COLOR.ok, COLOR.fail, COLOR.info];
    for (let i = 0; i < nb; i++) {
      let base = top + ph;
      for (let y = 0; y < 3; y++) { const v = counts[y][i]; if (!v) continue; const hh = v * scale; g.fillStyle = cols[y]; g.fillRect(PG + i * bw, base - hh, Math.max(1, bw - 0.5), hh); base -= hh; }
    }
    g.fillStyle = "#656d76"; g.font = "11px system-ui, sans-serif"; g.textBaseline = "middle";
    const rateTop = (ph / scale) * perSec;
    for (const frac of [0.5, 1]) { const y = top + ph - frac * ph; g.strokeStyle = "#eaeef2"; g.beginPath(); g.moveTo(PG, y + 0.5); g.lineTo(w, y + 0.5); g.stroke(); g.fillText(`${Math.round(rateTop * frac)}/s`, 4, y + 6); }
    g.fillStyle = "#ffffff"; g.fillRect(0, 0, w, top);
    drawTimeAxis(g, PG, pw, 0, top, X);
    g.fillStyle = "#656d76"; g.fillText("ops/s", 4, top / 2);
  }

  function drawLag() {
    const lag = DATA.lag, c = $("lag"), note = $("lag-note");
    if (!lag) { note.textContent = "No staleness measure for this run: it needs reads of registers with unique written values (the session workload) or a checker that reports lags (staleness probes)."; c.hidden = true; return; }
    const sorted = Float64Array.from(lag.samples).sort(), n = sorted.length, total = n + lag.fresh;
    const q = (p) => sorted[Math.min(n - 1, Math.floor(p * n))];
    const stats = lag.stats ? " · " + Object.entries(lag.stats).map(([k, v]) => `${k} ${v}`).join(", ") : "";
    note.textContent = `${lag.label}. ${total} sample(s): ${lag.fresh} not stale, ${n} stale` + (n ? ` · stale by p50 ${fmtDur(q(0.5))}, p90 ${fmtDur(q(0.9))}, p99 ${fmtDur(q(0.99))}, max ${fmtDur(sorted[n - 1])}` : "") + stats;
    if (!n) { c.hidden = true; return; }
    c.hidden = false;
    const { g, w, h } = sizeCanvas(c);
    const lo = Math.max(1, sorted[0]), hi = Math.max(lo * 10, sorted[n - 1]);
    const l0 = Math.log10(lo), l1 = Math.log10(hi) + 1e-9, nb = 40, bins = new Float64Array(nb);
    for (const v of sorted) bins[Math.min(nb - 1, Math.max(0, Math.floor(((Math.log10(Math.max(v, lo)) - l0) / (l1 - l0)) * nb)))]++;
    let max = 1; for (const b of bins) max = Math.max(max, b);
    const pw = w - PG - 10, top = 10, ph = h - top - 22;
    g.clearRect(0, 0, w, h);
    g.fillStyle = "#5b8def";
    for (let i = 0; i < nb; i++) { const bh = (bins[i] / max) * ph; g.fillRect(PG + (i * pw) / nb, top + ph - bh, pw / nb - 1, bh); }
    g.fillStyle = "#656d76"; g.font = "11px system-ui, sans-serif"; g.textBaseline = "top";
    for (let e = Math.ceil(l0); e <= l1; e++) { const x = PG + ((e - l0) / (l1 - l0)) * pw; g.fillRect(x, top + ph, 1, 4); g.fillText(fmtDur(Math.pow(10, e)), x + 2, top + ph + 5); }
    g.fillText(`${max} reads`, 4, top); g.fillText("stale by", 4, top + ph + 5);
  }

  function drawAll() {
    drawTimeline();
    drawOverview();
    drawLatency();
    drawThroughput();
  }
  for (const id of ["latency", "throughput"]) attachPanZoom($(id), { gutter: PG });

  // ---------- toolbar ----------
  function fitAll() { view.t0 = FULL.t0; view.t1 = FULL.t1; clampView(); schedule(); }
  const onlyBtn = el("button", { type: "button", "aria-pressed": "false", title: "draw only the operations of the selected anomaly", on: { click: () => { state.only = !state.only; onlyBtn.setAttribute("aria-pressed", String(state.only)); schedule(); } } }, "only these ops");
  const packBtn = el("button", { type: "button", "aria-pressed": String(packed), title: "reuse a lane once its process has retired (after an indeterminate op)", on: { click: () => { packed = !packed; packBtn.setAttribute("aria-pressed", String(packed)); layoutLanes(); buildLaneOps(); schedule(); } } }, "pack lanes");
  const setLaneH = (v) => { state.laneH = Math.max(2, Math.min(40, v)); schedule(); };
  $("tl-toolbar").append(
    el("button", { type: "button", title: "zoom in (+)", on: { click: () => zoomAt(0.5, 0.5) } }, "+"),
    el("button", { type: "button", title: "zoom out (−)", on: { click: () => zoomAt(2, 0.5) } }, "−"),
    el("button", { type: "button", title: "the whole run (0)", on: { click: fitAll } }, "fit"),
    el("span", { class: "sep" }),
    el("button", { type: "button", title: "taller lanes", on: { click: () => setLaneH(state.laneH + 4) } }, "lanes ↕+"),
    el("button", { type: "button", title: "shorter lanes", on: { click: () => setLaneH(state.laneH - 4) } }, "lanes ↕−"),
    packBtn, onlyBtn,
    el("button", { type: "button", title: "clear the anomaly highlight (Esc)", on: { click: () => clearAnomaly() } }, "clear highlight"),
    el("span", { class: "sep" }),
    el("span", { class: "legend" },
      ...[["ok", COLOR.ok], ["failed", COLOR.fail], ["indeterminate", COLOR.info]].map(([n, c]) => el("span", null, el("span", { class: "sw", style: `background:${c}` }), n)),
      ...[...new Set(DATA.faults.map((f) => f.f))].map((f) => el("span", null, el("span", { class: "sw", style: `background:${faultColor(f)};opacity:.5` }), `${f} (fault)`)),
      el("span", null, el("span", { class: "sw", style: `background:#fff;border:2px solid ${COLOR.hl}` }), "anomaly")),
  );
  $("lat-legend").append(...fNames.map((f) => el("span", null, el("span", { class: "sw", style: `background:${fColor.get(f)}` }), `${f} ok`)),
    el("span", null, el("span", { class: "sw", style: `background:${COLOR.fail}` }), "failed"), el("span", null, el("span", { class: "sw", style: "background:#d4910a" }), "indeterminate"),
    el("span", null, "log scale; faults shaded; drag/wheel to pan/zoom with the timeline"));
  $("thr-legend").append(...[["ok", COLOR.ok], ["failed", COLOR.fail], ["indeterminate", COLOR.info]].map(([n, c]) => el("span", null, el("span", { class: "sw", style: `background:${c}` }), `${n} completions`)));

  // ---------- anomalies ----------
  // The highlighted ops as a set (to iterate) and a mask (for the per-op drawing loops).
  const HL = new Uint8Array(N);
  function setHl(ks) {
    for (const k of state.hl) HL[k] = 0;
    state.hl = ks;
    for (const k of ks) HL[k] = 1;
  }
  function anomalyOps(a) {
    const ks = new Set();
    for (const i of a.ops) { const k = opAt(i); if (k >= 0) ks.add(k); }
    return ks;
  }
  function clearAnomaly() {
    setHl(new Set()); state.hlAnomaly = -1; state.order = new Map(); state.blocked = new Set(); state.chain = [];
    document.querySelectorAll(".card.active").forEach((c) => c.classList.remove("active"));
    document.body.dataset.anomaly = "";
    schedule();
  }
  function zoomToOps(ks) {
    if (!ks.size) return;
    let a = Infinity, b = -Infinity, lane = Infinity;
    for (const k of ks) { a = Math.min(a, T0[k]); b = Math.max(b, Math.min(end1(k), T0[k] + (FULL.t1 - FULL.t0))); lane = Math.min(lane, LANE[k]); }
    const span = Math.max(b - a, 1e5), padT = span * 0.35;
    view.t0 = Math.max(FULL.t0 - span * 0.02, a - padT); view.t1 = b + padT; clampView();
    const visibleH = tl.clientHeight - AXIS;
    let lmin = Infinity, lmax = -Infinity; for (const k of ks) { lmin = Math.min(lmin, LANE[k]); lmax = Math.max(lmax, LANE[k]); }
    const needed = (lmax - lmin + 1) * state.laneH;
    state.scrollY = needed <= visibleH ? Math.max(0, (lmin + lmax + 1) / 2 * state.laneH - visibleH / 2) : lmin * state.laneH;
    schedule();
  }
  function highlight(id, ks, extra) {
    setHl(ks); state.hlAnomaly = id;
    state.order = extra?.order ?? new Map(); state.blocked = extra?.blocked ?? new Set(); state.chain = extra?.chain ?? [];
    document.querySelectorAll(".card.active").forEach((c) => c.classList.remove("active"));
    const card = $(`anomaly-${id}`); if (card) card.classList.add("active");
    document.body.dataset.anomaly = String(id);
  }
  function anomalyExtras(a) {
    const order = new Map(), blocked = new Set(), chain = [];
    const d = a.details || {};
    const skipped = typeof d.longestLength === "number" && Array.isArray(d.longest) ? Math.max(0, d.longestLength - d.longest.length) : d.longestOmitted || 0;
    if (Array.isArray(d.longest)) d.longest.forEach((s, n) => { const k = opAt(s && s.index); if (k >= 0) order.set(k, n + 1 + skipped); });
    if (Array.isArray(d.blocked)) for (const b of d.blocked) { const k = opAt(b && b.index); if (k >= 0) blocked.add(k); }
    for (const e of a.chain || []) { const x = opAt(e.from), y = opAt(e.to); if (x >= 0 && y >= 0) chain.push({ a: x, b: y, label: e.label }); }
    return { order, blocked, chain };
  }
  function showAnomaly(id, opts = {}) {
    const a = DATA.anomalies[id];
    if (!a) return;
    const ks = anomalyOps(a);
    const extra = anomalyExtras(a);
    for (const e of extra.chain) { ks.add(e.a); ks.add(e.b); }
    highlight(id, ks, extra);
    zoomToOps(ks);
    if (opts.scroll !== false) $("timeline").scrollIntoView({ block: "start" });
    if (history.replaceState) try { history.replaceState(null, "", `#anomaly-${id}`); } catch { /* file:// in some browsers */ }
  }
  function showOps(id, indexes) {
    const ks = new Set(); for (const i of indexes) { const k = opAt(i); if (k >= 0) ks.add(k); }
    highlight(id, ks, anomalyExtras(DATA.anomalies[id]));
    zoomToOps(ks);
    $("timeline").scrollIntoView({ block: "start" });
  }

  function opsTable(indexes, opts = {}) {
    const ks = []; const seenK = new Set();
    for (const i of indexes) { const k = opAt(i); if (k >= 0 && !seenK.has(k)) { seenK.add(k); ks.push(k); } }
    ks.sort((x, y) => T0[x] - T0[y]);
    const nemesis = indexes.filter((i) => opAt(i) < 0);
    const rows = ks.map((k) => el("tr", { class: "clickable", title: "show in the timeline", on: { click: () => { selectOp(k); zoomToOps(new Set([k])); $("timeline").scrollIntoView({ block: "start" }); } } },
      el("td", { class: "num", text: `${I0[k]}${I1[k] >= 0 ? "–" + I1[k] : ""}` }), el("td", { class: "num", text: P[k] }), el("td", { text: S[Fi[k]] }),
      el("td", { class: "val", text: S[A[k]] }), el("td", { class: "val", text: B[k] >= 0 ? S[B[k]] : "" }), el("td", { text: TYPE_WORD[Y[k]] + (E[k] >= 0 ? ` (${S[E[k]]})` : "") }),
      el("td", { text: ND[k] >= 0 ? S[ND[k]] : "" }), el("td", { class: "num", text: fmtS(T0[k]) }), el("td", { class: "num", text: T1[k] === Infinity ? "—" : fmtS(T1[k]) }),
      el("td", { class: "num", text: T1[k] === Infinity ? "—" : fmtDur(T1[k] - T0[k]) })));
    const table = el("table", { class: "ops" }, el("tr", null, ...["history #", "process", "f", "invoked with", "returned", "outcome", "node", "invoked", "completed", "took"].map((hd) => el("th", { text: hd }))), rows);
    const out = [opts.scroll && ks.length > 12 ? el("div", { class: "scroll" }, table) : table];
    if (nemesis.length) out.push(el("p", { class: "muted", text: `Also cites history event(s) ${nemesis.join(", ")} (fault events).` }));
    return out;
  }

  function drawMini(c, ks, extra) {
    const lanesN = new Set(ks.map((k) => P[k])).size;
    c.style.height = `${Math.min(310, 40 + lanesN * 26)}px`;
    const draw = () => {
      const { g, w, h } = sizeCanvas(c);
      if (!ks.length) return;
      const pr = [...new Set(ks.map((k) => P[k]))].sort((a, b) => a - b), lane = new Map(pr.map((p, i) => [p, i]));
      let a = Infinity, b = -Infinity; for (const k of ks) { a = Math.min(a, T0[k]); b = Math.max(b, Math.min(end1(k), T0[k] + 1e10)); }
      const span = Math.max(b - a, 1e3), t0 = a - span * 0.05, t1 = b + span * 0.05, gx = 44, top = 30;
      const lh = Math.min(26, (h - top - 4) / pr.length), X = (tt) => gx + ((tt - t0) / (t1 - t0)) * (w - gx - 6);
      g.clearRect(0, 0, w, h);
      const saved = { t0: view.t0, t1: view.t1 }; view.t0 = t0; view.t1 = t1;
      shadeFaults(g, X, gx, w, top, h - top, false);
      g.fillStyle = "#fff"; g.fillRect(0, 0, w, top);
      faultBand(g, X, gx, w, 0, 12);
      drawTimeAxis(g, gx, w - gx, 12, top - 12, X);
      view.t0 = saved.t0; view.t1 = saved.t1;
      g.font = "11px system-ui, sans-serif"; g.textBaseline = "middle";
      for (const p of pr) { g.fillStyle = "#656d76"; g.fillText(`p${p}`, 4, top + lane.get(p) * lh + lh / 2); }
      const sorted = [...ks].sort((x, y) => T0[x] - T0[y]);
      const nextX = new Map();
      for (const p of pr) { const mine = sorted.filter((k) => P[k] === p); mine.forEach((k, i) => nextX.set(k, i + 1 < mine.length ? X(T0[mine[i + 1]]) : w)); }
      for (const k of sorted) {
        const y = top + lane.get(P[k]) * lh + 2, x0 = X(T0[k]), x1 = Math.max(x0 + 2, X(Math.min(end1(k), t1)));
        g.fillStyle = [COLOR.ok, COLOR.fail, COLOR.info][Y[k]]; g.fillRect(x0, y, x1 - x0, lh - 4);
        if (extra?.blocked?.has(k)) { g.strokeStyle = "#a40e26"; g.lineWidth = 2; g.strokeRect(x0, y, x1 - x0, lh - 4); }
        g.fillStyle = "#1f2328";
        const n = extra?.order?.get(k);
        let s = (n ? `#${n} ` : "") + opLabel(k); const room = Math.floor((x1 - x0 - 6) / 6.2);
        if (room >= 3) g.fillText(s.length > room ? s.slice(0, room - 1) + "…" : s, x0 + 3, y + (lh - 4) / 2);
        else {
          const room2 = Math.floor((nextX.get(k) - x1 - 8) / 6.2);
          if (room2 >= 3) g.fillText(s.length > room2 ? s.slice(0, room2 - 1) + "…" : s, x1 + 3, y + (lh - 4) / 2);
        }
      }
    };
    requestAnimationFrame(draw);
    return draw;
  }
  const minis = [];

  function stepsTable(steps, omitted, blocked) {
    const rows = steps.map((s, n) => el("tr", { class: "clickable", on: { click: () => { const k = opAt(s.index); if (k >= 0) { selectOp(k); zoomToOps(new Set([k])); $("timeline").scrollIntoView({ block: "start" }); } } } },
      el("td", { class: "num", text: n + 1 + omitted }), el("td", { class: "num", text: s.index }), el("td", { text: opAt(s.index) >= 0 ? `p${P[opAt(s.index)]}` : "" }), el("td", { class: "val", text: s.op }), el("td", { class: "val", text: s.state })));
    for (const b of blocked) rows.push(el("tr", { class: "blocked" }, el("td", { text: "✗" }), el("td", { class: "num", text: b.index }), el("td", { text: opAt(b.index) >= 0 ? `p${P[opAt(b.index)]}` : "" }), el("td", { class: "val", text: b.op }), el("td", { text: "cannot be placed next" })));
    const table = el("table", null, el("tr", null, ...["step", "history #", "process", "operation", "model state after"].map((x) => el("th", { text: x }))), rows);
    const box = el("div", { class: "scroll" }, table);
    requestAnimationFrame(() => { box.scrollTop = box.scrollHeight; });
    return box;
  }

  function detailsBlock(a) {
    const d = a.details, out = [];
    if (!d || typeof d !== "object") return out;
    const s = (v) => (typeof v === "string" ? v : JSON.stringify(v));
    if (d.witness && typeof d.witness === "object") {
      const w = d.witness, wops = Array.isArray(w.ops) ? w.ops.filter(Number.isInteger) : [];
      const ks = [...new Set(wops.map(opAt).filter((k) => k >= 0))];
      const same = ks.length === anomalyOps(a).size && ks.every((k) => anomalyOps(a).has(k));
      const c = el("canvas", { class: "mini" });
      minis.push(drawMini(c, ks, { blocked: anomalyExtras(a).blocked }));
      out.push(el("h3", null, `Shrunk witness: ${ks.length} operation(s) that cannot be linearized even on their own${w.minimal === true ? " (minimal: dropping any one makes them linearizable)" : ""} `,
        el("a", { href: "#timeline", class: "zoom", on: { click: (ev) => { ev.preventDefault(); showOps(a.id, wops); } } }, "show witness in timeline")), c);
      if (!same) out.push(...opsTable(wops, { scroll: true }));
      const rest = Object.entries(w).filter(([k]) => k !== "ops" && k !== "operations");
      if (rest.length) out.push(el("p", { class: "muted", text: rest.map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join(" · ") }));
    }
    if (Array.isArray(d.longest)) {
      const omitted = (d.longestOmitted || 0) + (typeof d.longestLength === "number" && d.longestLength > d.longest.length + (d.longestOmitted || 0) ? d.longestLength - d.longest.length - (d.longestOmitted || 0) : 0);
      out.push(el("h3", { text: `Longest partial linearization${d.model ? ` (model ${s(d.model)})` : ""}: ${d.longest.length + omitted} step(s)${omitted ? `, the last ${d.longest.length} shown` : ""}, then the operation that cannot follow` }));
      out.push(stepsTable(d.longest.map((x) => ({ index: x && x.index, op: s(x && x.op), state: s(x && x.state) })), omitted, (Array.isArray(d.blocked) ? d.blocked : []).map((x) => ({ index: x && x.index, op: s(x && x.op) }))));
    }
    if (a.chain && a.chain.length) {
      out.push(el("h3", { text: "Dependency chain" }));
      const items = [];
      a.chain.forEach((e, n) => {
        const k = opAt(e.from);
        items.push(el("li", null, `#${e.from} `, k >= 0 ? opName(k) : "event", " ", el("span", { class: "rel", text: `—${e.label || "→"}→` }), ` #${e.to}`));
        if (n === a.chain.length - 1) { const k2 = opAt(e.to); items.push(el("li", null, `#${e.to} `, k2 >= 0 ? opName(k2) : "event")); }
      });
      out.push(el("ol", { class: "chain" }, items));
    }
    out.push(el("details", null, el("summary", { text: "checker's details (raw)" }), el("pre", { text: JSON.stringify(d, null, 2) })));
    return out;
  }

  // ---------- cycles (typed evidence): a small diagram of the transactions and labelled edges ----------
  const SVGNS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, ...kids) {
    const n = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, String(v));
    for (const k of kids) if (k != null) n.append(k);
    return n;
  }
  const REL_COLOR = { ww: "#0969da", wr: "#1a7f37", rw: "#cf222e", process: "#8250df", realtime: "#9a6700" };
  /** The nodes on a circle, each edge an arc (curved when two nodes have edges both ways) with its relation. */
  function cycleDiagram(ev) {
    const order = Array.isArray(ev.order) && ev.order.length ? ev.order : [...new Set(ev.steps.map((s) => s.from))];
    const name = (i) => { const j = order.indexOf(i); return j >= 0 && ev.names && ev.names[j] ? ev.names[j] : `#${i}`; };
    const n = order.length, W = 360, H = n <= 2 ? 150 : 240, cx = W / 2, cy = H / 2, R = n <= 2 ? 110 : Math.min(95, 30 + n * 12), r = 19;
    const pos = new Map(order.map((i, j) => { const t = n <= 2 ? Math.PI * j : -Math.PI / 2 + (2 * Math.PI * j) / n; return [i, n <= 2 ? [cx + (j === 0 ? -R : R) * 0.9, cy] : [cx + R * Math.cos(t), cy + R * Math.sin(t)]]; }));
    const root = svg("svg", { class: "cycle", viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-label": `cycle of ${n} transactions` });
    const defs = svg("defs");
    for (const [rel, c] of Object.entries(REL_COLOR)) defs.append(svg("marker", { id: `arrow-${rel}`, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, svg("path", { d: "M0,0 L10,5 L0,10 z", fill: c })));
    root.append(defs);
    const pairs = new Set(ev.steps.map((s) => `${s.from}>${s.to}`));
    for (const s of ev.steps) {
      const a = pos.get(s.from), b = pos.get(s.to);
      if (!a || !b) continue;
      const dx = b[0] - a[0], dy = b[1] - a[1], len = Math.hypot(dx, dy) || 1, ux = dx / len, uy = dy / len;
      const both = pairs.has(`${s.to}>${s.from}`) || n <= 2, bend = both ? 34 : 14;
      const x0 = a[0] + ux * r, y0 = a[1] + uy * r, x1 = b[0] - ux * (r + 2), y1 = b[1] - uy * (r + 2);
      // Bend to the right of the direction of travel, so the two edges of a pair part ways.
      const mx = (x0 + x1) / 2 - uy * bend, my = (y0 + y1) / 2 + ux * bend;
      const color = REL_COLOR[s.relation] || "#656d76";
      root.append(svg("path", { d: `M${x0.toFixed(1)},${y0.toFixed(1)} Q${mx.toFixed(1)},${my.toFixed(1)} ${x1.toFixed(1)},${y1.toFixed(1)}`, fill: "none", stroke: color, "stroke-width": 2, "marker-end": `url(#arrow-${REL_COLOR[s.relation] ? s.relation : "ww"})` }, svg("title", {}, s.why)));
      const lx = (x0 + x1) / 4 + mx / 2, ly = (y0 + y1) / 4 + my / 2;
      root.append(svg("text", { x: lx.toFixed(1), y: ly.toFixed(1), "text-anchor": "middle", "dominant-baseline": "middle", class: "rel-label", fill: color }, s.relation));
    }
    for (const i of order) {
      const [x, y] = pos.get(i), k = opAt(i);
      const g = svg("g", { class: "txn", "data-index": i });
      g.append(svg("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r, fill: "#f6f8fa", stroke: "#1f2328", "stroke-width": 1.5 }),
        svg("text", { x: x.toFixed(1), y: y.toFixed(1), "text-anchor": "middle", "dominant-baseline": "central", class: "txn-name" }, name(i)),
        svg("title", {}, `${name(i)}: history #${i}${k >= 0 ? `, process ${P[k]}` : ""}`));
      if (k >= 0) g.addEventListener("click", () => { selectOp(k); zoomToOps(new Set([k])); $("timeline").scrollIntoView({ block: "start" }); });
      root.append(g);
    }
    return root;
  }
  function cycleBlock(ev) {
    const order = Array.isArray(ev.order) ? ev.order : [];
    const txns = el("ul", { class: "txns" }, order.map((i, j) => el("li", null, el("strong", { text: (ev.names && ev.names[j]) || `#${i}` }), ` (history #${i}${opAt(i) >= 0 ? `, process ${P[opAt(i)]}` : ""}): `, el("span", { class: "val", text: (ev.texts && ev.texts[j]) || "" }))));
    const edges = el("ol", { class: "chain" }, ev.steps.map((s) => el("li", null, el("span", { class: "rel", style: `color:${REL_COLOR[s.relation] || "inherit"}`, text: s.relation }), " ", s.why)));
    const words = el("div", { class: "cycle-words" }, el("h3", { text: "Transactions" }), txns, el("h3", { text: "Why they form a cycle" }), edges,
      Array.isArray(ev.faults) && ev.faults.length ? el("p", { class: "muted", text: `Faults in effect: ${ev.faults.join(", ")}` }) : null);
    return [el("div", { class: "cycle-box" }, cycleDiagram(ev), words)];
  }

  const PAGE = 50;
  let shown = 0;
  function anomalyCard(a) {
    const ks = [...anomalyOps(a)];
    const card = el("div", { class: "card anomaly", id: `anomaly-${a.id}`, "data-kind": a.kind },
      el("div", { class: "card-head" },
        el("span", { class: "kind", text: a.kind }),
        el("span", { class: "muted", text: `${a.checker}${a.key !== undefined ? ` · key ${a.key}` : ""} · anomaly ${a.id + 1} of ${DATA.anomalies.length + DATA.anomaliesOmitted}` }),
        el("a", { href: "#timeline", class: "zoom", "data-anomaly": a.id, on: { click: (ev) => { ev.preventDefault(); showAnomaly(a.id); } } }, "show in timeline ↧")),
      el("p", { class: "story", text: a.story }),
      a.explanation && a.explanation !== a.story ? el("p", { class: "checker-says", text: `Checker: ${a.explanation}` }) : null);
    if (!(a.details && a.details.witness) && ks.length) { const c = el("canvas", { class: "mini" }); card.append(c); minis.push(drawMini(c, ks, anomalyExtras(a))); }
    if (a.evidence && Array.isArray(a.evidence.steps) && a.evidence.steps.length) card.append(...cycleBlock(a.evidence));
    const det = detailsBlock(a), witnessEnd = det.findIndex((e) => e.tagName === "CANVAS") + 1;
    card.append(...det.slice(0, witnessEnd), el("h3", { text: `Operations involved (${ks.length})` }), ...opsTable(a.ops, { scroll: true }), ...det.slice(witnessEnd));
    return card;
  }
  function renderAnomalies() {
    const list = $("anomaly-list");
    if (!DATA.anomalies.length) {
      list.append(el("p", { class: "muted", text: DATA.valid === null ? "The history has not been checked." : "No anomalies: every checker found the history valid." + (DATA.valid === "unknown" ? " (Some could not decide; see the checkers table.)" : "") }));
      return;
    }
    const more = el("button", { type: "button", on: { click: () => page() } });
    const page = () => {
      const next = DATA.anomalies.slice(shown, shown + PAGE);
      for (const a of next) list.insertBefore(anomalyCard(a), more);
      shown += next.length;
      const left = DATA.anomalies.length - shown;
      more.textContent = `show ${Math.min(PAGE, left)} more of ${left}`;
      more.hidden = left <= 0;
    };
    list.append(more);
    page();
    if (DATA.anomaliesOmitted) list.append(el("p", { class: "note", text: `${DATA.anomaliesOmitted} more anomalies are in results.json (the report shows the first ${DATA.anomalies.length}).` }));
  }

  // ---------- summary ----------
  function verdictWord(v) { return v === true ? "VALID" : v === false ? "INVALID" : v === "unknown" ? "UNKNOWN" : "NOT CHECKED"; }
  function verdictClass(v) { return v === true ? "v-valid" : v === false ? "v-invalid" : v === "unknown" ? "v-unknown" : "v-none"; }
  function renderSummary() {
    const r = DATA.run, c = DATA.counts;
    $("title").textContent = `${DATA.title}${r.name ? ` · ${r.name}` : ""}`;
    const badge = $("verdict"); badge.textContent = verdictWord(DATA.valid); badge.className = `badge ${verdictClass(DATA.valid)}`;
    const dur = typeof r.simulatedSeconds === "number" ? r.simulatedSeconds * 1e9 : END;
    const facts = [
      ["target", [r.target, r.mode].filter(Boolean).join(" / ") || "—"], ["workload", r.workload ?? "—"],
      ["nemesis", Array.isArray(r.nemesis) ? (r.nemesis.length ? r.nemesis.join(", ") : "none") : r.nemesis ?? "—"],
      ["seed", r.seed ?? "—"], ["duration", fmtDur(dur)], ["nodes", Array.isArray(r.nodes) ? r.nodes.join(", ") : "—"],
      ["operations", `${N} (${c.ok} ok, ${c.fail} failed, ${c.info} indeterminate)`], ["faults", `${DATA.faults.length} injected`],
      ["history events", c.events], ["concurrency", r.concurrency ?? "—"], ["rate", r.rate === 0 ? "unlimited" : r.rate !== undefined ? `${r.rate} ops/s` : "—"],
      ["started", r.started ?? "—"], ["status", r.status ?? "—"], ["faultline", r.versions?.faultline ?? "—"],
    ];
    $("facts").append(el("dl", { class: "facts" }, facts.map(([k, v]) => el("div", null, el("dt", { text: k }), el("dd", { text: v, title: String(v) })))));
    if (r.description) $("facts").append(el("p", { class: "muted", text: `${r.target}${r.mode ? "/" + r.mode : ""}: ${r.description}` }));
    if (Array.isArray(r.argv)) $("facts").append(el("p", { class: "muted" }, "command: ", el("code", { text: `faultline ${r.argv.join(" ")}` })));
    for (const n of DATA.notes) $("notes").append(el("p", { class: "note", text: n }));
    if (DATA.checkers.length) {
      $("checkers").append(el("h3", { text: "Checkers" }), el("table", null, el("tr", null, el("th", { text: "checker" }), el("th", { text: "verdict" }), el("th", { text: "anomalies" }), el("th", { text: "notes" })),
        DATA.checkers.map((k) => el("tr", null, el("td", { text: k.name }), el("td", { class: k.valid === true ? "held" : k.valid === false ? "violated" : "", text: verdictWord(k.valid) }), el("td", { class: "num", text: k.anomalies }),
          el("td", { class: "muted", text: [k.reason, k.stats ? Object.entries(k.stats).map(([a, b]) => `${a} ${b}`).join(", ") : ""].filter(Boolean).join(" · ") })))));
    }
    const sp = DATA.spectrum;
    if (sp && sp.models.length) {
      const held = sp.models.filter((m) => m.status === "held").map((m) => m.model), broke = sp.models.filter((m) => m.status === "violated").map((m) => m.model);
      $("spectrum").append(el("h3", { text: "Consistency spectrum" }),
        el("p", null, "Strongest held: ", el("strong", { text: sp.strongest ?? (held[0] || "none") }), held.length ? ` · held: ${held.join(", ")}` : "", broke.length ? ` · broke: ${broke.join(", ")}` : ""),
        el("table", { class: "spectrum" }, el("tr", null, el("th", { text: "model" }), el("th", { text: "status" }), el("th", { text: "anomalies" }), el("th", { text: "notes" })),
          sp.models.map((m) => el("tr", null, el("td", { text: m.model }), el("td", { class: m.status === "held" ? "held" : m.status === "violated" ? "violated" : "muted", text: m.status }),
            el("td", { class: "num", text: m.anomalies ?? "" }), el("td", { class: "muted", text: m.note ?? "" })))));
    }
    const iso = DATA.isolation;
    if (iso && iso.models.length) {
      const counts = Object.entries(iso.anomalyCounts || {});
      $("spectrum").append(el("h3", { text: "Transactional isolation" }),
        el("p", null, "Strongest held: ", el("strong", { text: iso.strongest }), counts.length ? ` · anomalies: ${counts.map(([k, v]) => `${k} ×${v}`).join(", ")}` : ""),
        el("table", { class: "spectrum isolation" }, el("tr", null, el("th", { text: "model" }), el("th", { text: "status" })),
          iso.models.map((m) => el("tr", null, el("td", { text: m.model }), el("td", { class: m.status === "held" ? "held" : m.status === "violated" ? "violated" : "muted", text: m.status })))));
    }
    const fs = Object.entries(c.byF);
    if (fs.length) $("byf").append(el("h3", { text: "Operations by kind" }), el("table", null, el("tr", null, ...["f", "ok", "failed", "indeterminate"].map((x) => el("th", { text: x }))),
      fs.map(([f, v]) => el("tr", null, el("td", { text: f }), el("td", { class: "num", text: v.ok }), el("td", { class: "num", text: v.fail }), el("td", { class: "num", text: v.info })))));
  }

  // ---------- start ----------
  renderSummary();
  renderAnomalies();
  drawLag();
  clampView();
  drawAll();
  let lastW = 0;
  new ResizeObserver(() => { if (document.body.clientWidth !== lastW) { lastW = document.body.clientWidth; schedule(); for (const m of minis) requestAnimationFrame(m); drawLag(); } }).observe(document.body);
  const m = /^#anomaly-(\d+)$/.exec(location.hash);
  if (m && DATA.anomalies[+m[1]]) showAnomaly(+m[1], { scroll: false });
  /** Where an op (by a history index of its invocation or completion) is drawn on the timeline, in CSS pixels of the canvas; null when off screen. */
  function opBox(index) {
    const k = opAt(index);
    if (k < 0) return null;
    const pw = tl.clientWidth - GUTTER, span = view.t1 - view.t0, X = (tt) => GUTTER + ((tt - view.t0) / span) * pw;
    const x0 = Math.max(GUTTER, X(T0[k])), x1 = Math.min(tl.clientWidth, Math.max(x0 + 1, X(end1(k)))), y = laneTop(LANE[k]);
    if (x1 < GUTTER || x0 > tl.clientWidth || y < AXIS || y + state.laneH > tl.clientHeight) return null;
    return { x: x0, y, w: x1 - x0, h: state.laneH };
  }
  window.faultlineReport = { view, state, data: DATA, showAnomaly, selectOp, fitAll, zoomAt, opBox, redraw: drawAll, draws: { drawTimeline, drawOverview, drawLatency, drawThroughput }, ops: N };
  document.body.dataset.ready = "1";
})();
