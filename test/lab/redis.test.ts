// The redis target against real Redis 7 + Sentinel in network namespaces (root, FAULTLINE_LAB=1): replica reads
// go stale when a replica is cut off from the primary, and a Sentinel failover after a primary partition
// loses acknowledged writes (the old primary's, discarded when it rejoins as a replica).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConfig, type RunConfig } from "../../src/run/config.ts";
import { run } from "../../src/run/runner.ts";
import type { Op } from "../../src/history/op.ts";
import { leftovers } from "./helpers.ts";

async function labRun(partial: Partial<RunConfig>) {
  const results = mkdtempSync(join(tmpdir(), "fl-redis-"));
  const t0 = performance.now();
  const out = await run(await resolveConfig({ target: "redis", nodes: 3, resultsDir: results, ...partial }));
  const info = JSON.parse(readFileSync(join(out.dir, "run.json"), "utf8")).target as { slot: number; startMs: number };
  console.log(
    `redis ${partial.name}: cluster start (1 primary + 2 replicas + 3 Sentinels) ${info.startMs} ms, whole run ${Math.round(performance.now() - t0)} ms`,
  );
  expect(leftovers(info.slot, out.dir)).toEqual([]);
  return out;
}

const cuts = (h: Op[]) =>
  h
    .filter((o) => o.process === "nemesis" && o.f === "partition")
    .map((p) => {
      const heal = h.find((o) => o.index > p.index && o.f === "heal-partition");
      return { nodes: (p.value as { nodes: string[] }).nodes, from: p.index, to: heal?.index ?? h.length };
    });

describe("redis target (lab)", () => {
  it("reads from a replica cut off from the primary are stale: not linearizable", async () => {
    // Seed 3 cuts off n3, a replica, first (the nemesis' choice is seeded); its Sentinel alone cannot fail over.
    // Unique values (session workload) let the test see each stale read itself: a read on n3 during the cut
    // that returned a value already overwritten by a write acknowledged half a second before the read began.
    const out = await labRun({
      name: "redis-replica-reads",
      workload: "session",
      nemesis: ["partition"],
      nemesisTarget: "one",
      nemesisInterval: 3,
      timeLimit: 8,
      seed: "3",
      targetOptions: { read: "replica" },
    });
    const h = out.history;
    const first = cuts(h)[0];
    expect(first.nodes).toEqual(["n3"]);
    const done = new Map<number, Op>(); // invoke index → completion
    const open = new Map<unknown, number>();
    for (const o of h) {
      if (o.process === "nemesis") continue;
      if (o.type === "invoke") open.set(o.process, o.index);
      else {
        done.set(open.get(o.process)!, o);
        open.delete(o.process);
      }
    }
    const acked = h.filter((o) => o.f === "write" && o.type === "ok");
    const stale = h
      .filter(
        (o) => o.type === "invoke" && o.f === "read" && o.node === "n3" && o.index > first.from && o.index < first.to,
      )
      .filter((r) => {
        const c = done.get(r.index);
        if (c?.type !== "ok") return false;
        const [k, v] = c.value as [string, unknown];
        const newer = acked.filter((w) => (w.value as [string, unknown])[0] === k && w.time < r.time - 500e6);
        const latest = newer[newer.length - 1];
        return latest !== undefined && (latest.value as [string, unknown])[1] !== v;
      });
    expect(stale.length).toBeGreaterThan(0);
    const v = out.results.checkers.linearizable;
    expect(v.valid).toBe(false);
    // The checker's proofs name reads the cut-off node answered.
    const proofReads = v.anomalies
      .flatMap((a) => a.ops.map((i) => h[i]))
      .filter((op) => op.f === "read" && op.node === "n3" && op.index > first.from && op.index < first.to);
    expect(proofReads.length).toBeGreaterThan(0);
  });

  it("a Sentinel failover after a primary partition loses acknowledged adds", async () => {
    const out = await labRun({
      name: "redis-failover",
      workload: "set",
      nemesis: ["partition"],
      nemesisTarget: "primary",
      nemesisInterval: 6,
      timeLimit: 10,
      quiet: 3,
      seed: "1",
    });
    const h = out.history;
    expect(cuts(h)[0].nodes).toEqual(["n1"]);
    const v = out.results.checkers.set;
    expect(v.valid).toBe(false);
    const lost = v.anomalies.filter((a) => a.kind === "lost-add");
    expect(lost.length).toBeGreaterThan(10);
    // The lost adds were acknowledged by the old primary while it was cut off.
    const cut = cuts(h)[0];
    const acked = lost
      .map((a) => a.ops.map((i) => h[i]).find((o) => o.type === "ok" && o.f === "add"))
      .filter((o): o is Op => !!o);
    expect(acked.some((o) => o.index > cut.from && o.index < cut.to)).toBe(true);
    expect(out.results.valid).toBe(false);
  });
});
