/// <reference lib="dom" />
// The anomaly cards, drawn from each anomaly's typed evidence whatever its checker: the story, a small timeline
// of its operations, its steps (a diagram for a cycle, a list for a chain), its witness, its linearization prefix,
// the operations table; and highlighting an anomaly on the timeline.
import type { Evidence } from "../../../checkers/types.ts";
import type { ReportData } from "../data.ts";
import { duration, seconds } from "../../format.ts";
import { $, el, sizeCanvas, svg } from "./dom.ts";
import { A, B, DATA, E, Fi, I0, I1, ND, P, S, T0, T1, TYPE_WORD, Y, end1, opAt, opLabel, opName } from "./ops.ts";
import { REL_COLOR, TYPE_COLOR } from "./colours.ts";
import { drawTimeAxis, faultBand, schedule, setHl, shadeFaults, state, view } from "./view.ts";
import { goToOp, zoomToOps } from "./timeline.ts";

type Anomaly = ReportData["anomalies"][number];
interface Extras {
  order: Map<number, number>;
  blocked: Set<number>;
  chain: { a: number; b: number; label?: string }[];
}

/** The operations (as op numbers) a list of history indexes names. */
function opsOf(indexes: readonly number[]): Set<number> {
  const ks = new Set<number>();
  for (const i of indexes) {
    const k = opAt(i);
    if (k >= 0) ks.add(k);
  }
  return ks;
}

/** What the timeline draws for an anomaly besides its ops: the prefix's numbers, the blocked ops, the steps' arrows. */
function extrasOf(a: Anomaly): Extras {
  const ev: Evidence = a.evidence ?? {};
  const order = new Map<number, number>(),
    blocked = new Set<number>(),
    chain: Extras["chain"] = [];
  const prefix = ev.prefix ?? [],
    skipped = Math.max(0, (ev.prefixLength ?? prefix.length) - prefix.length);
  prefix.forEach((s, n) => {
    const k = opAt(s.index);
    if (k >= 0) order.set(k, n + 1 + skipped);
  });
  for (const b of ev.blocked ?? []) {
    const k = opAt(b.index);
    if (k >= 0) blocked.add(k);
  }
  for (const s of ev.steps ?? []) {
    const x = opAt(s.from),
      y = opAt(s.to);
    if (x >= 0 && y >= 0 && x !== y) chain.push({ a: x, b: y, label: s.relation });
  }
  return { order, blocked, chain };
}

function highlight(id: number, ks: Set<number>, extra: Extras): void {
  setHl(ks);
  state.hlAnomaly = id;
  state.order = extra.order;
  state.blocked = extra.blocked;
  state.chain = extra.chain;
  document.querySelectorAll(".card.active").forEach((c) => c.classList.remove("active"));
  $(`anomaly-${id}`)?.classList.add("active");
  document.body.dataset.anomaly = String(id);
}

export function clearAnomaly(): void {
  setHl(new Set());
  state.hlAnomaly = -1;
  state.order = new Map();
  state.blocked = new Set();
  state.chain = [];
  document.querySelectorAll(".card.active").forEach((c) => c.classList.remove("active"));
  document.body.dataset.anomaly = "";
  schedule();
}

/** Highlights anomaly `id` on the timeline (its ops and the ops its steps join) and zooms to them. */
export function showAnomaly(id: number, opts: { scroll?: boolean } = {}): void {
  const a = DATA.anomalies[id];
  if (!a) return;
  const ks = opsOf(a.ops),
    extra = extrasOf(a);
  for (const e of extra.chain) {
    ks.add(e.a);
    ks.add(e.b);
  }
  highlight(id, ks, extra);
  zoomToOps(ks);
  if (opts.scroll !== false) $("timeline").scrollIntoView({ block: "start" });
  if (history.replaceState)
    try {
      history.replaceState(null, "", `#anomaly-${id}`);
    } catch {
      /* file:// in some browsers */
    }
}

function showOps(id: number, indexes: readonly number[]): void {
  const ks = opsOf(indexes);
  highlight(id, ks, extrasOf(DATA.anomalies[id]));
  zoomToOps(ks);
  $("timeline").scrollIntoView({ block: "start" });
}

