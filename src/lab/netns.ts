// The `netns` transport: test hosts as Linux network namespaces on one bridge, on this host (needs root).
//
// Slot k (claimed through the journal, so parallel runs do not collide): bridge `flbr<k>` holding the
// harness address 198.18.k.1; nodes `fl-n1`, `fl-n2`, … (slot 0) or `fl<k>-n1`, … (other slots), each with
// a veth `fl<k>v<i>` on the bridge and `eth0` inside at 198.18.k.(10+i). Commands and servers run through
// `ip netns exec` (which execs, so a server's pid is its own) and `setpriv` for another user; servers are
// children of the harness, so their end is noticed at once. Node directories are on this host; the helper
// and the clock shim go into the slot's journal directory. The life cycle, faults and journal entries are
// node-runtime.ts's, the same as for docker and ssh; firewall rules live inside the node namespaces only
// (the host's own firewall and interfaces are never touched).
import { spawn as spawnChild, spawnSync } from "node:child_process";
import { chmodSync, closeSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { isGoBinary } from "./clock-shim.ts";
import { processStart, type Journal } from "./journal.ts";
import { NodeRuntime } from "./node-runtime.ts";
import { LabError, type LabNode } from "./runtime.ts";
import {
  alive,
  bridgeName,
  kill,
  listLinks,
  listNetns,
  nsName,
  OUR_NETNS,
  parseSubnet,
  processTree,
  sh,
  vethName,
} from "./netns-host.ts";
export {
  bridgeName,
  killNamespace,
  listLinks,
  listNetns,
  nsName,
  OUR_LINK,
  OUR_NETNS,
  parseSubnet,
  vethName,
} from "./netns-host.ts";
import type {
  Capabilities,
  Conn,
  NodeLink,
  Reached,
  RunOptions,
  RunResult,
  SpawnRequest,
  Spawned,
  Transport,
} from "./transport.ts";

export interface NetnsOptions {
  /** A /24 inside 198.18.0.0/15 (default 198.18.<slot>.0/24). */
  subnet?: string;
  /** Use this slot (default: the lowest free one). */
  slot?: number;
}

// ---- the transport -------------------------------------------------------------------------------------
class NetnsLink implements NodeLink {
  readonly conn: Conn;
  constructor(readonly ns: string) {
    this.conn = { kind: "netns", ns, where: `netns ${ns}` };
  }

  private wrap(argv: string[], user?: string): string[] {
    const as = user && user !== "root" ? ["setpriv", `--reuid=${user}`, `--regid=${user}`, "--init-groups", "--"] : [];
    return ["netns", "exec", this.ns, ...as, ...argv];
  }

  async run(argv: string[], o: RunOptions = {}): Promise<RunResult> {
    const io = o.input === undefined ? { stdin: "ignore" as const } : { input: o.input };
    const r = await execa("ip", this.wrap(argv, o.user), {
      env: o.env,
      cwd: o.cwd,
      timeout: o.timeoutMs,
      reject: false,
      ...io,
    });
    return {
      exitCode: r.exitCode ?? -1,
      stdout: String(r.stdout ?? ""),
      stderr: String(r.stderr ?? ""),
      timedOut: !!r.timedOut,
    };
  }

  async spawn(argv: string[], s: SpawnRequest): Promise<Spawned> {
    const env: Record<string, string> = { ...(process.env as Record<string, string>), ...s.env };
    if (s.clock) {
      env.LD_PRELOAD = [s.clock.shim, env.LD_PRELOAD].filter(Boolean).join(":");
      env.FAULTLINE_CLOCK_FILE = s.clock.file;
    }
    const log = openSync(s.log, "a", 0o644);
    const child = spawnChild("ip", this.wrap(argv, s.user), {
      env,
      cwd: s.cwd,
      detached: true,
      stdio: ["ignore", log, log],
    });
    closeSync(log);
    const pid = child.pid;
    if (pid === undefined) throw new LabError("no process");
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.unref();
    return { pid, start: processStart(pid) ?? "", exited };
  }

  async signal(root: number, start: string, sig: NodeJS.Signals): Promise<[number, string][]> {
    if (processStart(root) !== start) return [];
    if (sig === "SIGCONT") {
      for (const x of processTree(root)) kill(x, "SIGCONT");
      return [];
    }
    if (sig !== "SIGKILL" && sig !== "SIGSTOP") {
      kill(root, sig);
      return [];
    }
    kill(root, "SIGSTOP"); // no more forks while we collect the tree
    const tree = processTree(root);
    if (sig === "SIGSTOP") {
      for (const x of tree) kill(x, "SIGSTOP");
      return tree.map((x) => [x, processStart(x) ?? ""]);
    }
    for (const x of tree) kill(x, "SIGKILL");
    for (const x of tree) kill(x, "SIGCONT");
    for (let i = 0; i < 200 && tree.some(alive); i++) await new Promise((r) => setTimeout(r, 10));
    return [];
  }

  async upload(path: string, data: string | Buffer, mode = 0o644): Promise<void> {
    writeFileSync(path, data);
    chmodSync(path, mode);
  }

  async download(): Promise<void> {
    /* node directories are on this host already */
  }

  close(): void {
    /* servers are the harness' children: nothing runs in the background */
  }
}

class NetnsTransport implements Transport {
  readonly name = "netns";
  readonly capabilities: Capabilities = {
    localDirs: true,
    lossHitsHarness: true,
    realClock: false,
    clockHint: "per-node clocks need separate hosts (ssh runtime)",
  };

  constructor(
    private readonly journal: Journal,
    readonly prefix: string,
  ) {
    this.refuseForeign();
  }

  get slot(): number {
    return this.journal.slot;
  }
  get bridge(): string {
    return bridgeName(this.slot);
  }
  get subnets(): string[] {
    return [`${this.prefix}.0/24`];
  }
  get hostIp(): string {
    return `${this.prefix}.1`;
  }

  /** Resources with this slot's names that no journal knows about (e.g. the state dir was wiped): refuse. */
  private refuseForeign(): void {
    const mine = (ns: string) => {
      const m = OUR_NETNS.exec(ns);
      return m && Number(m[1] || 0) === this.slot;
    };
    const stray = [
      ...listNetns().filter(mine),
      ...listLinks().filter((l) => l === this.bridge || l.startsWith(`fl${this.slot}v`)),
    ];
    if (stray.length)
      throw new LabError(
        `lab slot ${this.slot} resources already exist without a live owner: ${stray.join(", ")}`,
        "run `faultline lab clean` to remove them, then start again",
      );
  }

  async createNodes(count: number, dir: string): Promise<Reached[]> {
    const j = this.journal;
    j.record("bridge", { name: this.bridge });
    sh("ip", ["link", "add", this.bridge, "type", "bridge"]);
    sh("ip", ["addr", "add", `${this.hostIp}/24`, "dev", this.bridge]);
    sh("ip", ["link", "set", this.bridge, "up"]);
    const out: Reached[] = [];
    for (let i = 1; i <= count; i++) {
      const ns = nsName(this.slot, i);
      const veth = vethName(this.slot, i);
      const node: LabNode = { name: `n${i}`, ip: `${this.prefix}.${10 + i}`, dir: join(dir, "nodes", `n${i}`) };
      mkdirSync(node.dir, { recursive: true, mode: 0o755 });
      chmodSync(node.dir, 0o755);
      j.record("netns", { name: ns });
      sh("ip", ["netns", "add", ns]);
      j.record("veth", { name: veth });
      sh("ip", ["link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns]);
      sh("ip", ["link", "set", veth, "master", this.bridge, "up"]);
      sh("ip", ["-n", ns, "addr", "add", `${node.ip}/24`, "dev", "eth0"]);
      sh("ip", ["-n", ns, "link", "set", "eth0", "up"]);
      sh("ip", ["-n", ns, "link", "set", "lo", "up"]);
      out.push({ node, link: new NetnsLink(ns), root: this.journal.dir });
    }
    return out;
  }

  isGoBinary(path: string): boolean {
    return isGoBinary(path);
  }
}

/** The netns runtime: the node runtime over network namespaces on this host. */
export class NetnsRuntime extends NodeRuntime<NetnsTransport> {
  constructor(options: NetnsOptions = {}) {
    if (process.platform !== "linux") throw new LabError("the netns lab runtime needs Linux");
    if (process.getuid?.() !== 0)
      throw new LabError(
        "the netns lab runtime needs root (network namespaces, iptables)",
        "run as root, e.g. `sudo npx faultline …`",
      );
    if (options.subnet !== undefined) parseSubnet(options.subnet);
    super(
      "netns",
      options.slot,
      (j) => new NetnsTransport(j, options.subnet ? parseSubnet(options.subnet) : `198.18.${j.slot}`),
    );
  }

  get prefix(): string {
    return this.transport.prefix;
  }
  get bridge(): string {
    return this.transport.bridge;
  }
  /** The harness' own address on the lab bridge. */
  get hostIp(): string {
    return this.transport.hostIp;
  }
}

/** Whether a command is on the PATH; used by doctor. */
export function hasCommand(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}
