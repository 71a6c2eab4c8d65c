// Clock skew: move the chosen nodes' wall clocks by a seeded offset (±0.1–2 s); heal resets them.
import { selectNodes, type Nemesis } from "./types.ts";

export const clockNemesis: Nemesis = {
  name: "clock",
  description: "skews the wall clock of one node, a minority or all nodes by up to ±2 s (bump), reset on heal",
  requires: ["clockOffset"],
  specs: ["one", "minority", "all"],
  async inject(ctx) {
    const nodes = await selectNodes(ctx, this.specs);
    const offsets: Record<string, number> = {};
    for (const n of nodes) {
      const ms = Math.round((100 + ctx.rng.next() * 1900) * (ctx.rng.chance(0.5) ? -1 : 1));
      offsets[n] = ms;
      await ctx.faults.clockOffset!(n, ms);
    }
    return { nodes, value: { offsets } };
  },
  async heal(ctx, injected) { for (const n of injected.nodes) await ctx.faults.clockOffset!(n, 0); },
};