function opsTable(indexes: readonly number[], opts: { scroll?: boolean } = {}): HTMLElement[] {
  const ks = [...opsOf(indexes)].sort((x, y) => T0[x] - T0[y]);
  const nemesis = indexes.filter((i) => opAt(i) < 0);
  const rows = ks.map((k) =>
    el(
      "tr",
      { class: "clickable", title: "show in the timeline", on: { click: () => goToOp(k) } },
      el("td", { class: "num", text: `${I0[k]}${I1[k] >= 0 ? "–" + I1[k] : ""}` }),
      el("td", { class: "num", text: P[k] }),
      el("td", { text: S[Fi[k]] }),
      el("td", { class: "val", text: S[A[k]] }),
      el("td", { class: "val", text: B[k] >= 0 ? S[B[k]] : "" }),
      el("td", { text: TYPE_WORD[Y[k]] + (E[k] >= 0 ? ` (${S[E[k]]})` : "") }),
      el("td", { text: ND[k] >= 0 ? S[ND[k]] : "" }),
      el("td", { class: "num", text: seconds(T0[k]) }),
      el("td", { class: "num", text: T1[k] === Infinity ? "—" : seconds(T1[k]) }),
      el("td", { class: "num", text: T1[k] === Infinity ? "—" : duration(T1[k] - T0[k]) }),
    ),
  );
  const table = el(
    "table",
    { class: "ops" },
    el(
      "tr",
      null,
      ...[
        "history #",
        "process",
        "f",
        "invoked with",
        "returned",
        "outcome",
        "node",
        "invoked",
        "completed",
        "took",
      ].map((hd) => el("th", { text: hd })),
    ),
    rows,
  );
  const out: HTMLElement[] = [opts.scroll && ks.length > 12 ? el("div", { class: "scroll" }, table) : table];
  if (nemesis.length)
    out.push(el("p", { class: "muted", text: `Also cites history event(s) ${nemesis.join(", ")} (fault events).` }));
  return out;
}

/** The mini timelines, redrawn when the page is resized. */
export const minis: (() => void)[] = [];

/** A small timeline of just the ops `ks`, one lane per process, with faults and the prefix numbers. */
function drawMini(c: HTMLCanvasElement, ks: number[], extra?: Partial<Extras>): () => void {
  const pr = [...new Set(ks.map((k) => P[k]))].sort((a, b) => a - b),
    lane = new Map(pr.map((p, i) => [p, i]));
  c.style.height = `${Math.min(310, 40 + pr.length * 26)}px`;
  const draw = () => {
    const { g, w, h } = sizeCanvas(c);
    if (!ks.length) return;
    let a = Infinity,
      b = -Infinity;
    for (const k of ks) {
      a = Math.min(a, T0[k]);
      b = Math.max(b, Math.min(end1(k), T0[k] + 1e10));
    }
    const span = Math.max(b - a, 1e3),
      t0 = a - span * 0.05,
      t1 = b + span * 0.05,
      gx = 44,
      top = 30;
    const lh = Math.min(26, (h - top - 4) / pr.length),
      X = (tt: number) => gx + ((tt - t0) / (t1 - t0)) * (w - gx - 6);
    g.clearRect(0, 0, w, h);
    const saved = { t0: view.t0, t1: view.t1 };
    view.t0 = t0;
    view.t1 = t1;
    shadeFaults(g, X, gx, w, top, h - top);
    g.fillStyle = "#fff";
    g.fillRect(0, 0, w, top);
    faultBand(g, X, gx, w, 0, 12);
    drawTimeAxis(g, gx, w - gx, 12, top - 12, X);
    view.t0 = saved.t0;
    view.t1 = saved.t1;
    g.font = "11px system-ui, sans-serif";
    g.textBaseline = "middle";
    for (const p of pr) {
      g.fillStyle = "#656d76";
      g.fillText(`p${p}`, 4, top + lane.get(p)! * lh + lh / 2);
    }
    const sorted = [...ks].sort((x, y) => T0[x] - T0[y]);
    const nextX = new Map<number, number>();
    for (const p of pr) {
      const mine = sorted.filter((k) => P[k] === p);
      mine.forEach((k, i) => nextX.set(k, i + 1 < mine.length ? X(T0[mine[i + 1]]) : w));
    }
    for (const k of sorted) {
      const y = top + lane.get(P[k])! * lh + 2,
        x0 = X(T0[k]),
        x1 = Math.max(x0 + 2, X(Math.min(end1(k), t1)));
      g.fillStyle = TYPE_COLOR[Y[k]];
      g.fillRect(x0, y, x1 - x0, lh - 4);
      if (extra?.blocked?.has(k)) {
        g.strokeStyle = "#a40e26";
        g.lineWidth = 2;
        g.strokeRect(x0, y, x1 - x0, lh - 4);
      }
      g.fillStyle = "#1f2328";
      const n = extra?.order?.get(k);
      const s = (n ? `#${n} ` : "") + opLabel(k),
        room = Math.floor((x1 - x0 - 6) / 6.2);
      if (room >= 3) g.fillText(s.length > room ? s.slice(0, room - 1) + "…" : s, x0 + 3, y + (lh - 4) / 2);
      else {
        const room2 = Math.floor((nextX.get(k)! - x1 - 8) / 6.2);
        if (room2 >= 3) g.fillText(s.length > room2 ? s.slice(0, room2 - 1) + "…" : s, x1 + 3, y + (lh - 4) / 2);
      }
    }
  };
  requestAnimationFrame(draw);
  return draw;
}

