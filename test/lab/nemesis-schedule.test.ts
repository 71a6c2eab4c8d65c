// The fault schedule comes from the seed alone, even on a real cluster whose op interleaving differs
// from run to run: the same seed gives the same nemesis ops (which fault, which nodes), modulo timing.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/run/config.ts";
import { run } from "../../src/run/runner.ts";
import { leftovers } from "./helpers.ts";

async function schedule(seed: string) {
  const results = mkdtempSync(join(tmpdir(), "fl-sched-"));
  const out = await run(
    await resolveConfig({
      target: "etcd",
      nodes: 3,
      workload: "register",
      nemesis: ["partition", "kill", "pause"],
      nemesisTarget: "minority",
      nemesisInterval: 1.5,
      timeLimit: 9,
      seed,
      resultsDir: results,
      name: "etcd-schedule",
    }),
  );
  const info = JSON.parse(readFileSync(join(out.dir, "run.json"), "utf8")).target as { slot: number };
  expect(leftovers(info.slot, out.dir)).toEqual([]);
  return out.history
    .filter((o) => o.process === "nemesis")
    .map((o) => `${o.f} ${(o.value as { nodes: string[] }).nodes.join(",")}`);
}

describe("nemesis schedule on a real etcd cluster", () => {
  it("the same seed gives the same faults on the same nodes; another seed differs", async () => {
    const a = await schedule("5");
    const b = await schedule("5");
    const c = await schedule("6");
    expect(a.length).toBeGreaterThanOrEqual(4);
    expect(new Set(a.map((x) => x.split(" ")[0])).size).toBeGreaterThanOrEqual(3); // several kinds of fault and their heals
    // Modulo timing: a schedule cut by the time limit may end one fault earlier or later.
    const n = Math.min(a.length, b.length);
    expect(n).toBeGreaterThanOrEqual(a.length - 2);
    expect(b.slice(0, n)).toEqual(a.slice(0, n));
    expect(c.slice(0, Math.min(n, c.length))).not.toEqual(a.slice(0, Math.min(n, c.length)));
  }, 120_000);
});
