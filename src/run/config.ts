// A run's configuration, from CLI flags or a suite case, validated once.
import { lookup, nemeses, targets, workloads } from "../registry.ts";
import { UsageError } from "../errors.ts";
import { NODE_SPECS, type NodeSpec } from "../../nemeses/types.ts";
import { validateRuntime } from "../lab/runtimes.ts";
import { parseSchedule } from "./schedule.ts";
import { runNameProblem } from "../results/store.ts";
import { parseOptions, suggestion } from "../target/options.ts";

export interface RunConfig {
  name: string;
  target: string;
  mode?: string;
  workload: string;
  nemesis: string[];
  nemesisInterval: number; // seconds between a heal and the next fault (and a fault's duration)
  nemesisTarget?: NodeSpec;
  /** A fault schedule as data (see src/run/schedule.ts); replaces the default inject/heal cycle, and its faults
   *  replace `nemesis`. */
  nemesisSchedule?: unknown[];
  nodes: number;
  concurrency: number;
  rate: number; // ops per second over all workers; 0 = as fast as the store answers
  timeLimit: number; // seconds of the main phase
  ops?: number; // stop the main phase after this many invocations
  keys: number;
  opTimeout: number; // milliseconds before an op is recorded as info (indeterminate)
  quiet: number; // seconds to wait after healing, before final reads
  seed: string;
  resultsDir: string;
  targetOptions: Record<string, unknown>;
  workloadOptions: Record<string, unknown>;
  /** Lab targets: netns (default), docker or ssh, and that runtime's options (hosts, nodes-file, image, …). */
  runtime?: string;
  runtimeOptions?: Record<string, unknown>;
}

export const DEFAULTS: RunConfig = {
  name: "",
  target: "sim",
  workload: "register",
  nemesis: ["partition"],
  nemesisInterval: 1,
  nodes: 3,
  concurrency: 5,
  rate: 200,
  timeLimit: 10,
  keys: 3,
  opTimeout: 500,
  quiet: 1,
  seed: "1",
  resultsDir: "results",
  targetOptions: {},
  workloadOptions: {},
};

interface NumberRule {
  min: number;
  max: number;
  integer?: boolean;
  optional?: boolean;
  above?: boolean;
}
/** Every number a run takes: finite, within what a machine can do, whole where a count is meant. */
const NUMBER_RULES: Partial<Record<keyof RunConfig, NumberRule>> = {
  nodes: { min: 1, max: 100, integer: true },
  concurrency: { min: 1, max: 10_000, integer: true },
  keys: { min: 1, max: 1_000_000, integer: true },
  ops: { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true, optional: true },
  rate: { min: 0, max: 1_000_000 },
  timeLimit: { min: 0, max: 1e8 },
  quiet: { min: 0, max: 86_400 },
  opTimeout: { min: 0, max: 86_400_000, above: true },
  nemesisInterval: { min: 0.01, max: 86_400 },
};

function numberProblem(v: unknown, r: NumberRule): string | undefined {
  if (v === undefined && r.optional) return undefined;
  const range = `${r.above ? `more than ${r.min}` : `from ${r.min}`} to ${r.max.toLocaleString("en-US")}`;
  const want = `must be ${r.integer ? "a whole number" : "a number"} ${range}`;
  if (typeof v !== "number" || !Number.isFinite(v))
    return `${want}, got ${typeof v === "number" ? String(v) : JSON.stringify(v)}`;
  if (r.integer && !Number.isInteger(v)) return `${want}, got ${v}`;
  if (v > r.max || (r.above ? v <= r.min : v < r.min)) return `${want}, got ${v}`;
  return undefined;
}

/** Validates a configuration; async because it loads the target (its modes, workloads and runtimes). */
export async function resolveConfig(partial: Partial<RunConfig>): Promise<RunConfig> {
  const c: RunConfig = {
    ...DEFAULTS,
    ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)),
  };
  const target = await lookup("target", targets, c.target);
  const workload = await lookup("workload", workloads, c.workload);
  if (workload.checkOnly)
    throw new UsageError(
      `workload ${c.workload} is check-only (no target runs it): use \`faultline check --workload ${c.workload} <history>\``,
    );
  workload.validate?.({ keys: c.keys, seed: c.seed, ...c.workloadOptions });
  for (const n of c.nemesis) await lookup("nemesis", nemeses, n);
  if (c.nemesisSchedule !== undefined) {
    try {
      c.nemesis = parseSchedule(c.nemesisSchedule, Object.keys(nemeses)).nemeses;
    } catch (e) {
      throw new UsageError((e as Error).message, { cause: e });
    }
  }
  if (c.mode !== undefined && target.modes && !target.modes.includes(c.mode))
    throw new UsageError(`target ${c.target} has no mode ${JSON.stringify(c.mode)}; modes: ${target.modes.join(", ")}`);
  c.mode ??= target.defaultMode;
  if (!target.workloads.includes(c.workload))
    throw new UsageError(
      `target ${c.target} cannot run workload ${c.workload}; it runs: ${target.workloads.join(", ")}`,
    );
  if (c.nemesisTarget !== undefined && !NODE_SPECS.includes(c.nemesisTarget))
    throw new UsageError(
      `--nemesis-target must be one of ${NODE_SPECS.join(", ")}, got ${JSON.stringify(c.nemesisTarget)}`,
    );
  for (const [k, rule] of Object.entries(NUMBER_RULES) as [keyof typeof NUMBER_RULES, NumberRule][]) {
    const problem = numberProblem(c[k], rule);
    if (problem)
      throw new UsageError(
        `${k === "timeLimit" ? "time-limit" : k.replace(/[A-Z]/g, (m) => "-" + m.toLowerCase())} ${problem}`,
      );
  }
  const optionLists = [
    ["target", c.target, target.options, c.targetOptions],
    ["workload", c.workload, workload.options, c.workloadOptions],
  ] as const;
  for (const [kind, name, known, given] of optionLists) {
    const unknown = known ? Object.keys(given ?? {}).filter((k) => !known.includes(k)) : [];
    const near = unknown.length === 1 ? suggestion(unknown[0], known!) : undefined;
    if (unknown.length)
      throw new UsageError(
        `${kind} ${name} has no option ${unknown.map((u) => JSON.stringify(u)).join(", ")}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""}; ${known!.length ? `its options: ${known!.join(", ")}` : "it takes none"}`,
      );
  }
  // Values too, from the target's declared schema: a wrong type or range is refused before anything starts.
  if (target.schema) parseOptions(c.target, target.schema, c.targetOptions ?? {});
  if (c.runtime !== undefined || (c.runtimeOptions && Object.keys(c.runtimeOptions).length)) {
    const rt = c.runtime ?? "netns";
    if (!["netns", "docker", "ssh"].includes(rt))
      throw new UsageError(`unknown runtime ${JSON.stringify(rt)}; runtimes: netns, docker, ssh`);
    if (!target.runtimes?.length)
      throw new UsageError(
        `target ${c.target} runs in-process and takes no --runtime (lab targets do: postgres, etcd, redis)`,
      );
    if (!target.runtimes.includes(rt))
      throw new UsageError(
        `target ${c.target} cannot run on the ${rt} runtime; it runs on: ${target.runtimes.join(", ")}`,
      );
    try {
      validateRuntime(rt, c.runtimeOptions ?? {});
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  if (!c.name) c.name = `${c.target}-${c.mode ?? "default"}-${c.workload}`;
  const nameProblem = runNameProblem(c.name);
  if (nameProblem) throw new UsageError(`name ${JSON.stringify(c.name)} ${nameProblem}`);
  return c;
}
