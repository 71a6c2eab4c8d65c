// The runner on real time (the lab targets' scheduler) against an in-process target: op timeouts on one shared
// timer, and the history file holding every event by the end of the event-loop turn it happened in.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { targets } from "../../src/registry.ts";
import { resolveConfig } from "../../src/run/config.ts";
import { run } from "../../src/run/runner.ts";
import { realScheduler } from "../../src/run/scheduler.ts";
import { readHistory } from "../../src/history/reader.ts";
import type { Completion } from "../../src/history/op.ts";
import type { Client, OpSpec, TargetSession } from "../../src/run/types.ts";

describe("a run in real time", () => {
  it("times out hung ops after op-timeout on one timer, and has each op's invocation on disk before it answers", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fl-realtime-"));
    let file = "";
    const problems: string[] = [];
    const client = (process: number): Client => {
      let invoked = 0;
      return {
        invoke(op: OpSpec) {
          invoked++;
          const mine = invoked;
          // Process 0's 5th op and every 9th op of others hang: the runner must time them out.
          if ((process === 0 && mine === 5) || mine % 9 === 0) return new Promise<Completion>(() => undefined);
          // The answer comes in a later turn of the event loop than the invocation (an immediate queued after it,
          // as a socket's data would be): by then the invocation's line must be in the file.
          return new Promise<Completion>((resolve) =>
            setImmediate(() => {
              const lines = readFileSync(file, "utf8")
                .split("\n")
                .filter((l) => l.includes(`"process":${process},"type":"invoke"`)).length;
              if (lines < mine) problems.push(`process ${process} op ${mine}: ${lines} invocations on disk`);
              resolve({ type: "ok", value: op.f === "read" ? [(op.value as unknown[])[0], null] : op.value });
            }),
          );
        },
      };
    };
    const session: TargetSession = {
      nodes: ["n1", "n2", "n3"],
      scheduler: realScheduler,
      faults: {},
      client,
      info: () => ({}),
      teardown: async () => undefined,
    };
    targets["realtime-fake"] = async () => ({
      name: "realtime-fake",
      workloads: ["register"],
      setup: async (o) => {
        file = join(o.dir, "history.jsonl");
        return session;
      },
    });
    try {
      const config = await resolveConfig({
        target: "realtime-fake",
        workload: "register",
        nemesis: [],
        timeLimit: 1,
        ops: 900,
        concurrency: 3,
        rate: 0,
        opTimeout: 80,
        quiet: 0,
        resultsDir: dir,
      });
      const t0 = performance.now();
      const out = await run(config);
      expect(performance.now() - t0).toBeLessThan(5000);
      expect(problems).toEqual([]);
      expect(readHistory(file)).toEqual(out.history);
      const byIndex = new Map(out.history.map((o) => [o.index, o]));
      const invokes = new Map<number, number>(); // process → index of its open invocation
      const timedOut: number[] = [];
      for (const o of out.history) {
        if (o.process === "nemesis") continue;
        if (o.type === "invoke") {
          invokes.set(o.process, o.index);
          continue;
        }
        const inv = byIndex.get(invokes.get(o.process)!)!;
        if (o.error === "timeout") {
          timedOut.push((o.time - inv.time) / 1e6);
          expect(o.type).toBe("info");
          // The retired process never invokes again.
          expect(out.history.some((x) => x.process === o.process && x.index > o.index)).toBe(false);
        } else expect(o.type).toBe("ok");
      }
      expect(timedOut.length).toBeGreaterThanOrEqual(3);
      for (const ms of timedOut) {
        expect(ms).toBeGreaterThanOrEqual(79);
        expect(ms).toBeLessThan(400);
      }
      expect(out.history.filter((o) => o.type === "ok").length).toBeGreaterThan(50);
    } finally {
      delete targets["realtime-fake"];
    }
  }, 20_000);
});
