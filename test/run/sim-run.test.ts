import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/run/runner.ts";
import { resolveConfig, type RunConfig } from "../../src/run/config.ts";
import { readHistory } from "../../src/history/reader.ts";
import { pairOperations, faults } from "../../src/history/pairs.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "fl-run-"));
const simRun = async (c: Partial<RunConfig>) => run(await resolveConfig({ resultsDir: tmp(), ...c }));

describe("sim runs", () => {
  it("the same seed gives a byte-identical history; another seed does not", async () => {
    const a = await simRun({ mode: "primary-async", seed: "42", nemesis: ["partition", "kill"], timeLimit: 3 });
    const b = await simRun({ mode: "primary-async", seed: "42", nemesis: ["partition", "kill"], timeLimit: 3 });
    const c = await simRun({ mode: "primary-async", seed: "43", nemesis: ["partition", "kill"], timeLimit: 3 });
    const bytes = (d: string) => readFileSync(join(d, "history.jsonl"), "utf8");
    expect(bytes(a.dir).length).toBeGreaterThan(1000);
    expect(bytes(a.dir)).toBe(bytes(b.dir));
    expect(bytes(a.dir)).not.toBe(bytes(c.dir));
  });

  it("primary-async under partitions is caught with non-linearizable reads", async () => {
    const out = await simRun({ mode: "primary-async", seed: "7", nemesis: ["partition"] });
    expect(out.results.valid).toBe(false);
    const lin = out.results.checkers.linearizable;
    expect(lin.anomalies.length).toBeGreaterThan(0);
    expect(lin.anomalies[0].explanation).toMatch(/read → /);
    // The anomaly points at a real read in the history.
    const at = out.history[lin.anomalies[0].ops[0]];
    expect(at).toBeDefined();
  });

  it("linearizable mode with the same faults is valid, and faults are recorded", async () => {
    const out = await simRun({ mode: "linearizable", seed: "7", nemesis: ["partition"] });
    expect(out.results.valid).toBe(true);
    const fs = faults(out.history);
    expect(fs.length).toBeGreaterThan(2);
    expect(fs.every((f) => f.stop !== undefined)).toBe(true);
    const infos = pairOperations(out.history).filter((o) => o.type === "info");
    expect(infos.length).toBeGreaterThan(0); // the partition made some ops indeterminate
  });

  it("property: histories of the linearizable mode always pass, under every fault (seeded loop)", async () => {
    for (let seed = 100; seed < 112; seed++) {
      const out = await simRun({
        mode: "linearizable",
        seed: String(seed),
        nemesis: ["partition", "kill", "pause", "loss"],
        timeLimit: 3,
        keys: 2,
        concurrency: 6,
      });
      expect(out.results.valid, `seed ${seed}`).toBe(true);
    }
  });

  it("the history on disk equals the history in memory and is checkable", async () => {
    const out = await simRun({ mode: "causal", seed: "3", timeLimit: 2 });
    expect(readHistory(join(out.dir, "history.jsonl"))).toEqual(out.history);
    const results = JSON.parse(readFileSync(join(out.dir, "results.json"), "utf8"));
    expect(results.valid).toBe(out.results.valid);
  });

  it("a 10,000-op run completes (simulated time) and ends with final reads on every node", async () => {
    const out = await simRun({
      mode: "primary-async",
      seed: "9",
      rate: 0,
      ops: 10_000,
      timeLimit: 1000,
      nemesis: ["partition"],
    });
    const ops = pairOperations(out.history);
    expect(ops.length).toBeGreaterThanOrEqual(10_000);
    const finals = ops.slice(-9);
    expect(new Set(finals.map((o) => o.node)).size).toBe(3);
  });
});
