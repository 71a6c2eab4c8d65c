// Jepsen op maps (read from EDN or JSON, keys by name) → faultline ops. Shared by jepsen-edn and jepsen-json.
//
// - `:type`, `:f` required; `:value` may be absent (nil); `:key` (Porcupine kv logs) makes the value [key, value].
// - `:process`: a number, or a keyword/string (`:nemesis`) for fault events. Absent on every client op is
//   accepted while the pairing is unambiguous — each completion right after its invocation — and noted;
//   otherwise an error naming the line.
// - `:time`: kept (clamped so it never goes backwards). Absent on every op: each event is taken 1 ms after
//   the one before, in file order (noted). `:index` is not needed: file order is history order.
// - Nemesis ops are mapped onto the fault events faultline's own runs record (see src/history/pairs.ts
//   `faults` and nemeses/*.ts): `:start-partition` → `partition`, `:stop-partition` → `heal-partition`,
//   `:kill`/`:start` → `kill`/`heal-kill`, `:pause`/`:resume`, clock bumps/strobes/resets, packet faults.
//   Jepsen records each nemesis action twice (invocation, then completion with what was done): the
//   completion is the fault event (info, with what was done); the invocation is kept as a nemesis `invoke`,
//   which no fault counts, so every index stays Jepsen's. An op whose value already
//   has faultline's `{nodes: […]}` shape is faultline's own and kept as it is (so export → import is exact).
import { HistoryError, type Op, type OpType } from "../op.ts";
import { normalizeProcesses, type RawOp } from "./normalize.ts";
import { validateImportedTxns } from "./jepsen-txn.ts";
import { show } from "../../format.ts";

const TYPES = new Set(["invoke", "ok", "fail", "info"]);

/** One op map with its keys by name, and the line it starts on. */
export interface OpRecord {
  fields: Record<string, unknown>;
  line: number;
}

/** Jepsen nemesis f → [faultline fault, starts it?]. "start"/"stop" depend on what is active (see below). */
const NEMESIS_FS: Record<string, [string, boolean]> = {
  "start-partition": ["partition", true],
  "stop-partition": ["partition", false],
  partition: ["partition", true],
  kill: ["kill", true],
  "start-kill": ["kill", true],
  crash: ["kill", true],
  "stop-kill": ["kill", false],
  restart: ["kill", false],
  pause: ["pause", true],
  "start-pause": ["pause", true],
  resume: ["pause", false],
  "stop-pause": ["pause", false],
  "bump-clock": ["clock", true],
  "strobe-clock": ["clock", true],
  "start-clock": ["clock", true],
  "reset-clock": ["clock", false],
  "stop-clock": ["clock", false],
  "start-packet": ["loss", true],
  "stop-packet": ["loss", false],
};
export const isJepsenNemesisF = (f: string) => f in NEMESIS_FS || f === "start" || f === "stop";

/** Node names a Jepsen nemesis value mentions: `{"n1" :killed}`, `[:isolated {"n1" #{"n2"}}]`, `["n1" "n2"]`. */
function nodesOf(v: unknown): string[] {
  if (Array.isArray(v)) {
    const maps = v.filter((x) => x && typeof x === "object" && !Array.isArray(x));
    if (maps.length) return [...new Set(maps.flatMap(nodesOf))];
    return v.every((x) => typeof x === "string") ? (v as string[]) : [];
  }
  if (v && typeof v === "object") return Object.keys(v);
  return [];
}

const isFaultlineFault = (v: unknown) =>
  !!v && typeof v === "object" && !Array.isArray(v) && Array.isArray((v as { nodes?: unknown }).nodes);

