// The `patroni` target: PostgreSQL high availability as teams run it — on every lab node one etcd member, one
// Patroni and the PostgreSQL 15 it manages (netns runtime). Options (--opt key=value):
//   synchronous_mode        = off | on | strict     (default off: asynchronous replication)
//   synchronous_commit      = on | remote_write | remote_apply | local | off   (default on)
//   maximum_lag_on_failover = bytes                 (default 1048576: a replica further behind is not promoted)
//   failsafe_mode           = true | false          (default false: a leader that loses etcd demotes)
//   ttl, loop_wait, retry_timeout = seconds         (default 10, 2, 5, as measured by hand here)
//   use_pg_rewind           = true | false          (default true: a former leader rejoins by rewinding)
//   client                  = stay | majority       (default stay; see client.ts: where the application stands
//                             during a partition — with the old primary, or with the majority)
//   process                 = both | postgres | patroni   (what kill and pause hit: default both)
//   timeout = ms (an op's own timeout), subnet, slot, keep-data
// The leader (asked of Patroni's REST API) is the "primary" the nemeses isolate; every change of the nodes
// claiming primary is recorded in the history as a nemesis-process `leader` op and in run.json's leaders.
import { UsageError } from "../../src/errors.ts";
import { labFaults, type LabNode, type Runtime } from "../../src/lab/runtime.ts";
import { createRuntime, setupFailed } from "../../src/lab/runtimes.ts";
import { realScheduler } from "../../src/run/scheduler.ts";
import type { FaultControl, Target, TargetOptions, TargetSession } from "../../src/run/types.ts";
import { PatroniCluster, type HaSettings, type LeaderEra, type SynchronousMode } from "./cluster.ts";
import { CLIENT_STANCES, ClientView, PatroniClient, type ClientStance } from "./client.ts";

export type FaultProcess = "both" | "postgres" | "patroni";

export interface PatroniSettings extends HaSettings {
  client: ClientStance;
  process: FaultProcess;
  opTimeoutMs: number;
  subnet?: string;
  slot?: number;
  keepData: boolean;
}

const KNOWN = ["synchronous_mode", "synchronous_commit", "maximum_lag_on_failover", "failsafe_mode", "ttl", "loop_wait", "retry_timeout",
  "use_pg_rewind", "client", "process", "timeout", "subnet", "slot", "keep-data"];
const COMMITS = ["on", "remote_write", "remote_apply", "local", "off"];

const bool = (o: Record<string, unknown>, k: string, dflt: boolean): boolean => {
  const v = o[k];
  if (v === undefined) return dflt;
  if (v === true || v === "true" || v === "on") return true;
  if (v === false || v === "false" || v === "off") return false;
  throw new UsageError(`patroni option ${k} must be true or false, got ${JSON.stringify(v)}`);
};
const num = (o: Record<string, unknown>, k: string, dflt: number, min: number): number => {
  if (o[k] === undefined) return dflt;
  const v = Number(o[k]);
  if (!(Number.isInteger(v) && v >= min)) throw new UsageError(`patroni option ${k} must be an integer ≥ ${min}, got ${JSON.stringify(o[k])}`);
  return v;
};
const oneOf = <T extends string>(o: Record<string, unknown>, k: string, choices: readonly T[], dflt: T): T => {
  const v = o[k] === undefined ? dflt : o[k] === true ? "on" : o[k] === false ? "off" : String(o[k]);
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`patroni option ${k} must be one of ${choices.join(", ")}, got ${JSON.stringify(o[k])}`);
  return v as T;
};

