// What the report shows, built from a run directory's files only (history.jsonl, run.json, results.json),
// in a compact column form so a 100,000-operation history stays a few megabytes inside the HTML.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { HistoryError, type Op } from "../history/op.ts";
import { readHistory } from "../history/reader.ts";
import { faults as pairFaults, pairOperations, type Operation } from "../history/pairs.ts";
import { FILES, readJson } from "../results/store.ts";
import type { Anomaly, Evidence } from "../../checkers/types.ts";
import { story, type StoryContext } from "./explain.ts";
import { faultPhrase } from "./format.ts";
import type { Json } from "../json.ts";

/** A run's files as read from disk (or handed over by the runner, which has them in memory). */
export interface RunFiles {
  dir?: string;
  history: readonly Op[];
  /** run.json and results.json as parsed: read loosely, anything may be missing. */
  run?: object;
  results?: object;
  /** Things the reader should know about the files (a truncated last line, a missing results.json). */
  notes?: string[];
}

export const LIMITS = { valueChars: 4096, anomalies: 1000, lags: 100_000, detailsChars: 65_536 } as const;
const FIRST_ROUNDS = 3;

/** Reads a run directory. A missing or malformed history is an error naming file:line; the rest is optional. */
export function readRunDir(dir: string): RunFiles {
  const file = join(dir, FILES.history);
  if (!existsSync(file))
    throw new HistoryError(file, 0, "file", "no history.jsonl in this directory (is it a run directory?)");
  const notes: string[] = [];
  // Streamed, as `check` reads it: any size; a killed run's half-written last line is left out, with a note.
  const history = readHistory(file, {
    dropTruncatedEnd: true,
    onNote: (n) =>
      notes.push(`history.jsonl ends in an incomplete line (line ${/:(\d+): /.exec(n)?.[1]}); it is left out.`),
  });
  const run = readJson<Record<string, Json>>(join(dir, FILES.run));
  const results = readJson<Record<string, Json>>(join(dir, FILES.results));
  if (!run) notes.push("run.json is missing or unreadable: the run's configuration is unknown.");
  if (!results)
    notes.push("results.json is missing or unreadable: the history has not been checked (run `faultline check`).");
  return { dir, history, run, results, notes };
}

class Strings {
  readonly list: string[] = [];
  private readonly ids = new Map<string, number>();
  id(s: string): number {
    let i = this.ids.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.ids.set(s, i);
    }
    return i;
  }
}