export function jepsenOps(records: readonly OpRecord[], file: string, notes: string[] = []): Op[] {
  const anyTime = records.some((r) => typeof r.fields.time === "number");
  const clientHasProcess = records.some((r) => typeof r.fields.process === "number");
  const raw: RawOp[] = [];
  let time = 0;
  let anonymous = 0;
  let openAnon: { f: string; line: number } | undefined;
  const active = new Set<string>(); // faults started and not yet healed
  let pendingNemesis: { f: string; op: RawOp } | undefined; // a Jepsen nemesis invocation awaiting its completion
  for (const { fields: m, line } of records) {
    const type = m.type;
    if (typeof type !== "string" || !TYPES.has(type))
      throw new HistoryError(file, line, "type", `must be one of invoke, ok, fail, info, got ${show(type)}`);
    const f = m.f;
    if (typeof f !== "string" || f === "")
      throw new HistoryError(file, line, "f", `is missing or not a keyword, got ${show(f)}`);
    const p = m.process;
    let process: number | "nemesis";
    if (typeof p === "number" && Number.isInteger(p) && p >= 0) process = p;
    else if (typeof p === "string") process = "nemesis";
    else if (p === undefined && isJepsenNemesisF(f) && (type === "info" || type === "invoke")) process = "nemesis";
    else if (p === undefined && !clientHasProcess) {
      // No process anywhere: pair each completion with the invocation right before it.
      if (type === "invoke") {
        if (openAnon)
          throw new HistoryError(
            file,
            line,
            "process",
            `no :process, and the invocation on line ${openAnon.line} is still open: cannot tell which completion belongs to which (give each op a :process)`,
          );
        openAnon = { f, line };
      } else {
        if (!openAnon)
          throw new HistoryError(
            file,
            line,
            "process",
            `no :process, and no invocation right before this completion to pair it with`,
          );
        openAnon = undefined;
      }
      anonymous++;
      process = 0;
    } else
      throw new HistoryError(
        file,
        line,
        "process",
        `must be a non-negative integer or a keyword${p === undefined ? " (other ops have one)" : ""}, got ${show(p)}`,
      );
    const t = m.time;
    if (typeof t === "number" && Number.isFinite(t) && t >= 0) time = Math.max(time, t);
    else if (!anyTime) time = raw.length * 1e6;
    let value: unknown = "value" in m ? m.value : null;
    if ("key" in m) value = [m.key, value];
    const op: RawOp = { time, process, type: type as OpType, f, value, line };
    if (typeof m.node === "string") op.node = m.node;
    if (m.error !== undefined) op.error = typeof m.error === "string" ? m.error : JSON.stringify(m.error);

    if (process === "nemesis" && isJepsenNemesisF(f) && !isFaultlineFault(value)) {
      if (pendingNemesis && pendingNemesis.f === f) {
        // The completion of the invocation just before: the fault event, with what was actually done; the
        // invocation stays in place (indexes match Jepsen's) as a nemesis invoke, which no fault counts.
        const inv = pendingNemesis.op;
        pendingNemesis = undefined;
        inv.type = "invoke";
        const ev: RawOp = { ...op, type: "info", f: inv.f };
        setFaultValue(ev, value);
        raw.push(ev);
        continue;
      }
      const ev = mapNemesis(op, f, active);
      pendingNemesis = { f, op: ev };
      raw.push(ev);
      continue;
    }
    if (process === "nemesis") pendingNemesis = undefined;
    raw.push(op);
  }
  if (anonymous)
    notes.push(
      `no :process on ${anonymous} ops: each completion was paired with the invocation right before it (one client at a time)`,
    );
  if (!anyTime && raw.length) notes.push("no :time: events are taken 1 ms apart, in file order");
  validateImportedTxns(raw, file);
  return normalizeProcesses(raw, file);
}

/** A Jepsen nemesis op as a faultline fault event (start: the fault's name; end: heal-<fault>). */
function mapNemesis(op: RawOp, f: string, active: Set<string>): RawOp {
  let fault: string, starts: boolean;
  if (f === "start")
    [fault, starts] = active.has("kill") ? ["kill", false] : ["partition", true]; // db nemesis restarts; old partitioners start
  else if (f === "stop")
    [fault, starts] = active.has("partition") || !active.size ? ["partition", false] : [[...active][0], false];
  else [fault, starts] = NEMESIS_FS[f];
  if (starts) active.add(fault);
  else active.delete(fault);
  const ev: RawOp = { ...op, type: "info", f: starts ? fault : `heal-${fault}` };
  setFaultValue(ev, op.value);
  return ev;
}

/** A Jepsen grudge {node → nodes it no longer hears}: nodes with the same grudge form a group. */
function grudgeGroups(v: unknown): string[][] | undefined {
  const m = Array.isArray(v) ? v.find((x) => x && typeof x === "object" && !Array.isArray(x)) : v;
  if (!m || typeof m !== "object" || Array.isArray(m)) return undefined;
  const entries = Object.entries(m as Record<string, unknown>);
  if (!entries.length || !entries.every(([, x]) => Array.isArray(x))) return undefined;
  const bySet = new Map<string, string[]>();
  for (const [n, x] of entries) {
    const sig = (x as unknown[]).map(String).sort().join(",");
    if (!bySet.has(sig)) bySet.set(sig, []);
    bySet.get(sig)!.push(n);
  }
  return [...bySet.values()].sort((a, b) => a.length - b.length);
}

function setFaultValue(ev: RawOp, jepsen: unknown): void {
  const groups = ev.f === "partition" ? grudgeGroups(jepsen) : undefined;
  // A partition's "nodes" are its smallest side (as faultline's own partitions record the isolated side).
  const nodes = groups && groups.length > 1 ? groups[0] : nodesOf(jepsen);
  ev.value = groups && groups.length > 1 ? { nodes, groups, jepsen } : { nodes, jepsen };
  if (nodes.length) ev.node = nodes.join(",");
  else delete ev.node;
}
