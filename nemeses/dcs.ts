// Cut HA agents from their configuration store: the chosen nodes' Patroni cannot reach etcd while etcd and
// PostgreSQL keep running and the nodes still hear each other. Without failsafe_mode a leader that loses the
// DCS demotes itself; with it, it stays primary while it can reach every other member. Restored on heal.
import { selectNodes, type Nemesis } from "./types.ts";

export const dcsNemesis: Nemesis = {
  name: "dcs",
  description:
    "cuts the HA agent (Patroni) on the primary, one node or all nodes from its configuration store (etcd); the database and the network stay up",
  colour: "#e8590c",
  requires: ["dcs"],
  specs: ["primary", "one", "all"],
  async inject(ctx) {
    const nodes = await selectNodes(ctx, this.specs);
    for (const n of nodes) await ctx.faults.dcs!(n, false);
    return { nodes, value: {} };
  },
  async heal(ctx, injected) {
    for (const n of injected.nodes) await ctx.faults.dcs!(n, true);
  },
};
