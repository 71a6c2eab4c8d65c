// The etcd target against real etcd 3.4 clusters in network namespaces (root, FAULTLINE_LAB=1): linearizable
// through partitions by default; serializable reads on an isolated old leader are stale, and the checker says so.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConfig, type RunConfig } from "../../src/run/config.ts";
import { run } from "../../src/run/runner.ts";
import type { Op } from "../../src/history/op.ts";
import { leftovers } from "./helpers.ts";

async function labRun(partial: Partial<RunConfig>) {
  const results = mkdtempSync(join(tmpdir(), "fl-etcd-"));
  const t0 = performance.now();
  const out = await run(await resolveConfig({ target: "etcd", nodes: 3, resultsDir: results, ...partial }));
  const info = JSON.parse(readFileSync(join(out.dir, "run.json"), "utf8")).target as { slot: number; startMs: number };
  console.log(
    `etcd ${partial.name}: cluster start ${info.startMs} ms, whole run ${Math.round(performance.now() - t0)} ms`,
  );
  expect(leftovers(info.slot, out.dir)).toEqual([]);
  return out;
}

const faults = (h: Op[], f: string) => h.filter((o) => o.process === "nemesis" && o.f === f);

describe("etcd target (lab)", () => {
  it("a 3-member register run through leader partitions is linearizable", async () => {
    const out = await labRun({
      name: "etcd-lin",
      workload: "register",
      nemesis: ["partition"],
      nemesisTarget: "primary",
      nemesisInterval: 3,
      timeLimit: 12,
      seed: "1",
    });
    expect(faults(out.history, "partition").length).toBeGreaterThanOrEqual(1);
    const oks = out.history.filter((o) => o.type === "ok" && o.process !== "nemesis");
    expect(oks.filter((o) => o.f === "write").length).toBeGreaterThan(50);
    expect(oks.filter((o) => o.f === "read").length).toBeGreaterThan(100);
    expect(out.results.checkers.linearizable.valid).toBe(true);
    expect(out.results.valid).toBe(true);
  });

  it("serializable reads on an isolated old leader are stale: not linearizable", async () => {
    const out = await labRun({
      name: "etcd-serializable",
      workload: "register",
      nemesis: ["partition"],
      nemesisTarget: "primary",
      nemesisInterval: 6,
      timeLimit: 20,
      seed: "2",
      targetOptions: { read: "serializable" },
    });
    const v = out.results.checkers.linearizable;
    expect(v.valid).toBe(false);
    expect(v.anomalies.length).toBeGreaterThan(0);
    // The read that cannot be placed was answered by the partitioned node while it was cut off.
    const h = out.history;
    const cut = faults(h, "partition").map((p) => {
      const heal = h.find((o) => o.index > p.index && o.f === "heal-partition");
      return { node: (p.value as { nodes: string[] }).nodes[0], from: p.index, to: heal?.index ?? h.length };
    });
    // Some op in the anomaly's proof (the blocked op or its witness) is a read the cut-off node answered.
    const involved = (a: { ops: number[] }) => a.ops.map((i) => h[i]);
    const stale = v.anomalies
      .flatMap(involved)
      .filter((op) => op.f === "read" && cut.some((c) => c.node === op.node && op.index > c.from && op.index < c.to));
    expect(stale.length).toBeGreaterThan(0);
  });
});
