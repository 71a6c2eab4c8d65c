import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rng } from "../../src/run/rng.ts";
import {
  cycle,
  defaultSchedule,
  heal,
  inject,
  mix,
  parseSchedule,
  phases,
  repeat,
  sleep,
  timeLimit,
  type Action,
  type Schedule,
} from "../../src/run/schedule.ts";
import { run } from "../../src/run/runner.ts";
import { resolveConfig } from "../../src/run/config.ts";
import { parseSuite } from "../../src/suite/parse.ts";

/** Unfolds a schedule against a fake clock that sleeps advance; stops after `max` actions. */
function unfold(s: Schedule, seed = "1", max = 1000): Action[] {
  let t = 0;
  const out: Action[] = [];
  const it = s({ rng: rng(seed, "nemesis"), now: () => t });
  for (let n = 0; n < max; n++) {
    const r = it.next();
    if (r.done) break;
    out.push(r.value);
    if (r.value.kind === "sleep") t += r.value.ms;
  }
  return out;
}
const names = (as: Action[]) =>
  as.map((a) => (a.kind === "inject" ? `${a.nemesis}${a.spec ? "@" + a.spec : ""}` : a.kind));

describe("schedule combinators", () => {
  it("phases, repeat and heal unfold in order", () => {
    const s = phases(
      sleep(1000),
      repeat(2, phases(inject("partition", "primary"), sleep(500), heal())),
      inject("kill", "replica"),
    );
    expect(names(unfold(s))).toEqual([
      "sleep",
      "partition@primary",
      "sleep",
      "heal",
      "partition@primary",
      "sleep",
      "heal",
      "kill@replica",
    ]);
  });

  it("a cycle under a time limit stops once the limit has passed, and clips its last sleep", () => {
    const acts = unfold(timeLimit(10_000, cycle(phases(sleep(3000), inject("pause"), sleep(1000), heal()))));
    const slept = acts.filter((a) => a.kind === "sleep").reduce((t, a) => t + (a as { ms: number }).ms, 0);
    expect(slept).toBe(10_000);
    // Pauses at 3 s and 7 s; the sleep from 8 s is clipped to end at 10 s, and nothing is pulled after that.
    expect(names(acts).filter((n) => n === "pause")).toHaveLength(2);
    expect((acts[acts.length - 1] as { ms: number }).ms).toBe(2000);
  });

  it("the same seed gives the same choices; another seed differs", () => {
    const s = () => repeat(40, mix(inject("partition"), inject("kill"), inject("pause")));
    expect(names(unfold(s(), "5"))).toEqual(names(unfold(s(), "5")));
    expect(names(unfold(s(), "5"))).not.toEqual(names(unfold(s(), "6")));
    expect(new Set(names(unfold(s(), "5")))).toEqual(new Set(["partition", "kill", "pause"]));
  });

  it("random sleeps stay in their range", () => {
    const acts = unfold(repeat(200, sleep(500, 1500)));
    const ms = acts.map((a) => (a as { ms: number }).ms);
    expect(Math.min(...ms)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...ms)).toBeLessThan(1500);
    expect(new Set(ms).size).toBeGreaterThan(100);
  });

  it("the default schedule waits, injects one of the faults, holds it, heals — forever", () => {
    const acts = unfold(defaultSchedule(["partition", "kill"], 1000), "3", 40);
    expect(acts).toHaveLength(40);
    expect(names(acts.slice(0, 8))).toEqual([
      "sleep",
      expect.stringMatching(/^(partition|kill)$/),
      "sleep",
      "heal",
      "sleep",
      expect.stringMatching(/^(partition|kill)$/),
      "sleep",
      "heal",
    ]);
    expect(unfold(defaultSchedule([], 1000))).toEqual([]);
  });
});

