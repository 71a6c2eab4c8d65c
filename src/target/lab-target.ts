// A lab target as a declaration: its options, node count, packages, node processes, how its cluster starts
// and what its session adds (client, faults' hooks, facts for run.json). The setup every lab target shares is
// written here once: check the node count and options (usage errors, before anything exists), create the
// runtime and its nodes, start the cluster, and on any failure undo the nodes and the data it made.
import { UsageError } from "../errors.ts";
import { labFaults, type LabNode, type LabTargetHooks, type Runtime } from "../lab/runtime.ts";
import { createRuntime, setupFailed, type RuntimeName } from "../lab/runtimes.ts";
import { realScheduler } from "../run/scheduler.ts";
import type { FaultControl, Target, TargetOptions, TargetSession } from "../run/types.ts";
import type { Needs } from "./needs.ts";
import { option, parseOptions, type OptionSchema, type OptionValues } from "./options.ts";

/** Options every lab target takes: where its lab network lives, its slot, whether its data outlives the run. */
export const LAB_OPTIONS = {
  subnet: option.string("netns: the lab network, 198.18.x.0/24 (default: the slot's own)"),
  slot: option.integer({ min: 0, default: undefined }, "the lab slot to claim (default: the first free one)"),
  "keep-data": option.boolean(false, "keep the nodes' data directories after the run"),
};

export type LabValues<S extends OptionSchema> = OptionValues<S & typeof LAB_OPTIONS>;
/** What the shared setup reads of every lab target's settings. */
export interface LabSettings {
  subnet?: string;
  slot?: number;
  keepData: boolean;
}

export interface LabContext<Settings, Cluster> {
  rt: Runtime;
  nodes: LabNode[];
  cluster: Cluster;
  settings: Settings;
  /** Milliseconds from creating the nodes to a started cluster. */
  startMs: number;
  /** labFaults for this cluster, acting on the target's declared processes. */
  faults(hooks: Omit<LabTargetHooks, "processes">): FaultControl;
}

/** What a target's session adds to the one the shared setup builds; `close` runs before the nodes go. */
export type LabSessionParts = Omit<TargetSession, "nodes" | "scheduler" | "teardown"> & { close?(): Promise<void> };
export type LabSession<Cluster, Parts = LabSessionParts> = TargetSession &
  Parts & { cluster: Cluster; runtime: Runtime };

export interface LabTargetSpec<S extends OptionSchema, Settings, Cluster, Parts extends LabSessionParts> {
  name: string;
  workloads: string[];
  runtimes: RuntimeName[];
  /** How many nodes it runs; `why` explains the range in the error message. */
  nodes: { min: number; max?: number; why?: string };
  /** Its own `--opt` settings (subnet, slot and keep-data are added). */
  options: S;
  /** Rules between options, or between an option and the node count: the problem, else undefined. */
  check?(values: LabValues<S>, nodes: number): string | undefined;
  /** The parsed options as the cluster and client take them. */
  settings(values: LabValues<S>): Settings;
  needs: Needs;
  /** The server processes on each node that kill and pause act on. */
  processes: string[];
  /** The cluster on the runtime's nodes, not yet started (may refuse: LabError). */
  cluster(rt: Runtime, nodes: LabNode[], settings: Settings & LabSettings): Cluster;
  /** Starts it and makes it ready for the workloads (tables, replication caught up). */
  start(cluster: Cluster, settings: Settings & LabSettings): Promise<void>;
  removeData(cluster: Cluster): void;
  /** Stops what the cluster runs in the harness (pollers) when setup fails. */
  abandon?(cluster: Cluster): void;
  session(ctx: LabContext<Settings & LabSettings, Cluster>): Promise<Parts>;
}

export interface LabTarget<Settings, Cluster, Parts> extends Target {
  schema: OptionSchema;
  needs: Needs;
  /** Checks `--opt` settings for `nodes` nodes (UsageError naming the bad one) and returns them as settings. */
  parse(given: Record<string, unknown>, nodes?: number): Settings & LabSettings;
  setup(o: TargetOptions): Promise<LabSession<Cluster, Parts>>;
}

/** The Target for a lab declaration, with the shared setup. */
export function labTarget<S extends OptionSchema, Settings, Cluster, Parts extends LabSessionParts>(
  spec: LabTargetSpec<S, Settings, Cluster, Parts>,
): LabTarget<Settings, Cluster, Parts> {
  const schema = { ...spec.options, ...LAB_OPTIONS };
  const parse = (given: Record<string, unknown>, nodes = 3): Settings & LabSettings => {
    const values = parseOptions(spec.name, schema, given) as LabValues<S>;
    const problem = spec.check?.(values, nodes);
    if (problem) throw new UsageError(`${spec.name} ${problem}`);
    return { ...spec.settings(values), subnet: values.subnet, slot: values.slot, keepData: values["keep-data"] };
  };
  const checkNodes = (n: number) => {
    const { min, max, why } = spec.nodes;
    if (n >= min && (max === undefined || n <= max)) return;
    throw new UsageError(
      `${spec.name} runs ${max === undefined ? `at least ${min}` : `${min} to ${max}`} node${max === 1 || (max === undefined && min === 1) ? "" : "s"}${why ? ` (${why})` : ""}, got --nodes ${n}`,
    );
  };
  return {
    name: spec.name,
    workloads: spec.workloads,
    runtimes: spec.runtimes,
    options: Object.keys(schema),
    schema,
    needs: spec.needs,
    parse,
    async setup(o: TargetOptions): Promise<LabSession<Cluster, Parts>> {
      checkNodes(o.nodes);
      const settings = parse(o.options, o.nodes);
      const rt = createRuntime(o.runtime, { subnet: settings.subnet, slot: settings.slot, options: o.runtimeOptions });
      let cluster: Cluster | undefined;
      try {
        const t0 = performance.now();
        const nodes = await rt.createNodes(o.nodes, o.dir);
        cluster = spec.cluster(rt, nodes, settings);
        await spec.start(cluster, settings);
        const c = cluster;
        const parts = await spec.session({
          rt,
          nodes,
          cluster: c,
          settings,
          startMs: Math.round(performance.now() - t0),
          faults: (hooks) => labFaults(rt, nodes, { ...hooks, processes: () => spec.processes }),
        });
        return {
          nodes: nodes.map((n) => n.name),
          scheduler: realScheduler,
          cluster: c,
          runtime: rt,
          ...parts,
          teardown: async () => {
            try {
              await parts.close?.();
            } finally {
              try {
                await rt.destroy();
              } finally {
                if (!settings.keepData) spec.removeData(c);
              }
            }
          },
        };
      } catch (e) {
        if (cluster !== undefined) spec.abandon?.(cluster);
        const c = cluster;
        return setupFailed(
          spec.name,
          rt,
          c !== undefined && !settings.keepData ? () => spec.removeData(c) : undefined,
          e,
        );
      }
    },
  };
}
