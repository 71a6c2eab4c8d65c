// The `etcd` target: one etcd 3.4 member per lab node (3 or 5 members), clients over the v3 JSON gateway.
// Register and set ops map to single etcd requests (see client.ts); `--opt read=serializable` lets a member
// answer reads from its own state (fast, and stale under a partition). The leader, asked of the members
// (endpoint status), is the "primary" the nemeses can isolate. Clock skew cannot reach etcd on one kernel
// (Go reads the clock through the vDSO), so the clock nemesis refuses at start.
import { rmSync } from "node:fs";
import { labFaults, LabError, type LabNode, type Runtime } from "../../src/lab/runtime.ts";
import { realScheduler } from "../../src/run/scheduler.ts";
import type { Target, TargetOptions, TargetSession } from "../../src/run/types.ts";
import { EtcdClient } from "./client.ts";
import { clientUrl, dataDir, etcdArgv, logFile, parseEtcdOptions, type EtcdSettings } from "./config.ts";
import { EtcdGateway } from "./gateway.ts";
import { labRuntime, lastLines, TargetUsageError, waitFor } from "./lab.ts";

export const ETCD_BINARY = "/usr/bin/etcd";
const PROCESS = "etcd";

/** A running etcd cluster on lab nodes. */
export class EtcdCluster {
  private ids = new Map<string, string>();   // member id → node name
  private readonly token: string;

  constructor(readonly rt: Runtime, readonly nodes: LabNode[], readonly settings: EtcdSettings, token = "faultline") {
    this.token = token;
  }

  gateway(node: LabNode, timeoutMs?: number): EtcdGateway {
    return new EtcdGateway(clientUrl(node), { timeoutMs });
  }

  node(name: string): LabNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new LabError(`no etcd node ${name}`);
    return n;
  }

  /** Starts (or restarts, keeping its data) the member on `node`. */
  async startMember(node: LabNode): Promise<void> {
    await this.rt.spawn(node.name, PROCESS, etcdArgv(node, this.nodes, this.settings, this.token, ETCD_BINARY), { log: logFile(node) });
  }

  /** Starts every member and waits until each reports healthy (it has a leader) and the members are known. */
  async start(timeoutMs = 30_000): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.startMember(n)));
    const deadline = Date.now() + timeoutMs;
    for (const n of this.nodes) {
      const gw = this.gateway(n, 1000);
      const ok = await waitFor(() => gw.healthy(1000), deadline, () => this.rt.processes(n.name).some((p) => p.name === PROCESS && p.running));
      if (!ok) {
        const why = this.rt.processes(n.name).some((p) => p.name === PROCESS && p.running) ? `not healthy after ${timeoutMs / 1000} s` : "exited";
        throw new LabError(`etcd on ${n.name} (${n.ip}) ${why}; last lines of ${logFile(n)}:\n${lastLines(logFile(n), 15)}`);
      }
    }
    for (const m of await this.gateway(this.nodes[0], 2000).members()) this.ids.set(m.id, m.name);
  }

  /** The current leader's node name: the leader named by the members with the highest raft term. */
  async leader(timeoutMs = 500): Promise<string | undefined> {
    const statuses = await Promise.all(this.nodes.map((n) => this.gateway(n, timeoutMs).status(timeoutMs).catch(() => undefined)));
    let best: { term: number; leader: string } | undefined;
    for (const s of statuses) if (s && s.leader !== "0" && (!best || s.raftTerm > best.term)) best = { term: s.raftTerm, leader: s.leader };
    return best ? this.ids.get(best.leader) : undefined;
  }

  async version(): Promise<string | undefined> {
    return (await this.gateway(this.nodes[0], 1000).status(1000).catch(() => undefined))?.version;
  }

  /** Removes the members' data (logs stay in the node directories). Call after the runtime stopped them. */
  removeData(): void {
    for (const n of this.nodes) rmSync(dataDir(n), { recursive: true, force: true });
  }
}

export const etcdTarget: Target = {
  name: "etcd",
  workloads: ["register"],
  async setup(o: TargetOptions): Promise<TargetSession> {
    const settings = parseEtcdOptions(o.options);
    if (o.nodes < 1 || o.nodes > 9) throw new TargetUsageError(`etcd runs 1 to 9 members (3 or 5 are usual), got --nodes ${o.nodes}`);
    const rt = labRuntime();
    let cluster: EtcdCluster | undefined;
    try {
      const check = await import("node:fs").then((fs) => fs.existsSync(ETCD_BINARY));
      if (!check) throw new LabError(`etcd is not installed (${ETCD_BINARY} is missing)`, "apt-get install -y etcd-server etcd-client");
      const nodes = await rt.createNodes(o.nodes, o.dir);
      cluster = new EtcdCluster(rt, nodes, settings, `faultline-${process.pid}-${Date.now()}`);
      const t0 = performance.now();
      await cluster.start();
      const startMs = Math.round(performance.now() - t0);
      const version = await cluster.version();
      const c = cluster;
      const clients = new Set<EtcdClient>();
      const faults = labFaults(rt, nodes, {
        start: (n) => c.startMember(n),
        primary: () => c.leader(),
        clockUnsupported: rt.clockUnsupported(ETCD_BINARY) ?? "clock skew is unsupported for etcd here: Go reads the wall clock through the vDSO",
      });
      let closed = false;
      return {
        nodes: nodes.map((n) => n.name),
        scheduler: realScheduler,
        faults,
        client(_process, node) {
          const client = new EtcdClient(c.gateway(c.node(node)), settings.read);
          clients.add(client);
          return client;
        },
        info: () => ({
          target: "etcd", version, read: settings.read, heartbeatMs: settings.heartbeatMs, electionMs: settings.electionMs, preVote: settings.preVote,
          runtime: rt.name, nodes: nodes.map((n) => ({ name: n.name, ip: n.ip })), startMs,
        }),
        async teardown() {
          if (closed) return;
          closed = true;
          for (const cl of clients) await cl.close();
          // No graceful stop: the data is thrown away, and a member stopping gracefully while its peers stop
          // too waits for a leadership transfer. destroy() kills every process, then removes the nodes.
          try { await rt.destroy(); } finally { c.removeData(); }
        },
      };
    } catch (e) {
      try { await rt.destroy(); } finally { cluster?.removeData(); }
      throw e;
    }
  },
};
