// The consistency spectrum of a run: for each model, did it hold, was it violated (with the anomalies), or
// could this workload not tell? Built from the checkers' verdicts and the models each declares it decides
// (a workload's checker registration says `decides: ["causal"]`), plus the implications between
// models (the single-object lattice of Viotti & Vukolić 2016 and Bouajjani et al. 2017):
//   linearizable ⇒ sequential ⇒ causal convergence (CCv) ⇒ causal (CC)
//                  sequential ⇒ causal memory (CM)       ⇒ causal (CC)       (CCv and CM are incomparable)
//   causal ⇒ PRAM ⇒ read-your-writes, monotonic reads, monotonic writes;  causal ⇒ writes-follow-reads.
// PRAM (pipelined RAM) is exactly read-your-writes + monotonic reads + monotonic writes, so it is derived from
// those three verdicts. A model held when a stronger one held; it is violated when a weaker one is violated.
// Convergence (eventual consistency: every replica ends with the same state and keeps every acknowledged
// write) is orthogonal.
import type { Validity, Verdict } from "./types.ts";

export type ModelName =
  | "linearizable"
  | "sequential"
  | "causal-convergence"
  | "causal-memory"
  | "causal"
  | "PRAM"
  | "read-your-writes"
  | "monotonic-reads"
  | "monotonic-writes"
  | "writes-follow-reads"
  | "convergence";

export type Status = "held" | "violated" | "unknown" | "not checked";

export interface ModelResult {
  status: Status;
  /** The checkers that decided it, or the model it was implied by ("implied by linearizable held"). */
  by: string[];
  anomalies: number;
  examples: string[]; // up to three explanations
  note?: string;
}

export interface Spectrum {
  models: Record<ModelName, ModelResult>;
  /** The strongest model that held, in words (e.g. "causal", "read-your-writes + monotonic-reads", "none"). */
  strongest: string;
}

export const MODELS: { name: ModelName; label: string }[] = [
  { name: "linearizable", label: "linearizable" },
  { name: "sequential", label: "sequential" },
  { name: "causal-convergence", label: "causal+ (CCv)" },
  { name: "causal-memory", label: "causal memory (CM)" },
  { name: "causal", label: "causal (CC)" },
  { name: "PRAM", label: "PRAM (RYW + MR + MW)" },
  { name: "read-your-writes", label: "read-your-writes" },
  { name: "monotonic-reads", label: "monotonic reads" },
  { name: "monotonic-writes", label: "monotonic writes" },
  { name: "writes-follow-reads", label: "writes-follow-reads" },
  { name: "convergence", label: "convergence / eventual" },
];

/** Which models each checker decides, by checker name: from the checkers' own declarations. */
export type Decides = Record<string, readonly ModelName[] | undefined>;

const SESSION: ModelName[] = ["read-your-writes", "monotonic-reads", "monotonic-writes", "writes-follow-reads"];
/** The guarantees PRAM is made of. */
const PRAM_PARTS: ModelName[] = ["read-your-writes", "monotonic-reads", "monotonic-writes"];
/** Direct implications: stronger → the weaker models it implies. */
export const IMPLIES: Partial<Record<ModelName, ModelName[]>> = {
  linearizable: ["sequential"],
  sequential: ["causal-convergence", "causal-memory"],
  "causal-convergence": ["causal"],
  "causal-memory": ["causal"],
  causal: ["PRAM", "writes-follow-reads"],
  PRAM: PRAM_PARTS,
};