/** A value as the report shows it: JSON text, capped in length. */
export function valueText(v: unknown): string {
  let s: string;
  try {
    s = v === undefined ? "undefined" : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > LIMITS.valueChars ? `${s.slice(0, LIMITS.valueChars)}… (${s.length} characters)` : s;
}

export interface ReportData {
  format: 1;
  generated: string;
  title: string;
  run: Record<string, unknown>;
  notes: string[];
  valid: true | false | "unknown" | null;
  counts: {
    events: number;
    ok: number;
    fail: number;
    info: number;
    nemesis: number;
    byF: Record<string, { ok: number; fail: number; info: number }>;
  };
  end: number;
  checkers: { name: string; valid: unknown; reason?: string; anomalies: number; stats?: unknown }[];
  spectrum: {
    models: { model: string; status: string; anomalies?: number; note?: string }[];
    strongest?: string;
  } | null;
  /** Each anomaly with its typed evidence (what the page draws) and its checker's details (shown raw only). */
  anomalies: {
    id: number;
    checker: string;
    kind: string;
    key?: string;
    explanation: string;
    story: string;
    ops: number[];
    details?: unknown;
    evidence?: Evidence;
  }[];
  /** Transactional isolation: each model's status and the strongest that held (from results.isolation). */
  isolation: {
    models: { model: string; status: string }[];
    strongest: string;
    anomalyCounts: Record<string, number>;
  } | null;
  anomaliesOmitted: number;
  faults: {
    f: string;
    t0: number;
    t1: number | null;
    i0: number;
    i1: number | null;
    nodes: string[];
    value: string;
    phrase: string;
  }[];
  /** Each kind of fault as its nemesis declares it (from run.json): colour and description. */
  faultKinds: Record<string, FaultKind>;
  strings: string[];
  /** Client operations in invocation order, one array per field (see encodeOps). */
  ops: {
    n: number;
    p: number[];
    t: number[];
    d: number[];
    y: number[];
    f: number[];
    a: number[];
    b: number[];
    nd: number[];
    e: number[];
    i: number[];
    j: number[];
  };
  lag: LagData | null;
}

const TYPE_CODE = { ok: 0, fail: 1, info: 2 } as const;

/** Column encoding: t = invoke time delta from the previous op (ns), d = duration (-1: never completed),
 *  y = 0 ok / 1 fail / 2 info, f/a/b/nd/e = string ids (b: completion value, -1 when equal to the invocation's;
 *  nd, e: -1 when absent), i = invoke index delta, j = completion index - invoke index (-1: none). */
function encodeOps(operations: readonly Operation[], strings: Strings): ReportData["ops"] {
  const n = operations.length;
  const c: ReportData["ops"] = { n, p: [], t: [], d: [], y: [], f: [], a: [], b: [], nd: [], e: [], i: [], j: [] };
  let lastT = 0,
    lastI = 0;
  for (const o of operations) {
    const t = Math.round(o.invoke.time);
    c.p.push(o.process);
    c.t.push(t - lastT);
    lastT = t;
    c.d.push(o.complete ? Math.round(o.complete.time) - t : -1);
    c.y.push(TYPE_CODE[o.type]);
    c.f.push(strings.id(o.f));
    const a = valueText(o.invoke.value);
    c.a.push(strings.id(a));
    const b = o.complete ? valueText(o.complete.value) : a;
    c.b.push(b === a ? -1 : strings.id(b));
    c.nd.push(o.node === undefined ? -1 : strings.id(o.node));
    c.e.push(o.error === undefined ? -1 : strings.id(o.error));
    c.i.push(o.invoke.index - lastI);
    lastI = o.invoke.index;
    c.j.push(o.complete ? o.complete.index - o.invoke.index : -1);
  }
  return c;
}

/** A checker's details as the report keeps them (machine-readable, shown raw): dropped when very large. */
function detailsOf(details: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(details);
  } catch {
    return undefined;
  }
  return text !== undefined && text.length > LIMITS.detailsChars
    ? `(${text.length} characters of details; see results.json)`
    : details;
}

/** An anomaly's typed evidence, read loosely (results.json may come from anywhere): every field checked,
 *  history indexes kept only when they are in the history, lists capped. */
