// etcd's settings: the target options (--opt key=value) and each member's command line.
import { join } from "node:path";
import type { LabNode } from "../../src/lab/runtime.ts";
import type { EtcdRead } from "./client.ts";
import { TargetUsageError } from "./lab.ts";

export const CLIENT_PORT = 2379;
export const PEER_PORT = 2380;

export interface EtcdSettings {
  /** linearizable (reads go through raft, the default) or serializable (a member answers from its own state). */
  read: EtcdRead;
  /** Raft heartbeat and election timeout, in ms (etcd's defaults: 100 and 1000). */
  heartbeatMs: number;
  electionMs: number;
  /** Raft pre-vote (etcd 3.5's default; off by default in 3.4): a member that cannot win does not bump the term,
   *  so a partitioned member rejoining, or one with a shorter log, does not stall elections for seconds. */
  preVote: boolean;
}

export const ETCD_OPTIONS: Record<keyof EtcdSettings | string, string> = {
  read: "linearizable|serializable (default linearizable)",
  heartbeat: "raft heartbeat interval in ms (default 100)",
  election: "raft election timeout in ms (default 1000)",
  prevote: "true|false: raft pre-vote (default true)",
};

const optionNames: Record<string, keyof EtcdSettings> = { read: "read", heartbeat: "heartbeatMs", election: "electionMs", prevote: "preVote" };

/** Validates `--opt` settings for etcd; a UsageError names the bad one and the choices. */
export function parseEtcdOptions(options: Record<string, unknown>): EtcdSettings {
  const s: EtcdSettings = { read: "linearizable", heartbeatMs: 100, electionMs: 1000, preVote: true };
  for (const [k, v] of Object.entries(options)) {
    const field = optionNames[k];
    if (!field) throw new TargetUsageError(`etcd has no option ${JSON.stringify(k)}; options: ${Object.entries(ETCD_OPTIONS).map(([n, d]) => `${n}=${d}`).join(", ")}`);
    if (field === "read") {
      if (v !== "linearizable" && v !== "serializable") throw new TargetUsageError(`etcd option read must be linearizable or serializable, got ${JSON.stringify(v)}`);
      s.read = v;
    } else if (field === "preVote") {
      if (typeof v !== "boolean") throw new TargetUsageError(`etcd option prevote must be true or false, got ${JSON.stringify(v)}`);
      s.preVote = v;
    } else {
      if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new TargetUsageError(`etcd option ${k} must be a positive number of ms, got ${JSON.stringify(v)}`);
      s[field] = v;
    }
  }
  if (s.electionMs < 5 * s.heartbeatMs) throw new TargetUsageError(`etcd option election (${s.electionMs} ms) must be at least 5 × heartbeat (${s.heartbeatMs} ms)`);
  return s;
}

export const clientUrl = (n: LabNode) => `http://${n.ip}:${CLIENT_PORT}`;
export const peerUrl = (n: LabNode) => `http://${n.ip}:${PEER_PORT}`;
export const dataDir = (n: LabNode) => join(n.dir, "etcd-data");
export const logFile = (n: LabNode) => join(n.dir, "etcd.log");

/** The command line of one member of a fresh cluster of `nodes` (a restarted member reads its WAL instead). */
export function etcdArgv(node: LabNode, nodes: LabNode[], s: EtcdSettings, token: string, binary = "etcd"): string[] {
  return [
    binary,
    "--name", node.name,
    "--data-dir", dataDir(node),
    "--listen-client-urls", clientUrl(node),
    "--advertise-client-urls", clientUrl(node),
    "--listen-peer-urls", peerUrl(node),
    "--initial-advertise-peer-urls", peerUrl(node),
    "--initial-cluster", nodes.map((n) => `${n.name}=${peerUrl(n)}`).join(","),
    "--initial-cluster-state", "new",
    "--initial-cluster-token", token,
    "--heartbeat-interval", String(s.heartbeatMs),
    "--election-timeout", String(s.electionMs),
    `--pre-vote=${s.preVote}`,
    "--logger", "zap",
    "--log-outputs", "stderr",
  ];
}
