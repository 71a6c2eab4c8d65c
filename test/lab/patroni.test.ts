// The patroni target on real servers (root, FAULTLINE_LAB=1): a Patroni + etcd cluster whose leader moves under
// faults (REST API, switchover, PostgreSQL killed alone, DCS cut), an asynchronous failover under the partition
// nemesis that loses acknowledged adds and a planned switchover in synchronous mode that loses none, and a run
// killed with SIGKILL whose lab slot is undone from its journal alone (no global `lab clean`: other labs may be live).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import "../../src/registry.ts"; // the runner looks targets, workloads and nemeses up there
import { patroniTarget, type PatroniSession } from "../../targets/patroni/index.ts";
import { resolveConfig } from "../../src/run/config.ts";
import { run } from "../../src/run/runner.ts";
import { Journal } from "../../src/lab/journal.ts";
import { eventually, leftovers, sleep } from "./helpers.ts";

const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  chmodSync(d, 0o755);
  return d;
};
const historyOf = (resultsDir: string): string | undefined => {
  for (const name of existsSync(resultsDir) ? readdirSync(resultsDir) : []) {
    const sub = join(resultsDir, name);
    for (const stamp of existsSync(sub) ? readdirSync(sub) : [])
      if (existsSync(join(sub, stamp, "history.jsonl"))) return join(sub, stamp, "history.jsonl");
  }
  return undefined;
};

describe("patroni cluster under faults", () => {
  let s: PatroniSession;
  let dir: string;
  const leader = () => s.faults.primary!();
  const otherLeader = (not: string) =>
    eventually(
      async () => {
        const l = await leader();
        return l !== undefined && l !== not;
      },
      60_000,
      250,
    );

  beforeAll(async () => {
    dir = tmp("fl-patroni-");
    s = (await patroniTarget.setup({ nodes: 3, seed: "1", dir, options: { slot: 45 } })) as PatroniSession;
  }, 120_000);

  afterAll(async () => {
    if (!s) return;
    const slot = s.runtime.slot;
    await s.teardown();
    expect(leftovers(slot, dir)).toEqual([]);
  }, 60_000);

  it("has one leader, named by the REST API, with both replicas streaming", async () => {
    const l = await leader();
    expect(s.nodes).toContain(l);
    expect(await s.cluster.streaming(s.cluster.node(l!))).toBe(2);
    expect(s.info()).toMatchObject({
      versions: { patroni: "3.0.2", etcd: expect.stringMatching(/^3\./) },
      configuration: { synchronous_mode: "off", ttl: 10 },
    });
  });

  it("a planned switchover moves the leader to the chosen replica", async () => {
    const from = (await leader())!;
    const to = s.nodes.find((n) => n !== from)!;
    expect(await s.faults.switchover!(to)).toEqual({ from, to });
    expect(await eventually(async () => (await leader()) === to, 60_000, 250)).toBe(true);
  }, 90_000);

  it("PostgreSQL killed alone on the leader is started again by Patroni", async () => {
    const l = s.cluster.node((await leader())!);
    await s.cluster.killPostgres(l);
    expect(
      await eventually(
        async () => (await s.cluster.pg.query(l, "select 1 as x", [], 1000).catch(() => []))[0]?.x === 1,
        60_000,
        250,
      ),
    ).toBe(true);
    expect(await eventually(async () => (await leader()) !== undefined, 60_000, 250)).toBe(true);
  }, 120_000);

  it("a killed node (Patroni and PostgreSQL) comes back on restart as a member of the cluster", async () => {
    const l = (await leader())!;
    const replica = s.nodes.find((n) => n !== l)!;
    await s.faults.kill!(replica);
    await expect(s.cluster.pg.query(s.cluster.node(replica), "select 1", [], 800)).rejects.toThrow();
    await s.faults.restart!(replica);
    expect(
      await eventually(
        async () => (await s.cluster.streaming(s.cluster.node((await leader()) ?? l))) === 2,
        60_000,
        250,
      ),
    ).toBe(true);
  }, 120_000);

  it("the leader cut from etcd (failsafe_mode off) stops claiming primary; after the heal there is a leader again", async () => {
    const l = (await leader())!;
    await s.faults.dcs!(l, false);
    try {
      expect(await eventually(async () => !(await s.cluster.ask()).some((c) => c.node === l), 60_000, 250)).toBe(true);
    } finally {
      await s.faults.dcs!(l, true);
    }
    expect(await eventually(async () => (await leader()) !== undefined, 60_000, 250)).toBe(true);
  }, 120_000);

  it("isolating the leader gives a new leader on the majority side", async () => {
    const l = (await leader())!;
    await s.faults.block!(
      s.nodes
        .filter((n) => n !== l)
        .flatMap(
          (n) =>
            [
              [n, l],
              [l, n],
            ] as [string, string][],
        ),
    );
    try {
      expect(await otherLeader(l)).toBe(true);
      expect(s.view.cut).toEqual(new Set([l]));
    } finally {
      await s.faults.healNetwork!();
    }
    expect(s.view.cut.size).toBe(0);
  }, 90_000);
});

