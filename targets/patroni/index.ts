// The `patroni` target: PostgreSQL high availability as teams run it — on every lab node one etcd member, one
// Patroni and the PostgreSQL 15 it manages (netns runtime). The HA options are Patroni's own dynamic
// configuration (defaults for ttl, loop_wait, retry_timeout as measured by hand here). `client` is where the
// application stands during a partition (see client.ts); `process` what kill and pause hit.
// The leader (asked of Patroni's REST API) is the "primary" the nemeses isolate; every change of the nodes
// claiming primary is recorded in the history as a nemesis-process `leader` op and in run.json's leaders.
import { type LabNode, type Runtime } from "../../src/lab/runtime.ts";
import { labTarget } from "../../src/target/lab-target.ts";
import { mergeNeeds } from "../../src/target/needs.ts";
import { option } from "../../src/target/options.ts";
import type { FaultControl } from "../../src/run/types.ts";
import { etcdTarget } from "../etcd/index.ts";
import { postgresTarget } from "../postgres/index.ts";
import { PatroniCluster, type LeaderEra } from "./cluster.ts";
import { CLIENT_STANCES, ClientView, PatroniClient } from "./client.ts";

/** What kill and pause hit on a node. */
export const FAULT_PROCESSES = ["both", "postgres", "patroni"] as const;
export type FaultProcess = (typeof FAULT_PROCESSES)[number];

/** Nodes cut off from most of their peers by a set of one-way blocks (unreachable to a client with the majority). */
export function cutOff(nodes: string[], blocked: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const a of nodes) {
    const hears = nodes.filter((b) => b === a || (!blocked.has(`${a}>${b}`) && !blocked.has(`${b}>${a}`))).length;
    if (hears < Math.floor(nodes.length / 2) + 1) out.add(a);
  }
  return out;
}

/** kill / restart / pause / resume on the chosen processes, and the Patroni-specific faults. */
function patroniFaults(
  rt: Runtime,
  c: PatroniCluster,
  process: FaultProcess,
  view: ClientView,
  base: FaultControl,
): FaultControl {
  const node = (name: string): LabNode => c.node(name);
  const patroni = process !== "postgres",
    postgres = process !== "patroni";
  const blocked = new Set<string>();
  const running = (n: string) => rt.processes(n).some((p) => p.name === "patroni" && p.running);
  return {
    ...base,
    block: async (links) => {
      for (const [a, b] of links) blocked.add(`${a}>${b}`);
      await rt.block(links);
      view.cutOff(
        cutOff(
          c.nodes.map((n) => n.name),
          blocked,
        ),
      );
    },
    healNetwork: async () => {
      blocked.clear();
      await rt.heal();
      view.cutOff(new Set());
    },
    kill: async (n) => {
      if (patroni) await rt.signal(n, "patroni", "SIGKILL");
      if (postgres) await c.killPostgres(node(n));
    },
    // PostgreSQL killed alone is Patroni's to restart; a killed Patroni is started again (it adopts a running PostgreSQL).
    restart: async (n) => {
      if (!running(n)) await c.startPatroni(node(n));
    },
    pause: async (n) => {
      if (patroni) await rt.signal(n, "patroni", "SIGSTOP");
      if (postgres) await c.pausePostgres(node(n));
    },
    resume: async (n) => {
      if (postgres) await c.resumePostgres(node(n));
      if (patroni) await rt.signal(n, "patroni", "SIGCONT");
    },
    dcs: (n, reachable) => c.dcs(node(n), reachable),
    switchover: (candidate) => c.switchover(candidate),
  };
}

