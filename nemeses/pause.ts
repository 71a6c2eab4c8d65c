// Pause (SIGSTOP) nodes and resume (SIGCONT) them on heal: a process that is alive but not answering.
import { selectNodes, type Nemesis } from "./types.ts";

export const pauseNemesis: Nemesis = {
  name: "pause",
  description: "pauses the store process on one node, the primary or a minority (SIGSTOP), resuming it on heal",
  colour: "#9b6bd6",
  requires: ["pause", "resume"],
  specs: ["one", "minority", "primary"],
  async inject(ctx) {
    const nodes = await selectNodes(ctx, this.specs);
    for (const n of nodes) await ctx.faults.pause!(n);
    return { nodes, value: {} };
  },
  async heal(ctx, injected) {
    for (const n of injected.nodes) await ctx.faults.resume!(n);
  },
};
