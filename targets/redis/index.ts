// The `redis` target: a Redis primary (n1 at start), replicas on the other nodes, and one Sentinel per node
// (majority quorum) that fails over when the primary is unreachable; clients follow the Sentinels.
// Options (--opt key=value):
//   read             = primary | replica | any   (default primary; see client.ts)
//   wait             = n      WAIT for n replicas after each write (default 0: none)
//   wait-timeout     = ms     WAIT's timeout (default 100)
//   min-replicas     = n      min-replicas-to-write on every server (default 0: off)
//   max-lag          = s      min-replicas-max-lag (default 10)
//   down-after       = ms     Sentinel down-after-milliseconds (default 1000)
//   failover-timeout = ms     Sentinel failover-timeout (default 3000)
//   timeout          = ms     a command's own timeout (default 5000)
//   subnet = 198.18.x.0/24, slot = n (lab network), keep-data = true (keep data dirs after the run)
// Faults come from the lab runtime (labFaults): kill and pause act on a node's server and Sentinel together,
// like a host crash; clock skew through the runtime's clock shim (libfaketime hangs Debian's redis-server).
import { UsageError } from "../../src/errors.ts";
import { labFaults, LabError, type LabNode, type Runtime } from "../../src/lab/runtime.ts";
import { createRuntime, setupFailed } from "../../src/lab/runtimes.ts";
import { realScheduler } from "../../src/run/scheduler.ts";
import type { Target, TargetOptions, TargetSession } from "../../src/run/types.ts";
import { READ_ROUTES, RedisClient, type ReadRoute, type Topology } from "./client.ts";
import { quorum, REDIS_BINARY, RedisCluster } from "./cluster.ts";

export interface RedisSettings {
  read: ReadRoute;
  wait: number;
  waitTimeoutMs: number;
  minReplicas: number;
  maxLagS: number;
  downAfterMs: number;
  failoverTimeoutMs: number;
  timeoutMs: number;
  subnet?: string;
  slot?: number;
  keepData: boolean;
}

const KNOWN = ["read", "wait", "wait-timeout", "min-replicas", "max-lag", "down-after", "failover-timeout", "timeout", "subnet", "slot", "keep-data"];

function int(o: Record<string, unknown>, k: string, dflt: number, min: number): number {
  if (o[k] === undefined) return dflt;
  const v = Number(o[k]);
  if (!(Number.isInteger(v) && v >= min)) throw new UsageError(`redis option ${k} must be an integer ≥ ${min}, got ${JSON.stringify(o[k])}`);
  return v;
}

/** Validates `--opt` settings for redis; an error names the bad one and the choices. */
export function parseRedisOptions(o: Record<string, unknown>, nodes = 3): RedisSettings {
  for (const k of Object.keys(o)) if (!KNOWN.includes(k)) throw new UsageError(`redis has no option ${JSON.stringify(k)}; options: ${KNOWN.join(", ")}`);
  const read = (o.read ?? "primary") as ReadRoute;
  if (!READ_ROUTES.includes(read)) throw new UsageError(`redis read must be one of ${READ_ROUTES.join(", ")}, got ${JSON.stringify(o.read)}`);
  const wait = int(o, "wait", 0, 0);
  if (wait > nodes - 1) throw new UsageError(`redis wait=${wait} asks for more replicas than the ${nodes - 1} there are`);
  const minReplicas = int(o, "min-replicas", 0, 0);
  if (minReplicas > nodes - 1) throw new UsageError(`redis min-replicas=${minReplicas} asks for more replicas than the ${nodes - 1} there are`);
  const keep = o["keep-data"];
  if (keep !== undefined && keep !== true && keep !== false && keep !== "true" && keep !== "false") throw new UsageError(`redis keep-data must be true or false, got ${JSON.stringify(keep)}`);
  if (o.slot !== undefined && !(Number.isInteger(o.slot) && (o.slot as number) >= 0)) throw new UsageError(`redis slot must be a non-negative integer, got ${JSON.stringify(o.slot)}`);
  return {
    read, wait, waitTimeoutMs: int(o, "wait-timeout", 100, 1), minReplicas, maxLagS: int(o, "max-lag", 10, 1),
    downAfterMs: int(o, "down-after", 1000, 100), failoverTimeoutMs: int(o, "failover-timeout", 3000, 100),
    timeoutMs: int(o, "timeout", 5000, 1), subnet: o.subnet as string | undefined, slot: o.slot as number | undefined,
    keepData: keep === true || keep === "true",
  };
}

