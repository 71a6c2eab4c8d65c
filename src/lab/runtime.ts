// The lab's runtime interface: where real store processes run and how faults reach them.
//
// Design note. A lab target (postgres, etcd, redis) is written once against `Runtime` and never knows
// whether its nodes are network namespaces on this host (`netns`, the default), containers (`docker`,
// later) or real machines (`ssh`, later). The interface is deliberately small: nodes are created and
// destroyed as a group; commands run on a node (`exec`); long-running servers are started, signalled and
// stopped by (node, name) (`spawn` / `signal` / `stop`); the network is shaped with one-way link blocks,
// inbound packet loss and `heal`; each node has a wall-clock offset in a control file that servers started
// with `clock: true` follow while they run. Every resource a runtime creates (namespace, bridge, rule,
// process, pause) is journaled before it is created, so an interrupted or SIGKILLed run can always
// be undone (`faultline lab clean`). `labFaults` turns any runtime plus two target hooks (how to (re)start
// a node's server, who is primary) into the runner's FaultControl, so every lab target gets the same
// faults — partitions, loss, kill/restart, pause/resume, clock skew — for free.
import type { FaultControl } from "../run/types.ts";

/** One test host. */
export interface LabNode {
  /** "n1", "n2", …: the name used in histories and by the runner. */
  name: string;
  /** The node's address, reachable from the harness and from every other node. */
  ip: string;
  /** A directory for this node's data and logs (on the harness host for netns; on the node for ssh). */
  dir: string;
}

export interface ExecOptions {
  /** Run as this user (e.g. "postgres"); default root. */
  user?: string;
  /** Extra environment variables (added to the harness's own). */
  env?: Record<string, string>;
  cwd?: string;
  /** Kill the command after this many ms (default 60 s). */
  timeoutMs?: number;
  /** Throw a LabError on a non-zero exit (default true). */
  check?: boolean;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  user?: string;
  env?: Record<string, string>;
  cwd?: string;
  /** File receiving the process' stdout and stderr (appended). */
  log: string;
  /** Start the process under the clock shim so it follows the node's clock offset (see setClockOffset). */
  clock?: boolean;
}

/** The processes a runtime started, by node and name (one running process of a name per node). */
export class ProcessTable<P extends { info: ProcessInfo }> {
  private procs = new Map<string, P>();
  /** Throws if a process of that name still runs on the node. */
  checkFree(node: string, name: string): void {
    if (this.find(node, name)?.info.running) throw new LabError(`${name} already runs on ${node}`);
  }
  add(p: P): void {
    this.procs.set(`${p.info.node}/${p.info.name}`, p);
  }
  find(node: string, name: string): P | undefined {
    return this.procs.get(`${node}/${name}`);
  }
  get(node: string, name: string): P {
    const p = this.find(node, name);
    if (!p) throw new LabError(`no process ${name} was started on ${node}`);
    return p;
  }
  infos(node?: string): ProcessInfo[] {
    return [...this.procs.values()].map((p) => p.info).filter((i) => node === undefined || i.node === node);
  }
  values(): IterableIterator<P> {
    return this.procs.values();
  }
}

export interface ProcessInfo {
  node: string;
  name: string;
  pid: number;
  running: boolean;
  /** SIGSTOPped by `signal(…, "SIGSTOP")` and not continued since. */
  paused: boolean;
}

/** Files on a node, for runtimes whose node directories live on the node itself (docker, ssh). */
export interface NodeFiles {
  /** Creates a directory (and its parents), owned by `user` when given. */
  mkdir(node: string, path: string, options?: { user?: string; mode?: number }): Promise<void>;
  /** Writes (or appends to) a file, as `user` when given. */
  write(node: string, path: string, text: string, options?: { user?: string; append?: boolean }): Promise<void>;
  /** A file's text, or undefined when it does not exist. */
  read(node: string, path: string): Promise<string | undefined>;
  exists(node: string, path: string): Promise<boolean>;
  remove(node: string, path: string): Promise<void>;
}

