// How the lab's one node runtime (node-runtime.ts) reaches its nodes: a transport, in the sense of Jepsen's
// `Remote`. A transport knows how to create (or reach) the nodes and, per node, how to run a command, start
// a long-running process, and move a file there and back; it knows nothing about faults. Everything else a
// node does for the harness (process-tree signals, firewall chain, clock offsets, latency) is a command of
// fl-node.sh (image/fl-node.sh), uploaded to each node and run through the transport.
//
//   netns   network namespaces on this host      netns.ts
//   docker  one container per node               docker.ts
//   ssh     real hosts over SSH                  ssh.ts
import type { ExecResult, LabNode } from "./runtime.ts";

/** fl-node.sh in this installation (uploaded to each node's run directory). */
export const NODE_HELPER = new URL("./image/fl-node.sh", import.meta.url).pathname;

/** How a synchronous undo handler reaches a node again (journaled with every entry made on a node; see undo.ts). */
export interface Conn {
  kind: "netns" | "docker" | "ssh";
  /** For messages (e.g. root@10.0.0.1:22, container faultline-0-n1, netns fl-n1). */
  where: string;
  [k: string]: unknown;
}

export interface RunOptions {
  /** Run as this user (default root). */
  user?: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Kill the command after this many ms (default: the transport's own). */
  timeoutMs?: number;
  input?: string | Buffer;
}

export interface RunResult extends ExecResult {
  timedOut: boolean;
}

export interface SpawnRequest {
  user?: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Appended with the process' stdout and stderr. */
  log: string;
  /** Run under the clock shim (`shim`, on the node) following the offset file `file`. */
  clock?: { file: string; shim: string };
}

/** A started process: pid and kernel start time (a pid is never signalled without it), and its end. */
export interface Spawned {
  pid: number;
  start: string;
  /** Resolves when the process is gone (or the link was closed). */
  exited: Promise<void>;
}

/** One node, reached. */
export interface NodeLink {
  readonly conn: Conn;
  /** Runs argv on the node (as root unless `user`); never throws for a non-zero exit. */
  run(argv: string[], options?: RunOptions): Promise<RunResult>;
  /** Starts a detached long-running process on the node. */
  spawn(argv: string[], request: SpawnRequest): Promise<Spawned>;
  /** Signals a process and its tree (SIGKILL: until they are gone) and returns the [pid, start] of those a
   *  SIGSTOP stopped. Optional: a transport whose nodes' processes are this host's (netns) does it in-process,
   *  ~4 ms instead of ~60 ms for fl-node.sh's `signal`; the others leave it to the helper. */
  signal?(pid: number, start: string, sig: NodeJS.Signals): Promise<[number, string][]>;
  /** Writes a file on the node (executable when `mode` says so). */
  upload(path: string, data: string | Buffer, mode?: number): Promise<void>;
  /** Copies the regular files directly in `dir` on the node into the local directory `localDir`. */
  download(dir: string, localDir: string): Promise<void>;
  /** Ends the link's own background work (e.g. waiting for processes to exit); commands are not run after it. */
  close(): void;
}

/** A node a transport has made reachable. */
export interface Reached {
  node: LabNode;
  link: NodeLink;
  /** The run's directory on the node for the helper and the clock shim (journaled and removed unless `localDirs`). */
  root: string;
}

/** What a transport can do, declared once; the runtime's behaviour follows from it. */
export interface Capabilities {
  /** Node directories are on the harness host (netns): no files API, nothing to fetch or remove at the end. */
  localDirs: boolean;
  /** The harness' traffic to a node crosses no lab firewall rule of its own (netns: its commands do not go over
   *  the network), so packet loss drops every packet a node receives; otherwise only those from its peers. */
  lossHitsHarness: boolean;
  /** Clock skew moves the nodes' system clocks (date -s; ssh with clock=real) instead of the clock shim's file. */
  realClock: boolean;
  /** Appended to "clock skew is unsupported for a Go program": where per-node clocks are possible instead. */
  clockHint: string;
}

export interface Transport {
  /** "netns", "docker", "ssh". */
  readonly name: string;
  readonly capabilities: Capabilities;
  /** Address ranges holding every node and the harness (valid once nodes exist). */
  readonly subnets: string[];
  /** Creates or reaches nodes n1..n`count`, node directories under `dir`, journaling what it creates. */
  createNodes(count: number, dir: string): Promise<Reached[]>;
  /** Why the clock cannot be moved at all here (checked before any clock change), or undefined. */
  clockProblem?(): string | undefined;
  /** Whether a program is a Go binary, when the nodes' programs are the harness host's own (netns): no probe needed. */
  isGoBinary?(path: string): boolean;
}

/** sh -c wrapper running argv in `cwd` as `user` with `env`, killed after `timeoutMs` (argv stays a list: no
 *  shell quoting of its words): RunOptions for transports whose commands run through a shell on the node. */
export function wrapCommand(argv: string[], o: RunOptions = {}): string[] {
  let out = argv;
  if (o.env && Object.keys(o.env).length) out = ["env", ...Object.entries(o.env).map(([k, v]) => `${k}=${v}`), ...out];
  if (o.user && o.user !== "root")
    out = ["setpriv", `--reuid=${o.user}`, `--regid=${o.user}`, "--init-groups", "--", ...out];
  if (o.cwd) out = ["sh", "-c", 'cd "$0" && exec "$@"', o.cwd, ...out];
  if (o.timeoutMs) out = ["timeout", "-s", "KILL", String(Math.max(1, Math.ceil(o.timeoutMs / 1000))), ...out];
  return out;
}
