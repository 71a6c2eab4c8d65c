/// <reference lib="dom" />
// The run's data as the page reads it: the JSON embedded in the page, and the client operations decoded from
// their column form (see encodeOps in data.ts) into typed arrays, in invocation order.
import type { ReportData } from "../data.ts";
import { plain } from "../../format.ts";

export const DATA = JSON.parse(document.getElementById("faultline-data")!.textContent!) as ReportData;
export const S = DATA.strings;
const O = DATA.ops;
/** How many client operations. */
export const N = O.n;
/** Per operation k: process, invocation and completion time (Infinity: never completed), 0 ok / 1 fail / 2 info,
 *  string ids of f, invocation value, completion value (-1: same), node and error (-1: none), history indexes. */
export const P = new Float64Array(N),
  T0 = new Float64Array(N),
  T1 = new Float64Array(N),
  Y = new Uint8Array(N);
export const Fi = new Int32Array(N),
  A = new Int32Array(N),
  B = new Int32Array(N),
  ND = new Int32Array(N),
  E = new Int32Array(N),
  I0 = new Int32Array(N),
  I1 = new Int32Array(N);
/** Operations that never completed (they are drawn to the end of the run). */
export const open: number[] = [];
let end = DATA.end || 0,
  longest = 0;
{
  let t = 0,
    ix = 0;
  for (let k = 0; k < N; k++) {
    t += O.t[k];
    ix += O.i[k];
    P[k] = O.p[k];
    T0[k] = t;
    Y[k] = O.y[k];
    Fi[k] = O.f[k];
    A[k] = O.a[k];
    B[k] = O.b[k];
    ND[k] = O.nd[k];
    E[k] = O.e[k];
    I0[k] = ix;
    I1[k] = O.j[k] < 0 ? -1 : ix + O.j[k];
    if (O.d[k] < 0) {
      T1[k] = Infinity;
      open.push(k);
    } else {
      T1[k] = t + O.d[k];
      if (O.d[k] > longest) longest = O.d[k];
      if (T1[k] > end) end = T1[k];
    }
  }
  for (const f of DATA.faults) {
    if (f.t0 > end) end = f.t0;
    if (f.t1 !== null && f.t1 > end) end = f.t1;
  }
  if (end <= 0) end = 1e9;
}
/** The end of the run (ns), and the longest completed operation. */
export const END = end,
  maxDur = longest;

const opOfIdx = new Int32Array(Math.max(DATA.counts.events, 1)).fill(-1);
for (let k = 0; k < N; k++) {
  opOfIdx[I0[k]] = k;
  if (I1[k] >= 0) opOfIdx[I1[k]] = k;
}
/** The operation a history index (its invocation or completion) belongs to; -1 for none (a fault event). */
export const opAt = (index: number): number =>
  Number.isInteger(index) && index >= 0 && index < opOfIdx.length ? opOfIdx[index] : -1;
/** Where an operation's bar ends: its completion, or the end of the run. */
export const end1 = (k: number): number => Math.min(T1[k], END);

/** Sorted completion times per type, for throughput. */
export const doneByType = [0, 1, 2].map((y) => {
  const xs: number[] = [];
  for (let k = 0; k < N; k++) if (Y[k] === y && T1[k] !== Infinity) xs.push(T1[k]);
  return Float64Array.from(xs).sort();
});

export function lowerBound(arr: ArrayLike<number>, x: number, lo = 0, hi = arr.length): number {
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (arr[m] < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

export const TYPE_WORD = ["ok", "failed", "indeterminate"];

const parsed = new Map<number, unknown>();
function parseVal(id: number): unknown {
  if (id < 0) return undefined;
  if (parsed.has(id)) return parsed.get(id);
  let v: unknown;
  try {
    v = JSON.parse(S[id]);
  } catch {
    v = S[id];
  }
  parsed.set(id, v);
  return v;
}
const isTuple = (v: unknown): v is [string | number, unknown] =>
  Array.isArray(v) && v.length === 2 && (typeof v[0] === "string" || typeof v[0] === "number");
const short = (v: unknown) => plain(v, 40);
const labelCache = new Map<string, string>();
/** An operation in a few words: "read k1 → 3", "write k1 4", "cas k2 [1,2]". */
export function opLabel(k: number): string {
  const key = `${Fi[k]}|${A[k]}|${B[k]}|${Y[k]}`;
  let s = labelCache.get(key);
  if (s !== undefined) return s;
  const f = S[Fi[k]],
    a = parseVal(A[k]),
    b = B[k] >= 0 ? parseVal(B[k]) : undefined;
  if (isTuple(a)) {
    if (f === "read")
      s = `read ${a[0]}${Y[k] === 0 ? ` → ${short(isTuple(b) ? b[1] : b === undefined ? a[1] : b)}` : ""}`;
    else s = `${f} ${a[0]} ${short(a[1])}${b !== undefined ? ` → ${short(isTuple(b) ? b[1] : b)}` : ""}`;
  } else s = `${f}${a === null || a === undefined ? "" : " " + short(a)}${b !== undefined ? ` → ${short(b)}` : ""}`;
  labelCache.set(key, s);
  return s;
}
export const opName = (k: number): string => `process ${P[k]} ${opLabel(k)}`;
