// A nemesis injects and heals one kind of fault through the target's FaultControl. Heal is idempotent.
import type { Rng } from "../src/run/rng.ts";
import type { FaultControl } from "../src/run/types.ts";

/** Which nodes a fault hits. The last three are partition shapes (see partition.ts); other faults
 *  read them as: halves → half the nodes, majorities-ring → a majority, bridge → one node. */
/** `replica`: one node that is not the current primary (for "kill a replica"). */
export type NodeSpec = "one" | "minority" | "majority" | "primary" | "replica" | "all" | PartitionShape;
export type PartitionShape = "halves" | "majorities-ring" | "bridge";
export const PARTITION_SHAPES: readonly PartitionShape[] = ["halves", "majorities-ring", "bridge"];
export const NODE_SPECS: readonly NodeSpec[] = [
  "one",
  "minority",
  "majority",
  "primary",
  "replica",
  "all",
  ...PARTITION_SHAPES,
];

export interface NemesisContext {
  faults: FaultControl;
  nodes: string[];
  rng: Rng;
  /** Which nodes to hit; undefined: a seeded choice among the nemesis' own sensible specs. */
  spec?: NodeSpec;
}

/** What was done, so it can be recorded in the history and healed later. */
export interface Injected {
  nodes: string[];
  value: Record<string, unknown>;
}

export interface Nemesis {
  name: string;
  /** What it does, in words (the CLI's list and the report's legend show it). */
  description: string;
  /** How the report draws its faults ("#rrggbb"): the runner records it in run.json, the report reads it there. */
  colour: string;
  /** FaultControl methods this fault needs; a target without them cannot run it. */
  requires: (keyof FaultControl)[];
  specs: NodeSpec[];
  inject(ctx: NemesisContext): Promise<Injected>;
  heal(ctx: NemesisContext, injected: Injected): Promise<void>;
}

/** Picks the nodes a fault hits. "primary" asks the target who it is right now. */
export async function selectNodes(ctx: NemesisContext, specs: NodeSpec[]): Promise<string[]> {
  const spec = ctx.spec ?? ctx.rng.pick(specs);
  const n = ctx.nodes.length;
  const shuffled = ctx.rng.shuffle(ctx.nodes);
  switch (spec) {
    case "one":
      return shuffled.slice(0, 1);
    case "minority":
      return shuffled.slice(0, Math.max(1, Math.floor((n - 1) / 2)));
    case "majority":
      return shuffled.slice(0, Math.floor(n / 2) + 1);
    case "all":
      return [...ctx.nodes];
    case "halves":
      return shuffled.slice(0, Math.floor(n / 2) || 1);
    case "majorities-ring":
      return shuffled.slice(0, Math.floor(n / 2) + 1);
    case "bridge":
      return shuffled.slice(0, 1);
    case "primary": {
      const p = ctx.faults.primary ? await ctx.faults.primary() : undefined;
      return p ? [p] : shuffled.slice(0, 1);
    }
    case "replica": {
      const p = ctx.faults.primary ? await ctx.faults.primary() : undefined;
      return shuffled.filter((x) => x !== p).slice(0, 1);
    }
  }
}