describe("schedules as data", () => {
  const known = ["partition", "kill", "pause"];

  it("reads sleeps, faults held for a while, repeats, cycles, mixes and time limits", () => {
    const { schedule, nemeses } = parseSchedule(
      [
        { sleep: 2 },
        { repeat: 2, do: [{ fault: "partition", target: "primary", for: 10 }, { sleep: 20 }] },
        { fault: "kill", target: "replica", for: [1, 2] },
        { "time-limit": 30, do: [{ cycle: [{ mix: [{ fault: "pause", for: 5 }, { sleep: 5 }] }] }] },
      ],
      known,
    );
    expect(nemeses.sort()).toEqual(["kill", "partition", "pause"]);
    const acts = unfold(schedule);
    expect(names(acts.slice(0, 10))).toEqual([
      "sleep",
      "partition@primary",
      "sleep",
      "heal",
      "sleep",
      "partition@primary",
      "sleep",
      "heal",
      "sleep",
      "kill@replica",
    ]);
    expect((acts[2] as { ms: number }).ms).toBe(10_000);
    const afterKill = acts.slice(13);
    const slept = afterKill.filter((a) => a.kind === "sleep").reduce((t, a) => t + (a as { ms: number }).ms, 0);
    expect(slept).toBe(30_000);
  });

  it("refuses bad steps with the path of the field", () => {
    const bad: [unknown, RegExp][] = [
      [[{ fault: "flood" }], /nemesis-schedule\[0\]\.fault: unknown fault "flood"/],
      [[{ sleep: -1 }], /nemesis-schedule\[0\]\.sleep: must be seconds/],
      [[{ sleep: Infinity }], /nemesis-schedule\[0\]\.sleep/],
      [[{ repeat: 2.5, do: [{ sleep: 1 }] }], /\[0\]\.repeat: must be a whole number/],
      [[{ repeat: 2, do: [{ fault: "kill", for: [3, 1] }] }], /\[0\]\.do\[0\]\.for/],
      [[{ fault: "kill", target: "everyone" }], /\[0\]\.target: must be one of/],
      [[{ fault: "kill", hold: 3 }], /\[0\]\.hold: unknown field/],
      [[{ cycle: [] }], /\[0\]\.cycle: must be a non-empty list/],
      [[{ jump: 1 }], /\[0\]: unknown step/],
      [[], /must be a non-empty list/],
    ];
    for (const [data, re] of bad) expect(() => parseSchedule(data, known), JSON.stringify(data)).toThrow(re);
  });

  it("a suite case's nemesis-schedule error names the file, the line and the field", async () => {
    const text = [
      "defaults: { target: sim, time-limit: 2 }",
      "cases:",
      "  - name: c1",
      "    expect: { linearizable: holds }",
      "    nemesis-schedule:",
      "      - sleep: 1",
      "      - fault: partition",
      "        for: [5, 2]",
    ].join("\n");
    await expect(parseSuite(text, "s.yaml")).rejects.toThrow(
      /^s\.yaml:8: c1\.nemesis-schedule\[1\]\.for: must be seconds/,
    );
  });
});

describe("a run driven by a schedule", () => {
  it("partitions the primary for 2 s every 5 s, then kills a replica, and heals everything", async () => {
    const out = await run(
      await resolveConfig({
        target: "sim",
        mode: "linearizable",
        seed: "11",
        timeLimit: 20,
        resultsDir: mkdtempSync(join(tmpdir(), "fl-sched-")),
        nemesisSchedule: [
          { repeat: 2, do: [{ sleep: 3 }, { fault: "partition", target: "primary", for: 2 }] },
          { sleep: 1 },
          { fault: "kill", target: "replica", for: 2 },
        ],
      }),
    );
    const nem = out.history.filter((o) => o.process === "nemesis");
    expect(nem.map((o) => o.f)).toEqual([
      "partition",
      "heal-partition",
      "partition",
      "heal-partition",
      "kill",
      "heal-kill",
    ]);
    const secs = (i: number) => nem[i].time / 1e9;
    expect(secs(0)).toBeCloseTo(3, 0);
    expect(secs(1) - secs(0)).toBeCloseTo(2, 0);
    expect(secs(2) - secs(1)).toBeCloseTo(3, 0);
    // The kill hit a node other than the one the partition isolated as primary (no failover in between).
    const isolated = (nem[2].value as { nodes: string[] }).nodes;
    const killed = (nem[4].value as { nodes: string[] }).nodes;
    expect(killed).toHaveLength(1);
    expect(isolated).not.toContain(killed[0]);
    expect(out.results.valid).toBe(true);
  });

  it("an unknown fault in a schedule is a usage error before anything starts", async () => {
    await expect(resolveConfig({ target: "sim", nemesisSchedule: [{ fault: "meteor" }] })).rejects.toThrow(
      /unknown fault "meteor"/,
    );
  });
});