export interface Runtime {
  /** "netns", "docker", "ssh". */
  readonly name: string;
  /** The cleanup journal's slot this runtime claimed (parallel runs use different slots). */
  readonly slot: number;
  /** Address ranges (CIDR) holding every node and the harness, e.g. for a store's access rules (pg_hba). Set once nodes exist. */
  readonly subnets: string[];
  /** File access on the nodes when node directories are not on the harness host (docker, ssh); absent for netns. */
  readonly files?: NodeFiles;
  /** Creates `count` nodes n1..nN with data directories under `dir`. Call once. */
  createNodes(count: number, dir: string): Promise<LabNode[]>;
  /** Journals a directory a store keeps outside the node's own (a short path for Unix sockets, which may not
   *  be longer than 107 bytes), so that undoing the run removes it, after a kill -9 too. Call before creating it. */
  claimDir(node: string, path: string): void;
  /** Runs a command on a node and waits for it. */
  exec(node: string, argv: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Starts a long-running server process named `name` on a node (journaled). Fails if one runs already. */
  spawn(node: string, name: string, argv: string[], options: SpawnOptions): Promise<ProcessInfo>;
  /** Sends a signal to the process and every process it started (its tree). SIGKILL waits until they are gone. */
  signal(node: string, name: string, signal: "SIGKILL" | "SIGTERM" | "SIGSTOP" | "SIGCONT" | "SIGINT"): Promise<void>;
  /** Stops the process: `signal` (default SIGTERM), then SIGKILL after `graceMs` (default 5 s). Idempotent. */
  stop(
    node: string,
    name: string,
    options?: { signal?: "SIGTERM" | "SIGINT" | "SIGKILL"; graceMs?: number },
  ): Promise<void>;
  /** The processes started with spawn (running or not). */
  processes(node?: string): ProcessInfo[];
  /** Drops packets sent by `from` to `to` for each [from, to] pair (one direction). Accumulates until heal. */
  block(links: [string, string][]): Promise<void>;
  /** Drops a random fraction (0..1) of the packets arriving at each node from its peers. */
  loss(nodes: string[], probability: number): Promise<void>;
  /** Adds latency to every packet a node sends. Throws an "unsupported here" LabError where impossible. */
  latency?(nodes: string[], ms: number): Promise<void>;
  /** Removes every block, loss and latency rule. */
  heal(): Promise<void>;
  /** Sets a node's wall-clock offset from true time (ms; 0 resets). Processes started with clock:true follow it at once. */
  setClockOffset(node: string, ms: number): Promise<void>;
  /** Examines programs on every node (e.g. whether a preloaded clock library can reach them) before
   *  clockUnsupported is asked about them; runtimes that can look synchronously (netns) need not have it. */
  prepare?(binaries: string[]): Promise<void>;
  /** Why clock skew cannot work for a given server binary here, or undefined when it can. */
  clockUnsupported(binary: string): string | undefined;
  /** Stops every process, removes every rule, node and file the runtime created, and releases the journal. Idempotent. */
  destroy(): Promise<void>;
}

/** An infrastructure problem in the lab (exit code 4), with an optional hint such as the command to fix it. */
export class LabError extends Error {
  readonly exitCode = 4;
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "LabError";
  }
}

/** What a lab target tells `labFaults` about itself. */
export interface LabTargetHooks {
  /** (Re)starts the node's server processes, keeping their data. Called by restart after kill. */
  start(node: LabNode): Promise<void>;
  /** Process names on a node that kill/pause act on (default: every process spawned on it). */
  processes?(node: LabNode): string[];
  /** The node acting as primary/leader now, asked of the store itself. */
  primary?(): Promise<string | undefined>;
  /** Set when clock skew cannot reach this store here (e.g. etcd reads the clock through the vDSO):
   *  the reason; clockOffset is then left out of the FaultControl, so the clock nemesis refuses at start. */
  clockUnsupported?: string;
}

/** The runner's FaultControl on top of a runtime: the same faults for every lab target. */
export function labFaults(rt: Runtime, nodes: LabNode[], hooks: LabTargetHooks): FaultControl {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const node = (name: string): LabNode => {
    const n = byName.get(name);
    if (!n) throw new LabError(`no lab node ${JSON.stringify(name)}; nodes: ${[...byName.keys()].join(", ")}`);
    return n;
  };
  const procs = (name: string) => hooks.processes?.(node(name)) ?? rt.processes(name).map((p) => p.name);
  const faults: FaultControl = {
    block: (links) => rt.block(links),
    loss: (ns, p) => rt.loss(ns, p),
    healNetwork: () => rt.heal(),
    kill: async (n) => {
      for (const p of procs(n)) await rt.signal(n, p, "SIGKILL");
    },
    restart: async (n) => {
      const running = rt
        .processes(n)
        .filter((p) => p.running)
        .map((p) => p.name);
      if (procs(n).every((p) => running.includes(p))) return; // restart of a node that was not killed: nothing to do
      for (const p of procs(n)) await rt.signal(n, p, "SIGKILL");
      await hooks.start(node(n));
    },
    pause: async (n) => {
      for (const p of procs(n)) await rt.signal(n, p, "SIGSTOP");
    },
    resume: async (n) => {
      for (const p of procs(n)) await rt.signal(n, p, "SIGCONT");
    },
  };
  if (!hooks.clockUnsupported) {
    const strobes = new Map<string, NodeJS.Timeout>();
    const stopStrobe = (n: string) => {
      clearInterval(strobes.get(n));
      strobes.delete(n);
    };
    faults.clockOffset = (n, ms) => {
      stopStrobe(n);
      return rt.setClockOffset(node(n).name, ms);
    };
    faults.clockStrobe = async (n, ms, delta, period) => {
      stopStrobe(n);
      let flip = false;
      await rt.setClockOffset(node(n).name, ms);
      const t = setInterval(
        () => {
          flip = !flip;
          rt.setClockOffset(n, flip ? ms + delta : ms).catch(() => stopStrobe(n));
        },
        Math.max(1, period),
      );
      t.unref();
      strobes.set(n, t);
    };
  } else faults.unsupported = { clockOffset: hooks.clockUnsupported, clockStrobe: hooks.clockUnsupported };
  if (hooks.primary) faults.primary = hooks.primary;
  return faults;
}