function mini(ks: number[], extra?: Partial<Extras>): HTMLCanvasElement {
  const c = el("canvas", { class: "mini" });
  minis.push(drawMini(c, ks, extra));
  return c;
}

/** The linearization prefix (its last steps) and the ops that cannot follow it. */
function prefixBlock(ev: Evidence): HTMLElement[] {
  const prefix = ev.prefix ?? [],
    blocked = ev.blocked ?? [],
    omitted = Math.max(0, (ev.prefixLength ?? prefix.length) - prefix.length);
  const proc = (i: number) => (opAt(i) >= 0 ? `p${P[opAt(i)]}` : "");
  const rows = prefix.map((s, n) =>
    el(
      "tr",
      {
        class: "clickable",
        on: {
          click: () => {
            const k = opAt(s.index);
            if (k >= 0) goToOp(k);
          },
        },
      },
      el("td", { class: "num", text: n + 1 + omitted }),
      el("td", { class: "num", text: s.index }),
      el("td", { text: proc(s.index) }),
      el("td", { class: "val", text: s.op }),
      el("td", { class: "val", text: s.state }),
    ),
  );
  for (const b of blocked)
    rows.push(
      el(
        "tr",
        { class: "blocked" },
        el("td", { text: "✗" }),
        el("td", { class: "num", text: b.index }),
        el("td", { text: proc(b.index) }),
        el("td", { class: "val", text: b.op }),
        el("td", { text: "cannot be placed next" }),
      ),
    );
  const table = el(
    "table",
    null,
    el(
      "tr",
      null,
      ...["step", "history #", "process", "operation", "model state after"].map((x) => el("th", { text: x })),
    ),
    rows,
  );
  const box = el("div", { class: "scroll" }, table);
  requestAnimationFrame(() => {
    box.scrollTop = box.scrollHeight;
  });
  const total = prefix.length + omitted;
  return [
    el("h3", {
      text: `Longest partial linearization: ${total} step(s)${omitted ? `, the last ${prefix.length} shown` : ""}${blocked.length ? ", then the operation that cannot follow" : ""}`,
    }),
    box,
  ];
}

const nameOf = (ev: Evidence, i: number) => {
  const j = ev.order?.indexOf(i) ?? -1;
  return j >= 0 && ev.names?.[j] ? ev.names[j] : `#${i}`;
};

