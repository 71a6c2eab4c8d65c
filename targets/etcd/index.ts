// The `etcd` target: one etcd 3.4 member per lab node (3 or 5 members), clients over the v3 JSON gateway.
// Options (--opt key=value):
//   read      = linearizable | serializable   (default linearizable; serializable: a member answers reads from
//               its own state, fast and stale under a partition)
//   prevote   = true | false                  (raft pre-vote, default true as in etcd 3.5)
//   heartbeat = ms, election = ms             (raft timing, default 100 / 1000)
//   timeout   = ms                            (a request's own timeout, default 5000; the run's --op-timeout
//               usually ends it first, as info)
//   subnet = 198.18.x.0/24, slot = n (lab network), keep-data = true (keep data dirs after the run)
// Register and set ops map to single etcd requests (see client.ts); rw-register transactions to two Txns (txn.ts). The leader, asked of the members
// (endpoint status), is the "primary" the nemeses can isolate. Faults come from the lab runtime (labFaults),
// except clock skew: Go reads the clock through the vDSO, which no preload shim can shift, so the clock
// nemesis refuses at start.
import { UsageError } from "../../src/errors.ts";
import { labFaults, LabError, type LabNode, type Runtime } from "../../src/lab/runtime.ts";
import { createRuntime, setupFailed } from "../../src/lab/runtimes.ts";
import { realScheduler } from "../../src/run/scheduler.ts";
import type { Target, TargetOptions, TargetSession } from "../../src/run/types.ts";
import { EtcdClient, type EtcdRead } from "./client.ts";
import { ETCD_BINARY, EtcdCluster, type RaftSettings } from "./cluster.ts";

export interface EtcdSettings extends RaftSettings {
  read: EtcdRead;
  timeoutMs: number;
  subnet?: string;
  slot?: number;
  keepData: boolean;
}

const KNOWN = ["read", "prevote", "heartbeat", "election", "timeout", "subnet", "slot", "keep-data"];

const positiveMs = (o: Record<string, unknown>, k: string, dflt: number): number => {
  if (o[k] === undefined) return dflt;
  const v = Number(o[k]);
  if (!(Number.isFinite(v) && v > 0)) throw new UsageError(`etcd option ${k} must be a positive number of ms, got ${JSON.stringify(o[k])}`);
  return v;
};
const bool = (o: Record<string, unknown>, k: string, dflt: boolean): boolean => {
  const v = o[k];
  if (v === undefined) return dflt;
  if (v === true || v === "true") return true;
  if (v === false || v === "false") return false;
  throw new UsageError(`etcd option ${k} must be true or false, got ${JSON.stringify(v)}`);
};

/** Validates `--opt` settings for etcd; an error names the bad one and the choices. */
export function parseEtcdOptions(o: Record<string, unknown>): EtcdSettings {
  for (const k of Object.keys(o)) if (!KNOWN.includes(k)) throw new UsageError(`etcd has no option ${JSON.stringify(k)}; options: ${KNOWN.join(", ")}`);
  const read = (o.read ?? "linearizable") as EtcdRead;
  if (read !== "linearizable" && read !== "serializable") throw new UsageError(`etcd read must be linearizable or serializable, got ${JSON.stringify(o.read)}`);
  const heartbeatMs = positiveMs(o, "heartbeat", 100);
  const electionMs = positiveMs(o, "election", 1000);
  if (electionMs < 5 * heartbeatMs) throw new UsageError(`etcd election (${electionMs} ms) must be at least 5 × heartbeat (${heartbeatMs} ms)`);
  if (o.slot !== undefined && !(Number.isInteger(o.slot) && (o.slot as number) >= 0)) throw new UsageError(`etcd slot must be a non-negative integer, got ${JSON.stringify(o.slot)}`);
  return {
    read, heartbeatMs, electionMs, preVote: bool(o, "prevote", true), timeoutMs: positiveMs(o, "timeout", 5000),
    subnet: o.subnet as string | undefined, slot: o.slot as number | undefined, keepData: bool(o, "keep-data", false),
  };
}

export interface EtcdSession extends TargetSession {
  cluster: EtcdCluster;
  runtime: Runtime;
}

export const etcdTarget: Target = {
  options: KNOWN,
  name: "etcd",
  workloads: ["register", "session", "set", "set-full", "rw-register"],
  runtimes: ["netns", "docker", "ssh"],
  async setup(o: TargetOptions): Promise<EtcdSession> {
    const settings = parseEtcdOptions(o.options);
    if (!(o.nodes >= 1 && o.nodes <= 9)) throw new UsageError(`etcd runs 1 to 9 members (3 or 5 are usual), got --nodes ${o.nodes}`);
    const rt = createRuntime(o.runtime, { subnet: settings.subnet, slot: settings.slot, options: o.runtimeOptions });
    let cluster: EtcdCluster | undefined;
    try {
      const t0 = performance.now();
      const nodes = await rt.createNodes(o.nodes, o.dir);
      cluster = new EtcdCluster(rt, nodes, settings, `faultline-${rt.slot}-${Date.now()}`);
      await cluster.start();
      const startMs = performance.now() - t0;
      const version = await cluster.version();
      const c = cluster;
      const clients = new Set<EtcdClient>();
      const session: EtcdSession = {
        nodes: nodes.map((n) => n.name),
        scheduler: realScheduler,
        cluster: c,
        runtime: rt,
        faults: labFaults(rt, nodes, {
          start: (n: LabNode) => c.startNode(n),
          processes: () => ["etcd"],
          primary: () => c.leader(),
          clockUnsupported: rt.clockUnsupported(ETCD_BINARY),
        }),
        client(_process, node) {
          const client = new EtcdClient(c.gateway(c.node(node), settings.timeoutMs), settings.read);
          clients.add(client);
          return client;
        },
        info: () => ({
          target: "etcd", runtime: rt.name, slot: rt.slot, version, read: settings.read,
          raft: { heartbeatMs: settings.heartbeatMs, electionMs: settings.electionMs, preVote: settings.preVote },
          nodes: nodes.map((n) => ({ name: n.name, ip: n.ip, dir: n.dir })),
          clockSkew: rt.clockUnsupported(ETCD_BINARY) ? "unsupported (Go reads the clock through the vDSO)" : "real clock (date -s)", startMs: Math.round(startMs),
        }),
        teardown: async () => {
          for (const cl of clients) await cl.close();
          clients.clear();
          // No graceful stop: a member stopping gracefully while its peers stop too waits for a leadership
          // transfer. destroy() kills every process, then removes the nodes.
          try { await rt.destroy(); } finally { if (!settings.keepData) c.removeData(); }
        },
      };
      return session;
    } catch (e) {
      return setupFailed("etcd", rt, cluster && !settings.keepData ? () => cluster!.removeData() : undefined, e);
    }
  },
};
