// The patroni target without servers: options, Patroni's configuration, who a client writes to (stay / majority),
// which nodes a partition cuts off, the switchover and dcs nemeses, and the suite's seeded partition lengths.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { cutOff, patroniTarget } from "../../targets/patroni/index.ts";
import { ClientView } from "../../targets/patroni/client.ts";
import { PatroniCluster, type Claim } from "../../targets/patroni/cluster.ts";
import { switchoverNemesis } from "../../nemeses/switchover.ts";
import { dcsNemesis } from "../../nemeses/dcs.ts";
import { selectNodes } from "../../nemeses/types.ts";
import { rng } from "../../src/run/rng.ts";
import { readSuite } from "../../src/suite/parse.ts";
import type { Runtime } from "../../src/lab/runtime.ts";

const nodes = ["n1", "n2", "n3"];

describe("patroni options", () => {
  it("defaults to asynchronous replication with the measured timing", () => {
    expect(patroniTarget.parse({})).toMatchObject({
      synchronousMode: "off",
      synchronousCommit: "on",
      maximumLagOnFailover: 1_048_576,
      failsafeMode: false,
      ttl: 10,
      loopWait: 2,
      retryTimeout: 5,
      usePgRewind: true,
      client: "stay",
      process: "both",
    });
  });
  it("reads every HA setting", () => {
    expect(
      patroniTarget.parse({
        synchronous_mode: "strict",
        synchronous_commit: "remote_apply",
        maximum_lag_on_failover: "0",
        failsafe_mode: "true",
        ttl: 30,
        loop_wait: 10,
        retry_timeout: 10,
        use_pg_rewind: false,
        client: "majority",
        process: "postgres",
      }),
    ).toMatchObject({
      synchronousMode: "strict",
      synchronousCommit: "remote_apply",
      maximumLagOnFailover: 0,
      failsafeMode: true,
      ttl: 30,
      loopWait: 10,
      retryTimeout: 10,
      usePgRewind: false,
      client: "majority",
      process: "postgres",
    });
    expect(patroniTarget.parse({ synchronous_mode: true }).synchronousMode).toBe("on"); // YAML's `on` is true
  });
  it("rejects unknown options and bad values, naming the choices", () => {
    expect(() => patroniTarget.parse({ sync: "on" })).toThrow(/no option "sync"; options: synchronous_mode/);
    expect(() => patroniTarget.parse({ synchronous_mode: "maybe" })).toThrow(/off, on, strict/);
    expect(() => patroniTarget.parse({ client: "anywhere" })).toThrow(/stay, majority/);
    expect(() => patroniTarget.parse({ ttl: 2, loop_wait: 2 })).toThrow(/loop_wait < ttl/);
    expect(() => patroniTarget.parse({ ttl: -1 })).toThrow(/ttl must be an integer/);
  });
});

describe("patroni configuration", () => {
  const rt = {
    name: "netns",
    slot: 3,
    subnets: ["198.18.3.0/24"],
    clockUnsupported: () => "no",
    files: undefined,
  } as unknown as Runtime;
  const labNodes = nodes.map((name, i) => ({ name, ip: `198.18.3.${11 + i}`, dir: `/tmp/x/${name}` }));
  it("puts the HA settings in the bootstrap DCS configuration, the local etcd member first, pg_hba for Patroni's local replication", () => {
    const c = new PatroniCluster(
      rt,
      labNodes,
      patroniTarget.parse({ synchronous_mode: "strict", failsafe_mode: true }),
    );
    const conf = c.config(labNodes[1]) as any;
    expect(conf.name).toBe("n2");
    expect(conf.etcd3.hosts).toEqual(["198.18.3.12:2379"]);
    expect(conf.restapi.listen).toBe("198.18.3.12:8008");
    expect(conf.bootstrap.dcs).toMatchObject({
      ttl: 10,
      loop_wait: 2,
      retry_timeout: 5,
      synchronous_mode: true,
      synchronous_mode_strict: true,
      failsafe_mode: true,
      postgresql: { use_pg_rewind: true },
    });
    expect(conf.postgresql.pg_hba).toEqual(
      expect.arrayContaining([
        "local replication all trust",
        "host replication all 127.0.0.1/32 trust",
        "host all all 198.18.3.0/24 trust",
      ]),
    );
    expect(conf.postgresql.parameters.unix_socket_directories).not.toBe(
      c.config(labNodes[0]) && (c.config(labNodes[0]) as any).postgresql.parameters.unix_socket_directories,
    );
  });
});

