// A run's configuration, from CLI flags or a suite case, validated once.
import { lookup, nemeses, targets, workloads } from "../registry.ts";
import { UsageError } from "../errors.ts";
import { NODE_SPECS, type NodeSpec } from "../../nemeses/types.ts";
import { validateRuntime } from "../lab/runtimes.ts";
import { parseSchedule } from "./schedule.ts";

export interface RunConfig {
  name: string;
  target: string;
  mode?: string;
  workload: string;
  nemesis: string[];
  nemesisInterval: number;   // seconds between a heal and the next fault (and a fault's duration)
  nemesisTarget?: NodeSpec;
  /** A fault schedule as data (see src/run/schedule.ts); replaces the default inject/heal cycle, and its faults
   *  replace `nemesis`. */
  nemesisSchedule?: unknown[];
  nodes: number;
  concurrency: number;
  rate: number;              // ops per second over all workers; 0 = as fast as the store answers
  timeLimit: number;         // seconds of the main phase
  ops?: number;              // stop the main phase after this many invocations
  keys: number;
  opTimeout: number;         // milliseconds before an op is recorded as info (indeterminate)
  quiet: number;             // seconds to wait after healing, before final reads
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

/** Validates a configuration; async because it loads the target (its modes, workloads and runtimes). */
export async function resolveConfig(partial: Partial<RunConfig>): Promise<RunConfig> {
  const c: RunConfig = { ...DEFAULTS, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
  const target = await lookup("target", targets, c.target);
  const workload = await lookup("workload", workloads, c.workload);
  if (workload.checkOnly) throw new UsageError(`workload ${c.workload} is check-only (no target runs it): use \`faultline check --workload ${c.workload} <history>\``);
  workload.validate?.({ keys: c.keys, seed: c.seed, ...c.workloadOptions });
  for (const n of c.nemesis) await lookup("nemesis", nemeses, n);
  if (c.nemesisSchedule !== undefined) {
    try { c.nemesis = parseSchedule(c.nemesisSchedule, Object.keys(nemeses)).nemeses; } catch (e) { throw new UsageError((e as Error).message, { cause: e }); }
  }
  if (c.mode !== undefined && target.modes && !target.modes.includes(c.mode))
    throw new UsageError(`target ${c.target} has no mode ${JSON.stringify(c.mode)}; modes: ${target.modes.join(", ")}`);
  c.mode ??= target.defaultMode;
  if (!target.workloads.includes(c.workload))
    throw new UsageError(`target ${c.target} cannot run workload ${c.workload}; it runs: ${target.workloads.join(", ")}`);
  if (c.nemesisTarget !== undefined && !NODE_SPECS.includes(c.nemesisTarget))
    throw new UsageError(`--nemesis-target must be one of ${NODE_SPECS.join(", ")}, got ${JSON.stringify(c.nemesisTarget)}`);
  const positive: (keyof RunConfig)[] = ["nodes", "concurrency", "keys", "opTimeout", "nemesisInterval"];
  for (const k of positive) if (!(typeof c[k] === "number" && (c[k] as number) > 0)) throw new UsageError(`${k} must be a positive number, got ${JSON.stringify(c[k])}`);
  for (const k of ["rate", "timeLimit", "quiet"] as const) if (!(c[k] >= 0)) throw new UsageError(`${k} must be zero or more, got ${c[k]}`);
  if (c.ops !== undefined && !(Number.isInteger(c.ops) && c.ops > 0)) throw new UsageError(`ops must be a positive integer, got ${c.ops}`);
  if (c.runtime !== undefined || (c.runtimeOptions && Object.keys(c.runtimeOptions).length)) {
    const rt = c.runtime ?? "netns";
    if (!["netns", "docker", "ssh"].includes(rt)) throw new UsageError(`unknown runtime ${JSON.stringify(rt)}; runtimes: netns, docker, ssh`);
    if (!target.runtimes?.length) throw new UsageError(`target ${c.target} runs in-process and takes no --runtime (lab targets do: postgres, etcd, redis)`);
    if (!target.runtimes.includes(rt)) throw new UsageError(`target ${c.target} cannot run on the ${rt} runtime; it runs on: ${target.runtimes.join(", ")}`);
    try { validateRuntime(rt, c.runtimeOptions ?? {}); } catch (e) { throw new UsageError((e as Error).message); }
  }
  if (!c.name) c.name = `${c.target}-${c.mode ?? "default"}-${c.workload}`;
  if (!/^[A-Za-z0-9._-]+$/.test(c.name)) throw new UsageError(`name may hold only letters, digits, '.', '_' and '-': ${JSON.stringify(c.name)}`);
  return c;
}