/** A cycle's nodes on a circle, each step an arc (curved apart when two nodes have steps both ways) with its relation. */
function cycleDiagram(ev: Evidence, order: number[]): SVGElement {
  const steps = ev.steps ?? [];
  const n = order.length,
    W = 360,
    H = n <= 2 ? 150 : 240,
    cx = W / 2,
    cy = H / 2,
    R = n <= 2 ? 110 : Math.min(95, 30 + n * 12),
    r = 19;
  const pos = new Map(
    order.map((i, j) => {
      const t = n <= 2 ? Math.PI * j : -Math.PI / 2 + (2 * Math.PI * j) / n;
      return [i, n <= 2 ? [cx + (j === 0 ? -R : R) * 0.9, cy] : [cx + R * Math.cos(t), cy + R * Math.sin(t)]] as const;
    }),
  );
  const root = svg("svg", {
    class: "cycle",
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    height: H,
    role: "img",
    "aria-label": `cycle of ${n} operations`,
  });
  const defs = svg("defs");
  for (const [rel, c] of Object.entries({ ...REL_COLOR, other: "#656d76" }))
    defs.append(
      svg(
        "marker",
        {
          id: `arrow-${rel}`,
          viewBox: "0 0 10 10",
          refX: 9,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: "auto-start-reverse",
        },
        svg("path", { d: "M0,0 L10,5 L0,10 z", fill: c }),
      ),
    );
  root.append(defs);
  const pairs = new Set(steps.map((s) => `${s.from}>${s.to}`));
  for (const s of steps) {
    const a = pos.get(s.from),
      b = pos.get(s.to);
    if (!a || !b) continue;
    const dx = b[0] - a[0],
      dy = b[1] - a[1],
      len = Math.hypot(dx, dy) || 1,
      ux = dx / len,
      uy = dy / len;
    const bend = pairs.has(`${s.to}>${s.from}`) || n <= 2 ? 34 : 14;
    const x0 = a[0] + ux * r,
      y0 = a[1] + uy * r,
      x1 = b[0] - ux * (r + 2),
      y1 = b[1] - uy * (r + 2);
    // Bend to the right of the direction of travel, so the two steps of a pair part ways.
    const mx = (x0 + x1) / 2 - uy * bend,
      my = (y0 + y1) / 2 + ux * bend;
    const known = Object.hasOwn(REL_COLOR, s.relation),
      color = known ? REL_COLOR[s.relation] : "#656d76";
    root.append(
      svg(
        "path",
        {
          d: `M${x0.toFixed(1)},${y0.toFixed(1)} Q${mx.toFixed(1)},${my.toFixed(1)} ${x1.toFixed(1)},${y1.toFixed(1)}`,
          fill: "none",
          stroke: color,
          "stroke-width": 2,
          "marker-end": `url(#arrow-${known ? s.relation : "other"})`,
        },
        svg("title", {}, s.why),
      ),
    );
    const lx = (x0 + x1) / 4 + mx / 2,
      ly = (y0 + y1) / 4 + my / 2;
    root.append(
      svg(
        "text",
        {
          x: lx.toFixed(1),
          y: ly.toFixed(1),
          "text-anchor": "middle",
          "dominant-baseline": "middle",
          class: "rel-label",
          fill: color,
        },
        s.relation,
      ),
    );
  }
  for (const i of order) {
    const [x, y] = pos.get(i)!,
      k = opAt(i);
    const g = svg("g", { class: "txn", "data-index": i });
    g.append(
      svg("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r, fill: "#f6f8fa", stroke: "#1f2328", "stroke-width": 1.5 }),
      svg(
        "text",
        {
          x: x.toFixed(1),
          y: y.toFixed(1),
          "text-anchor": "middle",
          "dominant-baseline": "central",
          class: "txn-name",
        },
        nameOf(ev, i),
      ),
      svg("title", {}, `${nameOf(ev, i)}: history #${i}${k >= 0 ? `, process ${P[k]}` : ""}`),
    );
    if (k >= 0) g.addEventListener("click", () => goToOp(k));
    root.append(g);
  }
  return root;
}

const relSpan = (relation: string) =>
  el("span", {
    class: "rel",
    style: `color:${Object.hasOwn(REL_COLOR, relation) ? REL_COLOR[relation] : "inherit"}`,
    text: relation,
  });
const opWords = (i: number) => (opAt(i) >= 0 ? opName(opAt(i)) : "event");

/** The evidence's steps: a diagram and the sentences for a small cycle of named nodes, else a list. */
function stepsBlock(ev: Evidence): HTMLElement[] {
  const steps = ev.steps ?? [];
  if (!steps.length) return [];
  const order = ev.order ?? [];
  const faults = ev.faults?.length
    ? el("p", { class: "muted", text: `Faults in effect: ${ev.faults.join(", ")}` })
    : null;
  if (order.length >= 2 && order.length <= 12) {
    const nodes = el(
      "ul",
      { class: "txns" },
      order.map((i, j) =>
        el(
          "li",
          null,
          el("strong", { text: nameOf(ev, i) }),
          ` (history #${i}${opAt(i) >= 0 ? `, process ${P[opAt(i)]}` : ""}): `,
          el("span", { class: "val", text: ev.texts?.[j] ?? (opAt(i) >= 0 ? opLabel(opAt(i)) : "") }),
        ),
      ),
    );
    const edges = el(
      "ol",
      { class: "chain" },
      steps.map((s) => el("li", null, relSpan(s.relation), " ", s.why)),
    );
    const words = el(
      "div",
      { class: "cycle-words" },
      el("h3", { text: ev.names ? "Transactions" : "Operations" }),
      nodes,
      el("h3", { text: "Why they form a cycle" }),
      edges,
      faults,
    );
    return [el("div", { class: "cycle-box" }, cycleDiagram(ev, order), words)];
  }
  const items = steps.map((s) =>
    el(
      "li",
      null,
      `#${s.from} ${opWords(s.from)} `,
      relSpan(`—${s.relation || "→"}→`),
      ` #${s.to} ${opWords(s.to)}`,
      s.why ? el("div", { class: "muted", text: s.why }) : null,
    ),
  );
  return [
    el("h3", { text: "How the operations relate" }),
    el("ol", { class: "chain" }, items),
    ...(faults ? [faults] : []),
  ];
}

const PAGE = 50;
function anomalyCard(a: Anomaly): HTMLElement {
  const ev: Evidence = a.evidence ?? {};
  const ks = [...opsOf(a.ops)];
  const card = el(
    "div",
    { class: "card anomaly", id: `anomaly-${a.id}`, "data-kind": a.kind, "data-checker": a.checker },
    el(
      "div",
      { class: "card-head" },
      el("span", { class: "kind", text: a.kind }),
      el("span", {
        class: "muted",
        text: `${a.checker}${a.key !== undefined ? ` · key ${a.key}` : ""} · anomaly ${a.id + 1} of ${DATA.anomalies.length + DATA.anomaliesOmitted}`,
      }),
      el(
        "a",
        {
          href: "#timeline",
          class: "zoom",
          "data-anomaly": a.id,
          on: {
            click: (e) => {
              e.preventDefault();
              showAnomaly(a.id);
            },
          },
        },
        "show in timeline ↧",
      ),
    ),
    el("p", { class: "story", text: a.story }),
    a.explanation && a.explanation !== a.story
      ? el("p", { class: "checker-says", text: `Checker: ${a.explanation}` })
      : null,
  );
  const extra = extrasOf(a);
  // A witness the checker describes (e.g. a shrunk, minimal sub-history) gets its own small timeline.
  const witness = ev.witness && ev.witnessText ? ev.witness : undefined;
  if (!witness && ks.length) card.append(mini(ks, extra));
  card.append(...stepsBlock(ev));
  if (!ev.steps?.length && ev.faults?.length)
    card.append(el("p", { class: "muted", text: `Faults in effect: ${ev.faults.join(", ")}` }));
  let witnessTable: HTMLElement[] = [];
  if (witness) {
    const wks = [...opsOf(witness)],
      all = new Set(ks);
    card.append(
      el(
        "h3",
        { class: "witness" },
        `Witness (${wks.length} operation${wks.length === 1 ? "" : "s"}): ${ev.witnessText} `,
        el(
          "a",
          {
            href: "#timeline",
            class: "zoom",
            on: {
              click: (e) => {
                e.preventDefault();
                showOps(a.id, witness);
              },
            },
          },
          "show witness in timeline",
        ),
      ),
      mini(wks, { blocked: extra.blocked }),
    );
    if (wks.length !== all.size || !wks.every((k) => all.has(k))) witnessTable = opsTable(witness, { scroll: true });
  }
  card.append(
    el("h3", { text: `Operations involved (${ks.length})` }),
    ...opsTable(a.ops, { scroll: true }),
    ...witnessTable,
  );
  if (ev.prefix || ev.blocked) card.append(...prefixBlock(ev));
  if (a.details !== undefined)
    card.append(
      el(
        "details",
        null,
        el("summary", { text: "checker's details (raw)" }),
        el("pre", { text: JSON.stringify(a.details, null, 2) }),
      ),
    );
  return card;
}

export function renderAnomalies(): void {
  const list = $("anomaly-list");
  if (!DATA.anomalies.length) {
    list.append(
      el("p", {
        class: "muted",
        text:
          DATA.valid === null
            ? "The history has not been checked."
            : "No anomalies: every checker found the history valid." +
              (DATA.valid === "unknown" ? " (Some could not decide; see the checkers table.)" : ""),
      }),
    );
    return;
  }
  let shown = 0;
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
  if (DATA.anomaliesOmitted)
    list.append(
      el("p", {
        class: "note",
        text: `${DATA.anomaliesOmitted} more anomalies are in results.json (the report shows the first ${DATA.anomalies.length}).`,
      }),
    );
}