describe("where a client writes", () => {
  const view = (stance: "stay" | "majority", claims: Claim[]) => {
    const cluster = { claims, nodes: [], node: (n: string) => ({ name: n }) };
    return new ClientView(cluster as unknown as PatroniCluster, stance);
  };
  it("stay: keeps the primary in use while it still claims to be primary, even when a newer one exists", () => {
    const v = view("stay", [{ node: "n1", timeline: 1 }]);
    expect(v.pick(undefined)).toBe("n1");
    (v.cluster as { claims: Claim[] }).claims = [
      { node: "n2", timeline: 2 },
      { node: "n1", timeline: 1 },
    ];
    v.cutOff(new Set(["n1"]));
    expect(v.pick("n1")).toBe("n1");
    expect(v.pick(undefined)).toBe("n1"); // a new connection goes where the clients already were
    (v.cluster as { claims: Claim[] }).claims = [{ node: "n2", timeline: 2 }];
    expect(v.pick("n1")).toBe("n2"); // demoted: follow the new leader
  });
  it("majority: never writes to a node cut off from the majority; takes the newest timeline", () => {
    const v = view("majority", [
      { node: "n2", timeline: 2 },
      { node: "n1", timeline: 1 },
    ]);
    v.cutOff(new Set(["n1"]));
    expect(v.pick("n1")).toBe("n2");
    v.cutOff(new Set(["n1", "n2"]));
    expect(v.pick("n2")).toBeUndefined();
  });
  it("a node is cut off when it cannot exchange packets with a majority", () => {
    const iso = new Set(["n1>n2", "n2>n1", "n1>n3", "n3>n1"]);
    expect(cutOff(nodes, iso)).toEqual(new Set(["n1"]));
    expect(cutOff(nodes, new Set(["n1>n2"]))).toEqual(new Set());
    expect(cutOff(nodes, new Set(["n1>n2", "n2>n3"]))).toEqual(new Set(["n2"]));
  });
});

describe("HA nemeses", () => {
  it("switchover hands the leader to a seeded replica and records both", async () => {
    const calls: (string | undefined)[] = [];
    const faults = {
      primary: async () => "n2",
      switchover: async (to?: string) => {
        calls.push(to);
        return { from: "n2", to: to! };
      },
    };
    const got = await switchoverNemesis.inject({ faults, nodes, rng: rng("1", "nemesis") });
    expect(["n1", "n3"]).toContain(calls[0]);
    expect(got).toEqual({ nodes: ["n2", calls[0]], value: { from: "n2", to: calls[0] } });
  });
  it("dcs cuts the primary's agent from etcd and restores it on heal", async () => {
    const log: string[] = [];
    const faults = {
      primary: async () => "n3",
      dcs: async (n: string, ok: boolean) => {
        log.push(`${n}:${ok}`);
      },
    };
    const ctx = { faults, nodes, rng: rng("1", "nemesis"), spec: "primary" as const };
    const inj = await dcsNemesis.inject(ctx);
    await dcsNemesis.heal(ctx, inj);
    expect(log).toEqual(["n3:false", "n3:true"]);
  });
});

const suiteCases = (
  await Promise.all(
    ["postgres-patroni", "patroni-known-failures"].map((f) =>
      readSuite(join(import.meta.dirname, `../../suites/${f}.yaml`)),
    ),
  )
).flatMap((s) => s.cases);

describe("suites/postgres-patroni.yaml and patroni-known-failures.yaml", () => {
  const cases = suiteCases;
  // The runner's nemesis loop for one nemesis: sleep, pick, select nodes, sleep (the fault's length), heal.
  const firstFault = async (seed: string, interval: number) => {
    const r = rng(seed, "nemesis");
    const start = interval * (0.5 + r.next());
    r.pick(["partition"]);
    await selectNodes({ faults: { primary: async () => "n1" }, nodes, rng: r, spec: "primary" }, ["primary"]);
    const length = interval * (0.5 + r.next());
    const next = start + length + interval * (0.5 + r.next());
    return { start, length, next };
  };
  it("isolates the leader once, for the lengths its comments state", async () => {
    const lengths: Record<string, number> = {};
    for (const c of cases) {
      expect(c.config).toMatchObject({
        target: "patroni",
        workload: "set",
        nemesis: ["partition"],
        nemesisTarget: "primary",
        seed: "4",
      });
      const f = await firstFault(c.config.seed, c.config.nemesisInterval);
      expect(f.start + f.length).toBeLessThanOrEqual(c.config.timeLimit); // healed by the schedule, before the time limit
      expect(f.next).toBeGreaterThan(c.config.timeLimit); // and no second fault
      lengths[c.name] = Math.round(f.length * 10) / 10;
    }
    expect(lengths).toEqual({
      "async-failover-loses-writes": 19.8,
      "sync-long-partition-loses-none": 59.5,
      "sync-short-partition-leader-key-bug": 11.5,
    });
  });
});
