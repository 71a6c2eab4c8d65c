// Random packet loss on the chosen nodes' inbound traffic (iptables statistic in the lab).
import { selectNodes, type Nemesis } from "./types.ts";

export const lossNemesis: Nemesis = {
  name: "loss",
  description: "drops a random 20–60% of packets arriving at one node or all nodes",
  colour: "#2a9d8f",
  requires: ["loss", "healNetwork"],
  specs: ["one", "all"],
  async inject(ctx) {
    const nodes = await selectNodes(ctx, this.specs);
    const probability = Math.round((0.2 + ctx.rng.next() * 0.4) * 100) / 100;
    await ctx.faults.loss!(nodes, probability);
    return { nodes, value: { probability } };
  },
  async heal(ctx) {
    await ctx.faults.healNetwork!();
  },
};
