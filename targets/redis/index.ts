// The `redis` target: a Redis primary (n1 at start), replicas on the other nodes, and one Sentinel per node
// (majority quorum) that fails over when the primary is unreachable; clients follow the Sentinels.
// Faults come from the lab runtime (labFaults): kill and pause act on a node's server and Sentinel together,
// like a host crash; clock skew through the runtime's clock shim (libfaketime hangs Debian's redis-server).
import { option } from "../../src/target/options.ts";
import { labTarget } from "../../src/target/lab-target.ts";
import { READ_ROUTES, RedisClient, type Topology } from "./client.ts";
import { quorum, REDIS_BINARY, RedisCluster } from "./cluster.ts";

const moreThanReplicas = (what: string, n: number, nodes: number) =>
  n > nodes - 1 ? `${what}=${n} asks for more replicas than the ${nodes - 1} there are` : undefined;

export const redisTarget = labTarget({
  name: "redis",
  workloads: ["register", "session", "set", "set-full", "counter"],
  runtimes: ["netns", "docker", "ssh"],
  nodes: { min: 1, max: 9, why: "a primary, replicas, a Sentinel on each" },
  options: {
    read: option.choice(READ_ROUTES, "primary", "where reads go (see client.ts)"),
    wait: option.integer({ min: 0, default: 0 }, "WAIT for this many replicas after each write (0: none)"),
    "wait-timeout": option.integer({ min: 1, default: 100, unit: "ms" }, "WAIT's timeout"),
    "min-replicas": option.integer({ min: 0, default: 0 }, "min-replicas-to-write on every server (0: off)"),
    "max-lag": option.integer({ min: 1, default: 10, unit: "s" }, "min-replicas-max-lag"),
    "down-after": option.integer({ min: 100, default: 1000, unit: "ms" }, "Sentinel down-after-milliseconds"),
    "failover-timeout": option.integer({ min: 100, default: 3000, unit: "ms" }, "Sentinel failover-timeout"),
    timeout: option.integer({ min: 1, default: 5000, unit: "ms" }, "a command's own timeout"),
  },
  check: (v, nodes) =>
    moreThanReplicas("wait", v.wait, nodes) ?? moreThanReplicas("min-replicas", v["min-replicas"], nodes),
  settings: (v) => ({
    read: v.read,
    wait: v.wait,
    waitTimeoutMs: v["wait-timeout"],
    minReplicas: v["min-replicas"],
    maxLagS: v["max-lag"],
    downAfterMs: v["down-after"],
    failoverTimeoutMs: v["failover-timeout"],
    timeoutMs: v.timeout,
  }),
  needs: {
    packages: ["redis-server", "redis-sentinel"],
    services: ["redis-server", "redis-sentinel"],
    binaries: [
      { name: "redis-server", pkg: "redis-server" },
      { name: "redis-sentinel", pkg: "redis-sentinel" },
    ],
  },
  processes: ["redis", "sentinel"],
  cluster: (rt, nodes, s) => new RedisCluster(rt, nodes, s),
  start: (c) => c.start(),
  removeData: (c) => c.removeData(),
  async session({ rt, nodes, cluster: c, settings, startMs, faults }) {
    const version = await c.version();
    const topology: Topology = { nodes, primary: nodes[0].name };
    // Keep the roles current for read routing: ask the Sentinels a few times a second.
    let refreshing = true;
    let pause: { timer: NodeJS.Timeout; wake: () => void } | undefined;
    const refresh = async () => {
      while (refreshing) {
        const p = await c.primary(300).catch(() => undefined);
        if (p) topology.primary = p;
        if (refreshing)
          await new Promise<void>((wake) => {
            pause = { timer: setTimeout(wake, 250), wake };
          });
      }
    };
    const refresher = refresh();
    const clients = new Set<RedisClient>();
    return {
      topology,
      faults: faults({
        start: (n) => c.startNode(n),
        primary: () => c.primary(),
        clockUnsupported: c.clock ? undefined : rt.clockUnsupported(REDIS_BINARY),
      }),
      client(process: number, node: string) {
        const client = new RedisClient(topology, process, c.node(node), settings);
        clients.add(client);
        return client;
      },
      info: () => ({
        target: "redis",
        runtime: rt.name,
        slot: rt.slot,
        version,
        read: settings.read,
        wait: settings.wait,
        waitTimeoutMs: settings.waitTimeoutMs,
        minReplicasToWrite: settings.minReplicas,
        minReplicasMaxLagS: settings.maxLagS,
        sentinel: {
          quorum: quorum(nodes.length),
          downAfterMs: settings.downAfterMs,
          failoverTimeoutMs: settings.failoverTimeoutMs,
        },
        primaryAtStart: nodes[0].name,
        nodes: nodes.map((n) => ({ name: n.name, ip: n.ip, dir: n.dir })),
        clockSkew: c.clock ? "clock shim (LD_PRELOAD)" : "unsupported",
        startMs,
      }),
      close: async () => {
        refreshing = false;
        if (pause) {
          clearTimeout(pause.timer);
          pause.wake();
        }
        await refresher;
        for (const cl of clients) await cl.close();
        clients.clear();
      },
    };
  },
});

export type RedisSession = Awaited<ReturnType<typeof redisTarget.setup>>;
