// Crash (kill -9) nodes and restart them on heal; data on disk is kept.
import { selectNodes, type Nemesis } from "./types.ts";

export const killNemesis: Nemesis = {
  name: "kill",
  description: "kills the store process on one node, the primary or a minority (SIGKILL), restarting it on heal",
  colour: "#e05252",
  requires: ["kill", "restart"],
  specs: ["one", "minority", "primary"],
  async inject(ctx) {
    const nodes = await selectNodes(ctx, this.specs);
    for (const n of nodes) await ctx.faults.kill!(n);
    return { nodes, value: {} };
  },
  async heal(ctx, injected) {
    for (const n of injected.nodes) await ctx.faults.restart!(n);
  },
};
