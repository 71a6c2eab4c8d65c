// A planned switchover as a fault (patronictl switchover): the leader hands over to a replica it picks at
// random, as an operator's maintenance would. Nothing to heal: the new leader stays.
import type { Nemesis } from "./types.ts";

export const switchoverNemesis: Nemesis = {
  name: "switchover",
  description:
    "a planned switchover of an HA cluster's leader to a random replica (patronictl switchover); nothing to heal",
  colour: "#c2255c",
  requires: ["switchover", "primary"],
  specs: ["primary"],
  async inject(ctx) {
    const leader = await ctx.faults.primary!();
    const candidates = ctx.nodes.filter((n) => n !== leader);
    const { from, to } = await ctx.faults.switchover!(candidates.length ? ctx.rng.pick(candidates) : undefined);
    return { nodes: [from, to], value: { from, to } };
  },
  async heal() {
    /* a switchover is not undone */
  },
};