export function spectrum(checkers: Record<string, Verdict>, decides: Decides): Spectrum {
  const models = {} as Record<ModelName, ModelResult>;
  /** The verdicts of the checkers that declare they decide model m. */
  const deciding = (m: ModelName) =>
    Object.keys(checkers)
      .filter((c) => decides[c]?.includes(m))
      .map((c) => checkers[c]);
  for (const m of MODELS) {
    const vs = deciding(m.name);
    if (vs.length === 0) {
      models[m.name] = { status: "not checked", by: [], anomalies: 0, examples: [] };
      continue;
    }
    const valid: Validity = vs.some((v) => v.valid === false)
      ? false
      : vs.some((v) => v.valid === "unknown")
        ? "unknown"
        : true;
    const anomalies = vs.flatMap((v) => v.anomalies);
    const r: ModelResult = {
      status: valid === true ? "held" : valid === false ? "violated" : "unknown",
      by: vs.map((v) => v.checker),
      anomalies: anomalies.length,
      examples: anomalies.slice(0, 3).map((a) => a.explanation),
    };
    const reason = vs.find((v) => v.reason)?.reason;
    if (reason) r.note = reason;
    models[m.name] = r;
  }
  models.PRAM = pram(models, deciding);
  if (!deciding("sequential").length)
    models.sequential.note =
      "not searched for this workload (the session workload searches it): decided only through the models above and below it";
  // Held flows down from stronger models, violated flows up from weaker ones; direct verdicts are kept.
  const order = MODELS.map((m) => m.name);
  for (const m of order) {
    if (models[m].status !== "held") continue;
    for (const weaker of closure(m))
      if (models[weaker].status === "not checked" || models[weaker].status === "unknown") {
        models[weaker] = { ...models[weaker], status: "held", by: [`implied: ${m} held`], anomalies: 0, examples: [] };
      }
  }
  for (const m of [...order].reverse()) {
    if (models[m].status !== "violated") continue;
    for (const stronger of order.filter((s) => closure(s).includes(m))) {
      const cur = models[stronger];
      if (cur.status === "not checked" || cur.status === "unknown") {
        models[stronger] = {
          ...cur,
          status: "violated",
          by: [`implied: ${m} violated`],
          anomalies: 0,
          examples: models[m].examples.slice(0, 1),
        };
      } else if (cur.status === "held") {
        cur.note = `inconsistent: ${m} was found violated, which ${stronger} forbids — a checker disagrees; see both verdicts`;
      }
    }
  }
  return { models, strongest: strongestHeld(models) };
}

/** PRAM from its three guarantees as checked: violated if one is (a read that breaks two of them counted
 *  once: the same key and read, details.readOp, else last op), held if all three held, else unknown or not checked. */
function pram(models: Record<ModelName, ModelResult>, deciding: (m: ModelName) => Verdict[]): ModelResult {
  const parts = PRAM_PARTS.map((m) => models[m]);
  if (parts.some((p) => p.status === "violated")) {
    const broken = PRAM_PARTS.filter((m) => models[m].status === "violated");
    const reads = new Set(
      [...new Set(broken.flatMap(deciding))]
        .flatMap((v) => v.anomalies)
        .map(
          (a) => `${a.key ?? ""}\u0000${(a.details as { readOp?: number } | undefined)?.readOp ?? Math.max(...a.ops)}`,
        ),
    );
    return {
      status: "violated",
      by: broken,
      anomalies: reads.size,
      examples: broken.flatMap((m) => models[m].examples).slice(0, 3),
      note: `violated: ${broken.join(", ")}`,
    };
  }
  if (parts.every((p) => p.status === "held"))
    return { status: "held", by: [...PRAM_PARTS], anomalies: 0, examples: [] };
  if (parts.every((p) => p.status === "not checked"))
    return { status: "not checked", by: [], anomalies: 0, examples: [] };
  return {
    status: "unknown",
    by: PRAM_PARTS.filter((m) => models[m].status !== "not checked"),
    anomalies: 0,
    examples: [],
    note: "not every one of read-your-writes, monotonic reads and monotonic writes was decided",
  };
}

function closure(m: ModelName): ModelName[] {
  const out: ModelName[] = [];
  const todo = [...(IMPLIES[m] ?? [])];
  while (todo.length) {
    const x = todo.shift()!;
    if (out.includes(x)) continue;
    out.push(x);
    todo.push(...(IMPLIES[x] ?? []));
  }
  return out;
}

function strongestHeld(models: Record<ModelName, ModelResult>): string {
  const held = (m: ModelName) => models[m].status === "held";
  const conv = held("convergence") ? " + convergence" : "";
  for (const m of ["linearizable", "sequential"] as ModelName[]) if (held(m)) return m + conv;
  // CCv and CM are incomparable: both can hold.
  const both = (["causal-convergence", "causal-memory"] as ModelName[]).filter(held);
  if (both.length) return both.join(" + ") + conv;
  if (held("causal")) return "causal" + conv;
  if (held("PRAM")) return "PRAM" + (held("writes-follow-reads") ? " + writes-follow-reads" : "") + conv;
  const s = SESSION.filter(held);
  if (s.length) return s.join(" + ") + conv;
  return held("convergence") ? "convergence (eventual) only" : "none";
}

/** The spectrum as a small table for people. */
export function formatSpectrum(s: Spectrum): string[] {
  const lines = ["spectrum:"];
  const width = Math.max(...MODELS.map((m) => m.label.length));
  for (const m of MODELS) {
    const r = s.models[m.name];
    const how =
      r.status === "violated" && r.anomalies ? ` (${r.anomalies} anomal${r.anomalies === 1 ? "y" : "ies"})` : "";
    const by = r.by.length && r.by[0].startsWith("implied") ? ` — ${r.by[0]}` : "";
    lines.push(`  ${m.label.padEnd(width)}  ${r.status}${how}${by}`);
  }
  lines.push(`  strongest model that held: ${s.strongest}`);
  return lines;
}