export function evidenceOf(e: unknown, n: number): Evidence | undefined {
  if (!e || typeof e !== "object") return undefined;
  const x = e as Record<string, unknown>;
  const isIndex = (i: unknown): i is number => Number.isInteger(i) && (i as number) >= 0 && (i as number) < n;
  const text = (v: unknown) => {
    const s = typeof v === "string" ? v : valueText(v);
    return s.length > LIMITS.valueChars ? s.slice(0, LIMITS.valueChars) + "…" : s;
  };
  const ints = (v: unknown, max: number) => (Array.isArray(v) ? v.filter(isIndex).slice(0, max) : undefined);
  const strs = (v: unknown, max: number) => (Array.isArray(v) ? v.slice(0, max).map(text) : undefined);
  const objs = (v: unknown, max: number) =>
    Array.isArray(v)
      ? v.filter((o): o is Record<string, unknown> => !!o && typeof o === "object").slice(0, max)
      : undefined;
  const out: Evidence = {};
  const steps = objs(x.steps, 64)
    ?.filter((st) => isIndex(st.from) && isIndex(st.to))
    .map((st) => ({
      from: st.from as number,
      to: st.to as number,
      relation: text(st.relation ?? ""),
      why: text(st.why ?? ""),
    }));
  if (steps?.length) out.steps = steps;
  const order = ints(x.order, 64),
    names = strs(x.names, 64),
    texts = strs(x.texts, 64),
    witness = ints(x.witness, 256),
    faults = strs(x.faults, 16);
  if (order?.length) out.order = order;
  if (names) out.names = names;
  if (texts) out.texts = texts;
  if (witness?.length) out.witness = witness;
  if (typeof x.witnessText === "string") out.witnessText = text(x.witnessText);
  const prefix = objs(x.prefix, 64)
    ?.filter((p) => isIndex(p.index))
    .map((p) => ({ index: p.index as number, op: text(p.op ?? ""), state: text(p.state ?? "") }));
  if (prefix?.length) out.prefix = prefix;
  if (Number.isInteger(x.prefixLength) && (x.prefixLength as number) >= (prefix?.length ?? 0))
    out.prefixLength = x.prefixLength as number;
  const blocked = objs(x.blocked, 16)
    ?.filter((b) => isIndex(b.index))
    .map((b) => ({ index: b.index as number, op: text(b.op ?? "") }));
  if (blocked?.length) out.blocked = blocked;
  if (faults?.length) out.faults = faults;
  return Object.keys(out).length ? out : undefined;
}

function isolationOf(x: unknown): ReportData["isolation"] {
  if (!x || typeof x !== "object") return null;
  const r = x as Record<string, Json>;
  if (!r.status || typeof r.status !== "object") return null;
  const models = Object.entries(r.status as Record<string, unknown>).map(([model, status]) => ({
    model,
    status: String(status),
  }));
  const counts: Record<string, number> = {};
  for (const [k, v] of Object.entries((r.anomalyCounts ?? {}) as Record<string, unknown>))
    if (typeof v === "number") counts[k] = v;
  return { models, strongest: typeof r.strongest === "string" ? r.strongest : "none", anomalyCounts: counts };
}

function spectrumOf(s: unknown): ReportData["spectrum"] {
  if (!s || typeof s !== "object") return null;
  const sp = s as Record<string, Json>;
  const models: NonNullable<ReportData["spectrum"]>["models"] = [];
  const entries: [string, Json][] = Array.isArray(sp.models)
    ? sp.models.map((m: Json, i: number) => [String(m?.model ?? m?.name ?? i), m])
    : Object.entries(sp.models ?? {});
  for (const [model, m] of entries) {
    const status = typeof m === "string" ? m : String(m?.status ?? "unknown");
    const an = Array.isArray(m?.anomalies)
      ? m.anomalies.length
      : typeof m?.anomalies === "number"
        ? m.anomalies
        : undefined;
    const by = Array.isArray(m?.by) ? m.by.filter((x: unknown) => typeof x === "string" && x !== model).join(", ") : "";
    const note =
      [by, typeof m?.reason === "string" ? m.reason : "", typeof m?.note === "string" ? m.note : ""]
        .filter(Boolean)
        .join(" · ") || undefined;
    models.push({ model, status, ...(an !== undefined ? { anomalies: an } : {}), ...(note ? { note } : {}) });
  }
  const strongest =
    typeof sp.strongest === "string" ? sp.strongest : Array.isArray(sp.strongest) ? sp.strongest.join(", ") : undefined;
  return { models, ...(strongest ? { strongest } : {}) };
}

export interface FaultKind {
  colour: string;
  description?: string;
}
const GREY = "#888888";

/** The declared look of each fault in the history: run.json's `nemeses` (name → { description, colour }, as
 *  the runner records them), then `declared` (from the registry, for runs recorded before), else grey. */