export const patroniTarget = labTarget({
  name: "patroni",
  workloads: ["register", "session", "set"],
  runtimes: ["netns"],
  nodes: { min: 2, max: 7, why: "3 is usual" },
  options: {
    synchronous_mode: option.choice(["off", "on", "strict"], "off", "off: asynchronous replication"),
    synchronous_commit: option.choice(
      ["on", "remote_write", "remote_apply", "local", "off"],
      "on",
      "PostgreSQL's synchronous_commit",
    ),
    maximum_lag_on_failover: option.integer(
      { min: 0, default: 1_048_576, unit: "bytes" },
      "a replica further behind is not promoted",
    ),
    failsafe_mode: option.boolean(false, "false: a leader that loses etcd demotes"),
    ttl: option.integer({ min: 1, default: 10, unit: "s" }, "the leader key's time to live"),
    loop_wait: option.integer({ min: 1, default: 2, unit: "s" }, "Patroni's loop interval (less than ttl)"),
    retry_timeout: option.integer({ min: 1, default: 5, unit: "s" }, "etcd and PostgreSQL retry timeout"),
    use_pg_rewind: option.boolean(true, "a former leader rejoins by rewinding"),
    client: option.choice(
      CLIENT_STANCES,
      "stay",
      "where the application stands during a partition: with the old primary, or with the majority",
    ),
    process: option.choice(FAULT_PROCESSES, "both", "what kill and pause hit"),
    timeout: option.integer({ min: 1, default: 5000, unit: "ms" }, "an op's own timeout"),
  },
  check: (v) =>
    v.loop_wait >= v.ttl ? `needs loop_wait < ttl, got loop_wait ${v.loop_wait}, ttl ${v.ttl}` : undefined,
  settings: (v) => ({
    synchronousMode: v.synchronous_mode,
    synchronousCommit: v.synchronous_commit,
    maximumLagOnFailover: v.maximum_lag_on_failover,
    failsafeMode: v.failsafe_mode,
    ttl: v.ttl,
    loopWait: v.loop_wait,
    retryTimeout: v.retry_timeout,
    usePgRewind: v.use_pg_rewind,
    client: v.client,
    process: v.process,
    opTimeoutMs: v.timeout,
  }),
  // Patroni runs PostgreSQL and an etcd member on every node: their needs are its needs.
  needs: mergeNeeds([
    postgresTarget.needs,
    etcdTarget.needs,
    {
      packages: ["patroni"],
      services: ["patroni"],
      binaries: [
        { name: "patroni", pkg: "patroni" },
        { name: "patronictl", pkg: "patroni" },
      ],
    },
  ]),
  processes: ["patroni"],
  cluster: (rt, nodes, s) => new PatroniCluster(rt, nodes, s),
  async start(c) {
    await c.start();
    await c.pg.query(c.node(c.claims[0].node), "create table if not exists kv (k text primary key, v jsonb)");
  },
  removeData: (c) => c.removeData(),
  abandon: (c) => c.stopWatching(),
  async session({ rt, nodes, cluster: c, settings: s, startMs, faults }) {
    const versions = await c.versions();
    const view = new ClientView(c, s.client);
    // Stopped before teardown, so nothing is recorded once the runner closes the history.
    c.watch(() => undefined);
    const base = faults({
      start: (n) => c.startPatroni(n),
      primary: () => c.leader(),
      clockUnsupported:
        "clock skew is not wired for the patroni target (Patroni, etcd and PostgreSQL would each need it)",
    });
    return {
      view,
      faults: patroniFaults(rt, c, s.process, view, base),
      client: (process: number) => new PatroniClient(view, process, s.opTimeoutMs),
      observe(record: (e: { f: string; value: unknown; node?: string }) => void) {
        // Each leader era is a span on the report's timeline: `leader` when a new set of nodes claims primary, `heal-leader` when it ends.
        let open = false;
        const emit = (era: LeaderEra) => {
          if (open) record({ f: "heal-leader", value: { at: era.at } });
          open = era.leader !== undefined;
          const claimers = era.primaries.map((p) => p.node);
          if (open)
            record({
              f: "leader",
              value: { nodes: claimers, leader: era.leader, timeline: era.timeline, primaries: era.primaries },
              node: claimers.join(","),
            });
        };
        const last = c.eras.at(-1);
        if (last) emit(last);
        c.watch(emit);
      },
      // run.json's target facts: `leaders` is the live list of eras, so the run's final run.json holds them all.
      info: () => ({
        target: "patroni",
        runtime: rt.name,
        slot: rt.slot,
        versions,
        configuration: {
          synchronous_mode: s.synchronousMode,
          synchronous_commit: s.synchronousCommit,
          maximum_lag_on_failover: s.maximumLagOnFailover,
          failsafe_mode: s.failsafeMode,
          ttl: s.ttl,
          loop_wait: s.loopWait,
          retry_timeout: s.retryTimeout,
          use_pg_rewind: s.usePgRewind,
        },
        client: s.client,
        faultProcess: s.process,
        nodes: nodes.map((n) => ({ name: n.name, ip: n.ip, dir: n.dir })),
        startMs,
        leaders: c.eras,
      }),
      close: async () => {
        c.stopWatching();
        for (const cl of [...view.clients]) await cl.close();
      },
    };
  },
});

export type PatroniSession = Awaited<ReturnType<typeof patroniTarget.setup>>;
