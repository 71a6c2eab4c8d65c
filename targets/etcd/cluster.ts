// An etcd cluster on lab nodes: one member per node, each with its own data dir and log under its node dir.
// Members run without the clock shim: etcd is a Go program and reads the clock through the vDSO.
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { LabError, type LabNode, type Runtime } from "../../src/lab/runtime.ts";
import { checkInstalled, tailOf } from "../../src/lab/runtimes.ts";
import { EtcdGateway } from "./gateway.ts";

export const CLIENT_PORT = 2379;
export const PEER_PORT = 2380;
export const ETCD_BINARY = "/usr/bin/etcd";
const PROCESS = "etcd";

/** Raft settings of the members. */
export interface RaftSettings {
  /** Raft heartbeat and election timeout, in ms (etcd's defaults: 100 and 1000). */
  heartbeatMs: number;
  electionMs: number;
  /** Raft pre-vote (etcd 3.5's default; off by default in 3.4): a member that cannot win does not bump the term,
   *  so a partitioned member rejoining, or one with a shorter log, does not stall elections for seconds. */
  preVote: boolean;
}

export const clientUrl = (n: LabNode) => `http://${n.ip}:${CLIENT_PORT}`;
export const peerUrl = (n: LabNode) => `http://${n.ip}:${PEER_PORT}`;
export const dataDir = (n: LabNode) => join(n.dir, "etcd-data");
export const logFile = (n: LabNode) => join(n.dir, "etcd.log");

/** The command line of one member of a fresh cluster of `nodes` (a restarted member reads its WAL instead). */
export function etcdArgv(
  node: LabNode,
  nodes: LabNode[],
  s: RaftSettings,
  token: string,
  binary = ETCD_BINARY,
): string[] {
  return [
    binary,
    "--name",
    node.name,
    "--data-dir",
    dataDir(node),
    "--listen-client-urls",
    clientUrl(node),
    "--advertise-client-urls",
    clientUrl(node),
    "--listen-peer-urls",
    peerUrl(node),
    "--initial-advertise-peer-urls",
    peerUrl(node),
    "--initial-cluster",
    nodes.map((n) => `${n.name}=${peerUrl(n)}`).join(","),
    "--initial-cluster-state",
    "new",
    "--initial-cluster-token",
    token,
    "--heartbeat-interval",
    String(s.heartbeatMs),
    "--election-timeout",
    String(s.electionMs),
    `--pre-vote=${s.preVote}`,
    "--logger",
    "zap",
    "--log-outputs",
    "stderr",
  ];
}

/** Among members' statuses, the leader named by those with the highest raft term (a member that lost touch
 *  reports leader 0, or an old leader at an older term). */
export function leaderOf(statuses: ({ leader: string; raftTerm: number } | undefined)[]): string | undefined {
  let best: { term: number; leader: string } | undefined;
  for (const s of statuses)
    if (s && s.leader !== "0" && s.leader !== "" && (!best || s.raftTerm > best.term))
      best = { term: s.raftTerm, leader: s.leader };
  return best?.leader;
}

export class EtcdCluster {
  private ids = new Map<string, string>(); // member id → node name

  constructor(
    readonly rt: Runtime,
    readonly nodes: LabNode[],
    readonly raft: RaftSettings,
    readonly token = "faultline",
  ) {
    if (!rt.files && !existsSync(ETCD_BINARY))
      throw new LabError(
        `etcd is not installed (${ETCD_BINARY} is missing)`,
        "apt-get install -y etcd-server etcd-client (or: faultline lab install)",
      );
  }

  node(name: string): LabNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new LabError(`no etcd node ${name}`);
    return n;
  }

  gateway(node: LabNode, timeoutMs?: number): EtcdGateway {
    return new EtcdGateway(clientUrl(node), { timeoutMs });
  }

  /** Starts (or restarts, keeping its data) the member on `node`. */
  async startNode(node: LabNode): Promise<void> {
    await this.rt.spawn(node.name, PROCESS, etcdArgv(node, this.nodes, this.raft, this.token), { log: logFile(node) });
  }

  private running(n: LabNode): boolean {
    return this.rt.processes(n.name).some((p) => p.name === PROCESS && p.running);
  }

  /** Starts every member and waits until each reports healthy (it has a leader); learns the member ids. */
  async start(timeoutMs = 30_000): Promise<void> {
    await checkInstalled(this.rt, this.nodes, "etcd", [{ path: ETCD_BINARY, pkg: "etcd-server" }]);
    await Promise.all(this.nodes.map((n) => this.startNode(n)));
    const deadline = Date.now() + timeoutMs;
    for (const n of this.nodes) {
      const gw = this.gateway(n, 1000);
      while (!(await gw.healthy(1000))) {
        if (!this.running(n))
          throw new LabError(
            `etcd on ${n.name} exited at start; last lines of ${logFile(n)}:\n${await tailOf(this.rt, n.name, logFile(n))}`,
          );
        if (Date.now() > deadline)
          throw new LabError(
            `etcd on ${n.name} (${n.ip}) was not healthy within ${timeoutMs} ms; last lines of ${logFile(n)}:\n${await tailOf(this.rt, n.name, logFile(n))}`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    for (const m of await this.gateway(this.nodes[0], 2000).members(2000)) this.ids.set(m.id, m.name);
  }

  /** The current leader's node name, asked of every member (endpoint status); undefined while there is none. */
  async leader(timeoutMs = 500): Promise<string | undefined> {
    const statuses = await Promise.all(
      this.nodes.map((n) =>
        this.gateway(n, timeoutMs)
          .status(timeoutMs)
          .catch(() => undefined),
      ),
    );
    const id = leaderOf(statuses);
    return id === undefined ? undefined : this.ids.get(id);
  }

  async version(): Promise<string | undefined> {
    return (
      await this.gateway(this.nodes[0], 1000)
        .status(1000)
        .catch(() => undefined)
    )?.version;
  }

  /** Removes the members' data (logs stay in the node directories). Call once the runtime stopped them. */
  removeData(): void {
    if (this.rt.files) return; // on the nodes themselves: the runtime removes them
    for (const n of this.nodes) rmSync(dataDir(n), { recursive: true, force: true });
  }
}