function faultKindsOf(
  names: Iterable<string>,
  recorded: unknown,
  declared: Record<string, FaultKind>,
): Record<string, FaultKind> {
  const rec = recorded && typeof recorded === "object" ? (recorded as Record<string, unknown>) : {};
  const out: Record<string, FaultKind> = {};
  for (const f of names) {
    const r =
      Object.hasOwn(rec, f) && rec[f] && typeof rec[f] === "object"
        ? (rec[f] as Record<string, unknown>)
        : Object.hasOwn(declared, f)
          ? (declared[f] as unknown as Record<string, unknown>)
          : {};
    // The colour goes into a style: only a #rrggbb colour is taken.
    const colour = typeof r.colour === "string" && /^#[0-9a-fA-F]{6}$/.test(r.colour) ? r.colour : GREY;
    out[f] = {
      colour,
      ...(typeof r.description === "string" ? { description: r.description.slice(0, LIMITS.valueChars) } : {}),
    };
  }
  return out;
}

export interface LagData {
  label: string;
  samples: number[];
  fresh: number;
  stats?: Record<string, number>;
}

/** Staleness the checkers measured: a verdict's `lags` (ns) or `lagsMs` array. */
function checkerLags(results: Record<string, Json> | undefined): LagData | null {
  const out: number[] = [];
  let stats: Record<string, number> | undefined;
  for (const v of Object.values(results?.checkers ?? {}) as Json[]) {
    if (Array.isArray(v?.lags)) for (const x of v.lags) if (typeof x === "number" && Number.isFinite(x)) out.push(x);
    if (Array.isArray(v?.lagsMs))
      for (const x of v.lagsMs) if (typeof x === "number" && Number.isFinite(x)) out.push(x * 1e6);
    const vis = Object.entries(v?.stats ?? {}).filter(([k, x]) => /^visibilityMs/.test(k) && typeof x === "number") as [
      string,
      number,
    ][];
    if (vis.length) stats = Object.fromEntries(vis);
  }
  if (!out.length && !stats) return null;
  const samples = out.filter((x) => x > 0);
  return {
    label: "time to visibility / lag reported by the checkers",
    samples: samples.slice(0, LIMITS.lags),
    fresh: out.length - samples.length,
    ...(stats ? { stats } : {}),
  };
}

/** Read staleness measured from the history, for registers whose writes are unique per key (so each read names its write):
 *  a read is stale by (its invocation − the acknowledgement of the earliest write that certainly overwrote what it returned). */
export function readLags(operations: readonly Operation[]): LagData | null {
  type W = { value: string; invoke: number; ack: number; ok: boolean };
  const writes = new Map<string, W[]>();
  for (const o of operations) {
    if (o.f !== "write") continue;
    const t = Array.isArray(o.invoke.value) && o.invoke.value.length === 2 ? o.invoke.value : undefined;
    if (!t) return null;
    const k = String(t[0]);
    let l = writes.get(k);
    if (!l) writes.set(k, (l = []));
    l.push({
      value: JSON.stringify(t[1]),
      invoke: o.invoke.time,
      ack: o.type === "ok" && o.complete ? o.complete.time : Infinity,
      ok: o.type === "ok",
    });
  }
  if (!writes.size) return null;
  const byValue = new Map<string, Map<string, W>>();
  const sufMin = new Map<string, number[]>();
  for (const [k, l] of writes) {
    const m = new Map<string, W>();
    for (const w of l) {
      if (m.has(w.value)) return null;
      m.set(w.value, w);
    }
    byValue.set(k, m);
    l.sort((a, b) => a.invoke - b.invoke);
    const suf = new Array<number>(l.length + 1).fill(Infinity);
    for (let i = l.length - 1; i >= 0; i--) suf[i] = Math.min(suf[i + 1], l[i].ack);
    sufMin.set(k, suf);
  }
  const samples: number[] = [];
  let fresh = 0;
  for (const o of operations) {
    if (o.f !== "read" || o.type !== "ok" || !Array.isArray(o.complete?.value)) continue;
    const [key, got] = o.complete!.value as [unknown, unknown];
    const k = String(key),
      l = writes.get(k);
    if (!l) continue;
    // Writes invoked after the value read was acknowledged certainly overwrote it (or, for null, any write did).
    let after = 0;
    if (got !== null) {
      const src = byValue.get(k)!.get(JSON.stringify(got));
      if (!src || !src.ok) continue;
      let lo = 0,
        hi = l.length;
      while (lo < hi) {
        const m = (lo + hi) >>> 1;
        if (l[m].invoke <= src.ack) lo = m + 1;
        else hi = m;
      }
      after = lo;
    }
    const overwrittenAt = sufMin.get(k)![after];
    if (overwrittenAt < o.invoke.time) samples.push(o.invoke.time - overwrittenAt);
    else fresh++;
  }
  if (!samples.length && !fresh) return null;
  return {
    label: "read staleness: how long before a read began its value had been overwritten by an acknowledged write",
    samples: samples.slice(0, LIMITS.lags),
    fresh,
  };
}