/** Validates `--opt` settings for patroni; an error names the bad one and the choices. */
export function parsePatroniOptions(o: Record<string, unknown>): PatroniSettings {
  for (const k of Object.keys(o)) if (!KNOWN.includes(k)) throw new UsageError(`patroni has no option ${JSON.stringify(k)}; options: ${KNOWN.join(", ")}`);
  const ttl = num(o, "ttl", 10, 1), loopWait = num(o, "loop_wait", 2, 1), retryTimeout = num(o, "retry_timeout", 5, 1);
  if (loopWait >= ttl) throw new UsageError(`patroni needs loop_wait < ttl, got loop_wait ${loopWait}, ttl ${ttl}`);
  if (o.slot !== undefined && !(Number.isInteger(o.slot) && (o.slot as number) >= 0)) throw new UsageError(`patroni slot must be a non-negative integer, got ${JSON.stringify(o.slot)}`);
  return {
    synchronousMode: oneOf<SynchronousMode>(o, "synchronous_mode", ["off", "on", "strict"], "off"),
    synchronousCommit: oneOf(o, "synchronous_commit", COMMITS, "on"),
    maximumLagOnFailover: num(o, "maximum_lag_on_failover", 1_048_576, 0),
    failsafeMode: bool(o, "failsafe_mode", false),
    ttl, loopWait, retryTimeout,
    usePgRewind: bool(o, "use_pg_rewind", true),
    client: oneOf(o, "client", CLIENT_STANCES, "stay"),
    process: oneOf<FaultProcess>(o, "process", ["both", "postgres", "patroni"], "both"),
    opTimeoutMs: num(o, "timeout", 5000, 1),
    subnet: o.subnet as string | undefined, slot: o.slot as number | undefined, keepData: bool(o, "keep-data", false),
  };
}

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
function patroniFaults(rt: Runtime, c: PatroniCluster, s: PatroniSettings, view: ClientView): FaultControl {
  const node = (name: string): LabNode => c.node(name);
  const base = labFaults(rt, c.nodes, { start: (n) => c.startPatroni(n), processes: () => ["patroni"], primary: () => c.leader(), clockUnsupported: "clock skew is not wired for the patroni target (Patroni, etcd and PostgreSQL would each need it)" });
  const patroni = s.process !== "postgres", postgres = s.process !== "patroni";
  const blocked = new Set<string>();
  const running = (n: string) => rt.processes(n).some((p) => p.name === "patroni" && p.running);
  return {
    ...base,
    block: async (links) => {
      for (const [a, b] of links) blocked.add(`${a}>${b}`);
      await rt.block(links);
      view.cutOff(cutOff(c.nodes.map((n) => n.name), blocked));
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
    restart: async (n) => { if (!running(n)) await c.startPatroni(node(n)); },
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

export interface PatroniSession extends TargetSession {
  cluster: PatroniCluster;
  runtime: Runtime;
  view: ClientView;
}

export const patroniTarget: Target = {
  name: "patroni",
  workloads: ["register", "session", "set"],
  runtimes: ["netns"],
  options: KNOWN,
  async setup(o: TargetOptions): Promise<PatroniSession> {
    const s = parsePatroniOptions(o.options);
    if (!(o.nodes >= 2 && o.nodes <= 7)) throw new UsageError(`patroni runs 2 to 7 nodes (3 is usual), got --nodes ${o.nodes}`);
    const rt = createRuntime(o.runtime, { subnet: s.subnet, slot: s.slot, options: o.runtimeOptions });
    let cluster: PatroniCluster | undefined;
    try {
      const t0 = performance.now();
      const nodes = await rt.createNodes(o.nodes, o.dir);
      cluster = new PatroniCluster(rt, nodes, s);
      await cluster.start();
      const c = cluster;
      const leader = c.node(c.claims[0].node);
      await c.pg.query(leader, "create table if not exists kv (k text primary key, v jsonb)");
      const startMs = performance.now() - t0;
      const versions = await c.versions();
      const view = new ClientView(c, s.client);
      // Stopped before teardown, so nothing is recorded once the runner closes the history.
      c.watch(() => undefined);
      const session: PatroniSession = {
        nodes: nodes.map((n) => n.name),
        scheduler: realScheduler,
        cluster: c,
        runtime: rt,
        view,
        faults: patroniFaults(rt, c, s, view),
        client: (process) => new PatroniClient(view, process, s.opTimeoutMs),
        observe(record) {
          // Each leader era is a span on the report's timeline: `leader` when a new set of nodes claims primary, `heal-leader` when it ends.
          let open = false;
          const emit = (era: LeaderEra) => {
            if (open) record({ f: "heal-leader", value: { at: era.at } });
            open = era.leader !== undefined;
            const claimers = era.primaries.map((p) => p.node);
            if (open) record({ f: "leader", value: { nodes: claimers, leader: era.leader, timeline: era.timeline, primaries: era.primaries }, node: claimers.join(",") });
          };
          const last = c.eras.at(-1);
          if (last) emit(last);
          c.watch(emit);
        },
        // run.json's target facts: `leaders` is the live list of eras, so the run's final run.json holds them all.
        info: () => ({
          target: "patroni", runtime: rt.name, slot: rt.slot, versions,
          configuration: {
            synchronous_mode: s.synchronousMode, synchronous_commit: s.synchronousCommit, maximum_lag_on_failover: s.maximumLagOnFailover,
            failsafe_mode: s.failsafeMode, ttl: s.ttl, loop_wait: s.loopWait, retry_timeout: s.retryTimeout, use_pg_rewind: s.usePgRewind,
          },
          client: s.client, faultProcess: s.process,
          nodes: nodes.map((n) => ({ name: n.name, ip: n.ip, dir: n.dir })),
          startMs: Math.round(startMs), leaders: c.eras,
        }),
        teardown: async () => {
          c.stopWatching();
          for (const cl of [...view.clients]) await cl.close();
          try { await rt.destroy(); } finally { if (!s.keepData) c.removeData(); }
        },
      };
      return session;
    } catch (e) {
      cluster?.stopWatching();
      return setupFailed("patroni", rt, cluster && !s.keepData ? () => cluster!.removeData() : undefined, e);
    }
  },
};
