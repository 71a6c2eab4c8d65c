// Network partition: cut the chosen nodes off from the rest, both directions. Healed by dropping all blocks.
import { selectNodes, type Nemesis } from "./types.ts";

export const partitionNemesis: Nemesis = {
  name: "partition",
  description: "isolates one node, the primary, a minority or a majority from the others (both directions)",
  requires: ["block", "healNetwork"],
  specs: ["one", "minority", "primary"],
  async inject(ctx) {
    const side = await selectNodes(ctx, this.specs);
    const rest = ctx.nodes.filter((n) => !side.includes(n));
    const links: [string, string][] = [];
    for (const a of side) for (const b of rest) links.push([a, b], [b, a]);
    await ctx.faults.block!(links);
    return { nodes: side, value: { groups: [side, rest] } };
  },
  async heal(ctx) { await ctx.faults.healNetwork!(); },
};
