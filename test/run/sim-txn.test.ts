import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/run/runner.ts";
import { resolveConfig, type RunConfig } from "../../src/run/config.ts";
import type { IsolationResult } from "../../checkers/txn/index.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "fl-txn-run-"));
const simRun = async (c: Partial<RunConfig>) =>
  run(await resolveConfig({ resultsDir: tmp(), target: "sim", nemesis: [], timeLimit: 3, concurrency: 10, ...c }));
const isolation = (out: Awaited<ReturnType<typeof simRun>>) =>
  (out.results.checkers.isolation as unknown as { isolation: IsolationResult }).isolation;
const found = (r: IsolationResult, kinds: string[]) => kinds.filter((k) => (r.anomalyCounts[k] ?? 0) > 0);

describe("the sim's transactional modes", () => {
  it("the same seed gives a byte-identical history in every txn mode", async () => {
    for (const mode of ["txn-snapshot", "txn-read-committed", "txn-replica-snapshot", "txn-serializable"]) {
      const a = await simRun({ mode, workload: "list-append", seed: "42", nemesis: ["partition"], timeLimit: 2 });
      const b = await simRun({ mode, workload: "list-append", seed: "42", nemesis: ["partition"], timeLimit: 2 });
      const bytes = (d: string) => readFileSync(join(d, "history.jsonl"), "utf8");
      expect(bytes(a.dir).length, mode).toBeGreaterThan(1000);
      expect(bytes(a.dir), mode).toBe(bytes(b.dir));
    }
  });

  // mode → the strongest model that must hold, a model that must be violated, anomalies that must show, and
  // anomalies that must not (the boundary the mode sits on).
  const cases: [string, string, string | undefined, string[], string[]][] = [
    [
      "txn-strict-serializable",
      "strict-serializable",
      undefined,
      [],
      ["G0", "G1c", "G-single", "G2-item", "lost-update"],
    ],
    [
      "txn-serializable",
      "serializable",
      "strict-serializable",
      [],
      ["G0", "G1c", "G-single", "G-nonadjacent", "G2-item", "lost-update"],
    ],
    ["txn-snapshot", "snapshot-isolation", "serializable", ["G2-item"], ["G0", "G1c", "G-single", "lost-update"]],
    ["txn-read-committed", "read-committed", "repeatable-read", ["G-single"], ["G0", "G1a", "G1b", "G1c"]],
    [
      "txn-replica-snapshot",
      "monotonic-atomic-view",
      "snapshot-isolation",
      ["G-nonadjacent"],
      ["G0", "G1a", "G1b", "G1c", "G-single"],
    ],
  ];
  for (const workload of ["list-append", "rw-register"]) {
    for (const [mode, holds, violated, anomalies, never] of cases) {
      it(`${workload} on ${mode}: ${holds} holds${violated ? `, ${violated} is violated` : ""}${anomalies.length ? ` (${anomalies.join(", ")})` : ""}`, async () => {
        for (const seed of ["1", "2"]) {
          // Long forks need two replica readers inside one window: a longer run finds them.
          const r = isolation(
            await simRun({ mode, workload, seed, ...(mode === "txn-replica-snapshot" ? { timeLimit: 8 } : {}) }),
          );
          expect(
            r.status[holds as keyof IsolationResult["status"]],
            `${mode} seed ${seed}: ${JSON.stringify(r.anomalyCounts)}`,
          ).toBe("held");
          // rw-register reads show only the last version, so fewer cycles can be inferred: list-append must find them.
          if (violated && workload === "list-append")
            expect(r.status[violated as keyof IsolationResult["status"]], `${mode} seed ${seed}`).toBe("violated");
          if (workload === "list-append")
            expect(found(r, anomalies), `${mode} seed ${seed}: ${JSON.stringify(r.anomalyCounts)}`).toEqual(anomalies);
          expect(found(r, never), `${mode} seed ${seed}`).toEqual([]);
        }
      });
    }
  }
});
