// A target that observes its store (TargetSession.observe): its events land in the history as nemesis-process
// info ops during the run, and stop at the last heal, so checkers that start the final phase at the last nemesis
// op still see the final reads.
import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { targets } from "../../src/registry.ts";
import { run } from "../../src/run/runner.ts";
import { resolveConfig } from "../../src/run/config.ts";
import { realScheduler } from "../../src/run/scheduler.ts";
import type { Target } from "../../src/run/types.ts";

/** One in-memory set store whose "leader" changes every 20 ms, reported through observe. */
const observing: Target = {
  name: "observing-fake",
  workloads: ["set"],
  async setup() {
    const sets = new Map<string, unknown[]>();
    let timer: NodeJS.Timeout | undefined;
    return {
      nodes: ["n1", "n2"],
      scheduler: realScheduler,
      faults: {},
      client: () => ({
        async invoke(op) {
          const [k, x] = op.value as [string, unknown];
          if (op.f === "add") {
            sets.set(k, [...(sets.get(k) ?? []), x]);
            return { type: "ok" as const };
          }
          await new Promise((r) => setTimeout(r, 25)); // reads take a while: observations would interleave with them
          return { type: "ok" as const, value: [k, [...(sets.get(k) ?? [])]] };
        },
      }),
      observe(record) {
        let i = 0;
        timer = setInterval(() => record({ f: "leader", value: { leader: `n${(i++ % 2) + 1}` } }), 20);
      },
      info: () => ({}),
      async teardown() {
        clearInterval(timer);
      },
    };
  },
};

describe("target observations", () => {
  it("are recorded during the main phase only, before the final reads", async () => {
    targets[observing.name] ??= async () => observing;
    const out = await run(
      await resolveConfig({
        target: observing.name,
        workload: "set",
        nemesis: [],
        timeLimit: 0.3,
        quiet: 0.2,
        rate: 100,
        resultsDir: mkdtempSync(join(tmpdir(), "fl-observe-")),
      }),
    );
    const seen = out.history.filter((o) => o.process === "nemesis" && o.f === "leader");
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.every((o) => o.type === "info")).toBe(true);
    const lastObserved = Math.max(...seen.map((o) => o.index));
    const finals = out.history.filter(
      (o) => o.process !== "nemesis" && o.index > lastObserved && o.f === "read" && o.type === "ok",
    );
    expect(finals.length).toBeGreaterThan(0);
    const set = out.results.checkers.set;
    expect(set.valid).toBe(true);
    expect((set as { stats?: { finalReads?: number } }).stats?.finalReads).toBeGreaterThan(0);
  });
});
