// The `etcd` target: one etcd 3.4 member per lab node (3 or 5 members), clients over the v3 JSON gateway.
// Register and set ops map to single etcd requests (see client.ts); rw-register transactions to two Txns
// (txn.ts). The leader, asked of the members (endpoint status), is the "primary" the nemeses can isolate.
// Faults come from the lab runtime (labFaults), except clock skew: Go reads the clock through the vDSO,
// which no preload shim can shift, so the clock nemesis refuses at start.
import { option } from "../../src/target/options.ts";
import { labTarget } from "../../src/target/lab-target.ts";
import { EtcdClient } from "./client.ts";
import { ETCD_BINARY, EtcdCluster } from "./cluster.ts";

export const etcdTarget = labTarget({
  name: "etcd",
  workloads: ["register", "session", "set", "set-full", "rw-register"],
  runtimes: ["netns", "docker", "ssh"],
  nodes: { min: 1, max: 9, why: "one etcd member each; 3 or 5 are usual" },
  options: {
    read: option.choice(
      ["linearizable", "serializable"],
      "linearizable",
      "serializable: a member answers reads from its own state, fast and stale under a partition",
    ),
    prevote: option.boolean(true, "raft pre-vote (etcd 3.5's default)"),
    heartbeat: option.ms(100, "raft heartbeat interval"),
    election: option.ms(1000, "raft election timeout (at least 5 × heartbeat)"),
    timeout: option.ms(5000, "a request's own timeout; the run's --op-timeout usually ends it first, as info"),
  },
  check: (v) =>
    v.election < 5 * v.heartbeat
      ? `election (${v.election} ms) must be at least 5 × heartbeat (${v.heartbeat} ms)`
      : undefined,
  settings: (v) => ({
    read: v.read,
    preVote: v.prevote,
    heartbeatMs: v.heartbeat,
    electionMs: v.election,
    timeoutMs: v.timeout,
  }),
  needs: {
    packages: ["etcd-server", "etcd-client"],
    services: ["etcd"],
    binaries: [
      { name: "etcd", pkg: "etcd-server" },
      { name: "etcdctl", pkg: "etcd-client" },
    ],
  },
  processes: ["etcd"],
  cluster: (rt, nodes, s) => new EtcdCluster(rt, nodes, s, `faultline-${rt.slot}-${Date.now()}`),
  start: (c) => c.start(),
  removeData: (c) => c.removeData(),
  async session({ rt, nodes, cluster: c, settings, startMs, faults }) {
    const version = await c.version();
    const clockUnsupported = rt.clockUnsupported(ETCD_BINARY);
    const clients = new Set<EtcdClient>();
    return {
      faults: faults({ start: (n) => c.startNode(n), primary: () => c.leader(), clockUnsupported }),
      client(_process: number, node: string) {
        const client = new EtcdClient(c.gateway(c.node(node), settings.timeoutMs), settings.read);
        clients.add(client);
        return client;
      },
      info: () => ({
        target: "etcd",
        runtime: rt.name,
        slot: rt.slot,
        version,
        read: settings.read,
        raft: { heartbeatMs: settings.heartbeatMs, electionMs: settings.electionMs, preVote: settings.preVote },
        nodes: nodes.map((n) => ({ name: n.name, ip: n.ip, dir: n.dir })),
        clockSkew: clockUnsupported ? "unsupported (Go reads the clock through the vDSO)" : "real clock (date -s)",
        startMs,
      }),
      // No graceful stop: a member stopping gracefully while its peers stop too waits for a leadership
      // transfer. The shared teardown kills every process, then removes the nodes.
      close: async () => {
        for (const cl of clients) await cl.close();
        clients.clear();
      },
    };
  },
});

export type EtcdSession = Awaited<ReturnType<typeof etcdTarget.setup>>;
