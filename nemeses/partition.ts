// Network partition. Node specs (one, minority, majority, primary, all) cut the chosen side off from the
// rest, both directions. Shapes (only through --nemesis-target) cut the whole cluster, as Jepsen's do:
//   halves           two random halves, cut from each other;
//   majorities-ring  every node hears only itself and the next ⌊n/2⌋ nodes of a shuffled ring: each sees a
//                    majority, no two see the same one (one-way drops: a grudge, not groups);
//   bridge           two halves cut from each other except one node in the middle that hears both.
// Healed by dropping all blocks.
import { PARTITION_SHAPES, selectNodes, type NemesisContext, type Nemesis, type PartitionShape } from "./types.ts";

type Link = [string, string];

/** Both directions between every node of a and every node of b. */
export function cut(a: string[], b: string[]): Link[] {
  const links: Link[] = [];
  for (const x of a) for (const y of b) links.push([x, y], [y, x]);
  return links;
}

/** The links to drop for a partition shape over the (already shuffled) nodes, and a description. */
export function shapeLinks(shape: PartitionShape, nodes: string[]): { links: Link[]; value: Record<string, unknown> } {
  const n = nodes.length;
  switch (shape) {
    case "halves": {
      const a = nodes.slice(0, Math.ceil(n / 2)),
        b = nodes.slice(Math.ceil(n / 2));
      return { links: cut(a, b), value: { shape, groups: [a, b] } };
    }
    case "bridge": {
      const [middle, ...rest] = nodes;
      const a = rest.slice(0, Math.ceil(rest.length / 2)),
        b = rest.slice(Math.ceil(rest.length / 2));
      return {
        links: cut(a, b),
        value: {
          shape,
          bridge: middle,
          groups: [
            [...a, middle],
            [middle, ...b],
          ],
        },
      };
    }
    case "majorities-ring": {
      const k = Math.floor(n / 2);
      const links: Link[] = [];
      const hears: Record<string, string[]> = {};
      nodes.forEach((to, i) => {
        const visible = Array.from({ length: k + 1 }, (_, d) => nodes[(i + d) % n]);
        hears[to] = visible;
        for (const from of nodes) if (!visible.includes(from)) links.push([from, to]);
      });
      return { links, value: { shape, hears } };
    }
  }
}

async function inject(ctx: NemesisContext, specs: Nemesis["specs"]) {
  if (ctx.spec && (PARTITION_SHAPES as readonly string[]).includes(ctx.spec)) {
    const { links, value } = shapeLinks(ctx.spec as PartitionShape, ctx.rng.shuffle(ctx.nodes));
    await ctx.faults.block!(links);
    return { nodes: [...ctx.nodes], value };
  }
  const side = await selectNodes(ctx, specs);
  const rest = ctx.nodes.filter((n) => !side.includes(n));
  await ctx.faults.block!(cut(side, rest));
  return { nodes: side, value: { groups: [side, rest] } };
}

export const partitionNemesis: Nemesis = {
  name: "partition",
  description:
    "isolates one node, the primary, a minority or a majority from the others (both directions); --nemesis-target halves|majorities-ring|bridge for whole-cluster shapes",
  colour: "#5b8def",
  requires: ["block", "healNetwork"],
  specs: ["one", "minority", "primary"],
  inject(ctx) {
    return inject(ctx, this.specs);
  },
  async heal(ctx) {
    await ctx.faults.healNetwork!();
  },
};

/** One-way partition: the chosen nodes stop hearing from the rest (their inbound packets from peers are
 *  dropped) while their own packets still arrive. */
export const partitionOneWayNemesis: Nemesis = {
  name: "partition-oneway",
  description:
    "one node, the primary or a minority stops receiving from the others (inbound only; its own packets still arrive)",
  colour: "#1c7ed6",
  requires: ["block", "healNetwork"],
  specs: ["one", "minority", "primary"],
  async inject(ctx) {
    const side = await selectNodes(ctx, this.specs);
    const rest = ctx.nodes.filter((n) => !side.includes(n));
    const links: Link[] = [];
    for (const to of side) for (const from of rest) links.push([from, to]);
    await ctx.faults.block!(links);
    return { nodes: side, value: { deaf: side, from: rest } };
  },
  async heal(ctx) {
    await ctx.faults.healNetwork!();
  },
};