describe("patroni runs: the set workload across a failover", () => {
  const runOnce = async (o: {
    nemesis: string;
    interval: number;
    timeLimit: number;
    options: Record<string, unknown>;
    slot: number;
  }) => {
    const resultsDir = tmp("fl-patroni-run-");
    const out = await run(
      await resolveConfig({
        target: "patroni",
        workload: "set",
        nemesis: [o.nemesis],
        nemesisTarget: "primary",
        nemesisInterval: o.interval,
        timeLimit: o.timeLimit,
        seed: "4",
        rate: 200,
        concurrency: 5,
        opTimeout: 1000,
        quiet: 15,
        resultsDir,
        targetOptions: { ...o.options, slot: o.slot },
      }),
    );
    expect(leftovers(o.slot, resultsDir)).toEqual([]);
    return out;
  };

  it("asynchronous failover with the client on the old primary: acknowledged adds lost", async () => {
    // seed 4, interval 14: the leader is isolated from 7.6 s to 27.4 s
    const out = await runOnce({
      nemesis: "partition",
      interval: 14,
      timeLimit: 32,
      options: { synchronous_mode: "off" },
      slot: 46,
    });
    const set = out.results.checkers.set;
    expect(set.valid).toBe(false);
    expect(set.anomalies.some((a) => a.kind === "lost-add")).toBe(true);
    const leaders = out.history
      .filter((o) => o.process === "nemesis" && o.f === "leader")
      .map((o) => (o.value as { leader: string }).leader);
    expect(new Set(leaders).size).toBeGreaterThan(1); // the timeline shows the leader moving
  }, 240_000);

  it("a planned switchover in synchronous mode loses nothing", async () => {
    const out = await runOnce({
      nemesis: "switchover",
      interval: 8,
      timeLimit: 20,
      options: { synchronous_mode: "on" },
      slot: 47,
    });
    expect(out.history.some((o) => o.process === "nemesis" && o.f === "switchover")).toBe(true);
    const set = out.results.checkers.set;
    expect(set.anomalies.filter((a) => a.kind === "lost-add")).toEqual([]);
    expect(set.valid).toBe(true);
    expect(out.history.filter((o) => o.f === "add" && o.type === "ok").length).toBeGreaterThan(500);
  }, 240_000);
});

describe("patroni run killed with SIGKILL", () => {
  it("leaves namespaces and servers that undoing its own slot's journal removes", async () => {
    const slot = 48;
    const resultsDir = tmp("fl-patroni-kill-");
    const cli = new URL("../../src/cli/main.ts", import.meta.url).pathname;
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        cli,
        "run",
        "--target",
        "patroni",
        "--workload",
        "set",
        "--nemesis",
        "partition,pause",
        "--nemesis-interval",
        "1",
        "--time-limit",
        "120",
        "--results",
        resultsDir,
        "--opt",
        `slot=${slot}`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stderr!.resume();
    child.stdout!.resume();
    expect(
      await eventually(
        () => {
          const h = historyOf(resultsDir);
          return !!h && (readFileSync(h, "utf8").match(/"type":"ok"/g) ?? []).length > 20;
        },
        90_000,
        200,
      ),
    ).toBe(true);
    await sleep(1500); // faults in flight
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const left = leftovers(slot, resultsDir);
    expect(left.some((l) => l.startsWith("netns"))).toBe(true);
    expect(left.some((l) => l.includes("patroni"))).toBe(true);
    expect(left.some((l) => l.includes("postgres") && l.includes("-D"))).toBe(true); // the detached postmasters
    const { errors } = Journal.open(slot).undoAll();
    expect(errors).toEqual([]);
    expect(await eventually(() => leftovers(slot, resultsDir).length === 0, 10_000)).toBe(true);
  }, 180_000);
});