/** An anomaly's story; a malformed anomaly (results.json from elsewhere) gets none rather than failing the page. */
function storyOrNothing(a: Anomaly, ctx: StoryContext): string {
  try {
    return story(a, ctx);
  } catch {
    return "";
  }
}

/** The report's data. `faultKinds`: declared fault colours and descriptions to use when run.json has none. */
export function buildReportData(files: RunFiles, faultKinds: Record<string, FaultKind> = {}): ReportData {
  const { history } = files;
  const run = files.run as Record<string, Json> | undefined,
    results = files.results as Record<string, Json> | undefined;
  const operations = pairOperations(history, {
    strictRetire: false,
    file: files.dir ? join(files.dir, FILES.history) : undefined,
  });
  const byIdx: (Operation | undefined)[] = new Array(history.length);
  for (const o of operations) {
    byIdx[o.invoke.index] = o;
    if (o.complete) byIdx[o.complete.index] = o;
  }
  const faults = pairFaults(history);
  const ctx: StoryContext = { byIndex: (i) => byIdx[i], operations, faults };
  const strings = new Strings();

  const counts: ReportData["counts"] = { events: history.length, ok: 0, fail: 0, info: 0, nemesis: 0, byF: {} };
  for (const op of history) if (op.process === "nemesis") counts.nemesis++;
  for (const o of operations) {
    counts[o.type]++;
    (counts.byF[o.f] ??= { ok: 0, fail: 0, info: 0 })[o.type]++;
  }

  const checkers: ReportData["checkers"] = [];
  const anomalies: ReportData["anomalies"] = [];
  const perChecker: { name: string; list: Anomaly[] }[] = [];
  const skipped: string[] = [];
  const checkerTable =
    results?.checkers !== null && typeof results?.checkers === "object" && !Array.isArray(results.checkers)
      ? results.checkers
      : {};
  if (results && results.checkers !== undefined && checkerTable !== results.checkers)
    skipped.push("its `checkers` (not a mapping of checker → verdict)");
  for (const [name, v] of Object.entries(checkerTable as Record<string, Json>)) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      skipped.push(`checker ${JSON.stringify(name)} (not a verdict object)`);
      continue;
    }
    if (v.anomalies !== undefined && !Array.isArray(v.anomalies))
      skipped.push(`checker ${JSON.stringify(name)}'s anomalies (not a list)`);
    const all: unknown[] = Array.isArray(v.anomalies) ? v.anomalies : [];
    // An anomaly is an object; anything else in the list is skipped and counted.
    const list = all.filter((a): a is Anomaly => a !== null && typeof a === "object" && !Array.isArray(a));
    if (list.length < all.length)
      skipped.push(`${all.length - list.length} of checker ${JSON.stringify(name)}'s anomalies (not objects)`);
    checkers.push({
      name,
      valid: v?.valid,
      ...(typeof v?.reason === "string" ? { reason: v.reason } : {}),
      anomalies: list.length,
      ...(v?.stats ? { stats: v.stats } : {}),
    });
    perChecker.push({ name, list });
  }
  // Each checker's first three anomalies come first, a round at a time, then the rest checker by checker: a
  // checker's fifty stale reads must not push another checker's only anomaly off the first page (or the cap).
  const ordered: [string, Anomaly][] = [];
  for (let round = 0; round < FIRST_ROUNDS; round++)
    for (const c of perChecker) if (c.list[round]) ordered.push([c.name, c.list[round]]);
  for (const c of perChecker) for (const a of c.list.slice(FIRST_ROUNDS)) ordered.push([c.name, a]);
  const total = ordered.length;
  for (const [name, a] of ordered.slice(0, LIMITS.anomalies)) {
    const ops = Array.isArray(a.ops) ? a.ops.filter((x) => Number.isInteger(x) && x >= 0 && x < history.length) : [];
    const evidence = evidenceOf(a.evidence, history.length);
    const details = a.details === undefined ? undefined : detailsOf(a.details);
    anomalies.push({
      id: anomalies.length,
      checker: name,
      kind: String(a.kind ?? "anomaly"),
      ...(a.key !== undefined ? { key: String(a.key) } : {}),
      explanation: String(a.explanation ?? ""),
      story: storyOrNothing({ ...a, ops, evidence }, ctx),
      ops,
      ...(details !== undefined ? { details } : {}),
      ...(evidence ? { evidence } : {}),
    });
  }

  const config = (run?.config ?? {}) as Record<string, Json>;
  const last = history.length ? history[history.length - 1].time : 0;
  const runInfo: Record<string, unknown> = {
    name: run?.name ?? config.name,
    started: run?.started,
    finished: run?.finished,
    status: run?.status,
    seed: run?.seed ?? config.seed,
    argv: run?.argv,
    target: config.target ?? run?.target?.target,
    mode: config.mode ?? run?.target?.mode,
    workload: config.workload,
    nemesis: config.nemesis,
    nodes: run?.nodes,
    concurrency: config.concurrency,
    rate: config.rate,
    timeLimit: config.timeLimit,
    simulatedSeconds: run?.simulatedSeconds,
    description: run?.target?.description,
    versions: run?.versions,
    dir: files.dir,
  };
  for (const k of Object.keys(runInfo)) if (runInfo[k] === undefined) delete runInfo[k];
  const ops = encodeOps(operations, strings);
  const title =
    [runInfo.target, runInfo.mode].filter(Boolean).join("/") + (runInfo.workload ? ` · ${runInfo.workload}` : "");

  return {
    format: 1,
    generated: new Date().toISOString(),
    title: title || String(runInfo.name ?? "run"),
    run: runInfo,
    notes: [
      ...(files.notes ?? []),
      ...(skipped.length ? [`results.json is malformed in places; skipped: ${skipped.join("; ")}.`] : []),
    ],
    valid: results && [true, false, "unknown"].includes(results.valid) ? results.valid : null,
    counts,
    end: last,
    checkers,
    spectrum: spectrumOf(results?.spectrum),
    isolation: isolationOf(results?.isolation),
    anomalies,
    anomaliesOmitted: total - anomalies.length,
    faults: faults.map((f) => ({
      f: f.f,
      t0: f.start.time,
      t1: f.stop ? f.stop.time : null,
      i0: f.start.index,
      i1: f.stop ? f.stop.index : null,
      nodes: Array.isArray((f.value as Json)?.nodes) ? (f.value as Json).nodes.map(String) : [],
      value: valueText(f.value),
      phrase: faultPhrase(f.f, f.value),
    })),
    faultKinds: faultKindsOf(new Set(faults.map((f) => f.f)), run?.nemeses, faultKinds),
    strings: strings.list,
    ops,
    lag: checkerLags(results) ?? readLags(operations),
  };
}