export interface RedisSession extends TargetSession {
  cluster: RedisCluster;
  runtime: Runtime;
  topology: Topology;
}

export const redisTarget: Target = {
  options: KNOWN,
  name: "redis",
  workloads: ["register", "session", "set", "set-full", "counter"],
  runtimes: ["netns", "docker", "ssh"],
  async setup(o: TargetOptions): Promise<RedisSession> {
    if (!(o.nodes >= 1 && o.nodes <= 9)) throw new UsageError(`redis runs 1 to 9 nodes (a primary, replicas, a Sentinel on each), got --nodes ${o.nodes}`);
    const settings = parseRedisOptions(o.options, o.nodes);
    const rt = createRuntime(o.runtime, { subnet: settings.subnet, slot: settings.slot, options: o.runtimeOptions });
    let cluster: RedisCluster | undefined;
    try {
      const t0 = performance.now();
      const nodes = await rt.createNodes(o.nodes, o.dir);
      cluster = new RedisCluster(rt, nodes, settings);
      await cluster.start();
      const startMs = performance.now() - t0;
      const version = await cluster.version();
      const c = cluster;
      const topology: Topology = { nodes, primary: nodes[0].name };
      // Keep the roles current for read routing: ask the Sentinels a few times a second.
      let refreshing = true;
      let pause: { timer: NodeJS.Timeout; wake: () => void } | undefined;
      const refresh = async () => {
        while (refreshing) {
          const p = await c.primary(300).catch(() => undefined);
          if (p) topology.primary = p;
          if (refreshing) await new Promise<void>((wake) => { pause = { timer: setTimeout(wake, 250), wake }; });
        }
      };
      const refresher = refresh();
      const stopRefresh = async () => {
        refreshing = false;
        if (pause) { clearTimeout(pause.timer); pause.wake(); }
        await refresher;
      };
      const clients = new Set<RedisClient>();
      const session: RedisSession = {
        nodes: nodes.map((n) => n.name),
        scheduler: realScheduler,
        cluster: c,
        runtime: rt,
        topology,
        faults: labFaults(rt, nodes, {
          start: (n: LabNode) => c.startNode(n),
          processes: () => ["redis", "sentinel"],
          primary: () => c.primary(),
          clockUnsupported: c.clock ? undefined : rt.clockUnsupported(REDIS_BINARY),
        }),
        client(process, node) {
          const client = new RedisClient(topology, process, c.node(node), settings);
          clients.add(client);
          return client;
        },
        info: () => ({
          target: "redis", runtime: rt.name, slot: rt.slot, version, read: settings.read, wait: settings.wait,
          waitTimeoutMs: settings.waitTimeoutMs, minReplicasToWrite: settings.minReplicas, minReplicasMaxLagS: settings.maxLagS,
          sentinel: { quorum: quorum(nodes.length), downAfterMs: settings.downAfterMs, failoverTimeoutMs: settings.failoverTimeoutMs },
          primaryAtStart: nodes[0].name,
          nodes: nodes.map((n) => ({ name: n.name, ip: n.ip, dir: n.dir })),
          clockSkew: c.clock ? "clock shim (LD_PRELOAD)" : "unsupported", startMs: Math.round(startMs),
        }),
        teardown: async () => {
          await stopRefresh();
          for (const cl of clients) await cl.close();
          clients.clear();
          try { await rt.destroy(); } finally { if (!settings.keepData) c.removeData(); }
        },
      };
      return session;
    } catch (e) {
      return setupFailed("redis", rt, cluster && !settings.keepData ? () => cluster!.removeData() : undefined, e);
    }
  },
};
