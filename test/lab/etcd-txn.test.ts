// rw-register transactions on real etcd (root, FAULTLINE_LAB=1): optimistic transactions through the Txn API
// (mod-revision compares) are strict serializable through leader partitions; with serializable reads,
// read-only transactions answered by a cut-off member are stale and strict serializability is flagged.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConfig, type RunConfig } from "../../src/run/config.ts";
import { run } from "../../src/run/runner.ts";

const etcdRun = async (partial: Partial<RunConfig>) =>
  run(
    await resolveConfig({
      target: "etcd",
      nodes: 3,
      workload: "rw-register",
      nemesis: ["partition"],
      nemesisTarget: "primary",
      rate: 0,
      concurrency: 10,
      opTimeout: 3000,
      workloadOptions: { "key-count": 3 },
      resultsDir: mkdtempSync(join(tmpdir(), "fl-etcdtxn-")),
      ...partial,
    }),
  );

describe("etcd transactions (lab)", () => {
  it("rw-register transactions through leader partitions are strict serializable; conflicts are definite fails", async () => {
    const out = await etcdRun({ name: "etcd-txn", nemesisInterval: 3, timeLimit: 12, seed: "1" });
    const iso = out.results.isolation!;
    console.log(`etcd txn: strongest ${iso.strongest}; ${JSON.stringify(iso.anomalyCounts)}`);
    expect(out.history.filter((o) => o.type === "ok" && o.f === "txn").length).toBeGreaterThan(30);
    expect(out.history.some((o) => o.type === "fail" && /conflict/.test(o.error ?? ""))).toBe(true);
    expect(iso.status["strict-serializable"]).toBe("held");
    expect(out.results.valid).toBe(true);
  });

  it("serializable reads on an isolated old leader: strict serializability is violated", async () => {
    // Short transactions: more of them read-only, so more are answered by the cut-off member.
    const out = await etcdRun({
      name: "etcd-txn-serializable",
      nemesisInterval: 6,
      timeLimit: 30,
      seed: "2",
      targetOptions: { read: "serializable" },
      workloadOptions: { "key-count": 3, "max-txn-length": 2 },
    });
    const iso = out.results.isolation!;
    console.log(`etcd txn serializable reads: strongest ${iso.strongest}; ${JSON.stringify(iso.anomalyCounts)}`);
    expect(iso.status["strict-serializable"]).toBe("violated");
    expect(out.results.valid).toBe(false);
  });
});
