// Clock skew: move the chosen nodes' wall clocks by a seeded offset (±0.1–2 s) — a bump, or, where the target
// supports it, a strobe flipping between +x and -x every 10–100 ms; heal resets them (offset 0).
import { selectNodes, type Nemesis } from "./types.ts";

export const clockNemesis: Nemesis = {
  name: "clock",
  description:
    "skews the wall clock of one node, a minority or all nodes by up to ±2 s (bump, or strobe between +x and -x), reset on heal",
  colour: "#d4a017",
  requires: ["clockOffset"],
  specs: ["one", "minority", "all"],
  async inject(ctx) {
    const nodes = await selectNodes(ctx, this.specs);
    const offsets: Record<string, number> = {};
    const strobe: Record<string, { deltaMs: number; periodMs: number }> = {};
    for (const n of nodes) {
      const ms = Math.round((100 + ctx.rng.next() * 1900) * (ctx.rng.chance(0.5) ? -1 : 1));
      offsets[n] = ms;
      // strobe (only where the target supports it, so targets without it keep the same seeded schedule)
      if (ctx.faults.clockStrobe && ctx.rng.chance(0.3)) {
        strobe[n] = { deltaMs: -2 * ms, periodMs: 10 + ctx.rng.int(91) };
        await ctx.faults.clockStrobe(n, ms, strobe[n].deltaMs, strobe[n].periodMs);
      } else await ctx.faults.clockOffset!(n, ms);
    }
    return { nodes, value: Object.keys(strobe).length ? { offsets, strobe } : { offsets } };
  },
  async heal(ctx, injected) {
    for (const n of injected.nodes) await ctx.faults.clockOffset!(n, 0);
  },
};
