// PostgreSQL isolation levels on a real cluster (root, FAULTLINE_LAB=1), list-append transactions on three keys
// with ten clients: SERIALIZABLE holds serializable; REPEATABLE READ holds snapshot isolation and shows write
// skew (G2-item); READ COMMITTED holds read committed and is not repeatable read; read-only transactions on
// asynchronous replicas are not serializable.
import { chmodSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConfig, type RunConfig } from "../../src/run/config.ts";
import { run } from "../../src/run/runner.ts";
import { leftovers } from "./helpers.ts";

async function pgRun(name: string, targetOptions: Record<string, unknown>, extra: Partial<RunConfig> = {}) {
  const resultsDir = mkdtempSync(join(tmpdir(), "fl-pgiso-"));
  chmodSync(resultsDir, 0o755); // the postgres user must reach its data dir inside
  const out = await run(
    await resolveConfig({
      name,
      target: "postgres",
      nodes: 3,
      workload: "list-append",
      nemesis: [],
      rate: 0,
      concurrency: 10,
      timeLimit: 6,
      opTimeout: 3000,
      quiet: 0.2,
      seed: "1",
      resultsDir,
      targetOptions,
      workloadOptions: { "key-count": 3 },
      ...extra,
    }),
  );
  const info = JSON.parse(readFileSync(join(out.dir, "run.json"), "utf8")).target as { isolation: string };
  expect(info.isolation).toBe(targetOptions.isolation);
  const iso = out.results.isolation!;
  const oks = out.history.filter((o) => o.type === "ok" && o.f === "txn").length;
  console.log(
    `postgres ${name}: ${oks} ok transactions; strongest ${iso.strongest}; ${JSON.stringify(iso.anomalyCounts)}`,
  );
  expect(oks).toBeGreaterThan(200);
  expect(leftovers(-1, out.dir)).toEqual([]); // no server of this run left running
  return { out, iso };
}

describe("postgres isolation levels (lab)", () => {
  it("SERIALIZABLE: serializable and strict serializable hold; serialization failures are definite fails", async () => {
    const { out, iso } = await pgRun("pg-serializable", { isolation: "serializable" });
    expect(iso.status.serializable).toBe("held");
    expect(iso.status["strict-serializable"]).toBe("held");
    expect(out.results.valid).toBe(true);
    const fails = out.history.filter((o) => o.type === "fail" && o.f === "txn");
    expect(fails.length).toBeGreaterThan(0);
    expect(fails.every((o) => /could not serialize|deadlock/.test(o.error ?? ""))).toBe(true);
  });

  it("REPEATABLE READ: snapshot isolation holds, write skew (G2-item) breaks serializability", async () => {
    const { out, iso } = await pgRun("pg-repeatable-read", { isolation: "repeatable-read" });
    expect(iso.status["snapshot-isolation"]).toBe("held");
    expect(iso.status.serializable).toBe("violated");
    expect(iso.anomalyCounts["G2-item"]).toBeGreaterThan(0);
    expect(iso.anomalyCounts["G-single"] ?? 0).toBe(0);
    expect(iso.anomalyCounts["lost-update"] ?? 0).toBe(0);
    expect(out.results.valid).toBe(false); // strict serializable decides by default
  });

  it("READ COMMITTED: read committed holds, repeatable read is violated (G-single, lost update)", async () => {
    const { iso } = await pgRun(
      "pg-read-committed",
      { isolation: "read-committed" },
      { workloadOptions: { "key-count": 3, "consistency-models": "read-committed" } },
    );
    expect(iso.status["read-committed"]).toBe("held");
    expect(iso.status["repeatable-read"]).toBe("violated");
    expect((iso.anomalyCounts["G-single"] ?? 0) + (iso.anomalyCounts["lost-update"] ?? 0)).toBeGreaterThan(0);
  });

  it("read-only transactions on asynchronous replicas break serializability", async () => {
    const { iso } = await pgRun("pg-replica-reads", {
      isolation: "serializable",
      read: "replica",
      replication: "async",
    });
    expect(iso.status.serializable).toBe("violated");
    expect(iso.status["strict-serializable"]).toBe("violated");
  });
});
