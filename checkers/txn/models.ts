// The isolation models and which anomalies each one forbids (after Adya, Cerone–Gotsman and Elle's
// consistency-model graph). A model is violated when any anomaly it forbids was found; a model implies another
// when it forbids everything the other forbids.

export const ISOLATION_MODELS = [
  "read-uncommitted",
  "read-committed",
  "monotonic-atomic-view",
  "repeatable-read",
  "snapshot-isolation",
  "serializable",
  "strong-session-snapshot-isolation",
  "strong-session-serializable",
  "strong-snapshot-isolation",
  "strict-serializable",
] as const;
export type IsolationModel = (typeof ISOLATION_MODELS)[number];

/** The cycle classes in Elle's order of severity. */
export const CYCLE_CLASSES = ["G0", "G1c", "G-single", "G-nonadjacent", "G2-item"] as const;
export type CycleClass = (typeof CYCLE_CLASSES)[number];
export const VARIANTS = ["", "-process", "-realtime"] as const;

// Anomalies no database may show whatever its isolation level: a read of something never written, one element
// twice, two reads no single version order explains.
const RU = ["G0", "garbage-read", "duplicate-elements", "incompatible-order", "cyclic-versions"];
const RC = [...RU, "G1a", "G1b", "G1c", "dirty-update"];
const MAV = [...RC, "internal"];
const SI = [...MAV, "G-single", "G-nonadjacent", "lost-update"];
const SER = [...SI, "G2-item"];
const cycles = (classes: readonly string[], suffix: string) => classes.map((c) => c + suffix);
const SI_CYCLES = ["G0", "G1c", "G-single", "G-nonadjacent"];

export const FORBIDS: Record<IsolationModel, readonly string[]> = {
  "read-uncommitted": RU,
  "read-committed": RC,
  "monotonic-atomic-view": MAV,
  "repeatable-read": SER, // Adya's PL-2.99 forbids G1 and G2-item: on keys, every cycle
  "snapshot-isolation": SI,
  serializable: SER,
  "strong-session-snapshot-isolation": [...SI, ...cycles(SI_CYCLES, "-process")],
  "strong-session-serializable": [...SER, ...cycles(CYCLE_CLASSES, "-process")],
  "strong-snapshot-isolation": [...SI, ...cycles(SI_CYCLES, "-process"), ...cycles(SI_CYCLES, "-realtime")],
  "strict-serializable": [...SER, ...cycles(CYCLE_CLASSES, "-process"), ...cycles(CYCLE_CLASSES, "-realtime")],
};

/** Elle's and the literature's other names for the same models. */
const ALIASES: Record<string, IsolationModel> = {
  "strict-serializability": "strict-serializable",
  "strict-serializable": "strict-serializable",
  linearizable: "strict-serializable",
  serializability: "serializable",
  serializable: "serializable",
  si: "snapshot-isolation",
  "snapshot-isolation": "snapshot-isolation",
  snapshot: "snapshot-isolation",
  "repeatable-read": "repeatable-read",
  rr: "repeatable-read",
  "pl-2.99": "repeatable-read",
  "read-committed": "read-committed",
  rc: "read-committed",
  "pl-2": "read-committed",
  "read-uncommitted": "read-uncommitted",
  ru: "read-uncommitted",
  "pl-1": "read-uncommitted",
  mav: "monotonic-atomic-view",
  "strong-session-si": "strong-session-snapshot-isolation",
  "strong-si": "strong-snapshot-isolation",
  "strong-serializable": "strict-serializable",
  "pl-3": "serializable",
  "pl-si": "snapshot-isolation",
};

/** "serializable,snapshot-isolation" → the models; Elle's names and common aliases accepted, case and _ ignored. */
export function parseIsolationModels(s: string): IsolationModel[] {
  const out: IsolationModel[] = [];
  for (const raw of s.split(",")) {
    const name = raw.trim().toLowerCase().replace(/^:/, "").replace(/[_ ]/g, "-");
    if (name === "") continue;
    const m = (ISOLATION_MODELS as readonly string[]).includes(name) ? (name as IsolationModel) : ALIASES[name];
    if (!m)
      throw new Error(
        `unknown consistency model ${JSON.stringify(raw.trim())}; choose from: ${ISOLATION_MODELS.join(", ")}`,
      );
    if (!out.includes(m)) out.push(m);
  }
  if (out.length === 0)
    throw new Error(`no consistency model named in ${JSON.stringify(s)}; choose from: ${ISOLATION_MODELS.join(", ")}`);
  return out;
}

/** a implies b: a forbids every anomaly b forbids. */
export function implies(a: IsolationModel, b: IsolationModel): boolean {
  const fa = new Set(FORBIDS[a]);
  return FORBIDS[b].every((x) => fa.has(x));
}

/** The models that forbid this anomaly kind. */
export function forbiddenBy(kind: string): IsolationModel[] {
  return ISOLATION_MODELS.filter((m) => FORBIDS[m].includes(kind));
}
