// What the docker and ssh runtimes share: nodes whose processes, files and firewall live on the node itself,
// reached through a transport that runs a command there as root (docker exec; ssh, with sudo when the login
// user is not root). Everything done on a node goes through fl-node.sh (src/lab/image/fl-node.sh), copied to
// each node when it is created: detached servers named by pid and kernel start time, process-tree signals,
// a firewall chain of faultline's own (jumped to from INPUT, so a host's own rules are never touched), the
// clock shim's offset file, and real clock changes where the ssh runtime is allowed them.
//
// The runtime journals what it creates on a node (directories, processes, pauses, the firewall chain, real
// clock offsets) with `conn`, the way to reach the node again, so `faultline lab clean` in a new process can
// undo it; the docker runtime journals only containers and the network (removing a container undoes the rest).
import { mkdirSync, readFileSync } from "node:fs";
import { arch } from "node:os";
import { join } from "node:path";
import { clockShim } from "./netns.ts";
import { Journal, registerUndo, type JournalEntry } from "./journal.ts";
import { LabError, type ExecOptions, type ExecResult, type LabNode, type NodeFiles, type ProcessInfo, ProcessTable, type Runtime, type SpawnOptions } from "./runtime.ts";

export const NODE_HELPER = new URL("./image/fl-node.sh", import.meta.url).pathname;

export interface RunOptions {
  input?: string | Buffer;
  timeoutMs?: number;
}

/** How the harness reaches one node. */
export interface Transport {
  /** Runs argv on the node as root. Never throws for a non-zero exit. */
  run(argv: string[], options?: RunOptions): Promise<ExecResult & { timedOut?: boolean }>;
  /** Runs argv and resolves with its exit code when it ends (used to notice a server exiting). */
  watch(argv: string[]): Promise<number>;
  /** The tar stream of `argv`'s output extracted into a local directory. */
  fetchTar(argv: string[], localDir: string): Promise<void>;
  /** What a synchronous undo handler needs to reach the node (journaled). */
  readonly conn: Record<string, unknown>;
  /** Where the node is, for messages (e.g. root@10.0.0.1:22, container faultline-0-n1). */
  readonly where: string;
}

/** Synchronous command on a node for undo handlers, by the `conn` a transport journaled. */
export type SyncRunner = (conn: Record<string, unknown>, argv: string[]) => { ok: boolean; err: string };
const syncRunners = new Map<string, SyncRunner>();
export function registerSyncRunner(kind: string, f: SyncRunner): void { syncRunners.set(kind, f); }
function runSync(conn: Record<string, unknown>, argv: string[]): void {
  const f = syncRunners.get(conn.kind as string);
  if (!f) throw new LabError(`no way to reach a ${String(conn.kind)} node`);
  const r = f(conn, argv);
  if (!r.ok) throw new LabError(`on ${String(conn.where ?? "node")}: ${argv.join(" ")}: ${r.err.trim().slice(-300)}`);
}

registerUndo("remote-process", (e) => { if (e.pid) runSync(e.conn as Record<string, unknown>, ["sh", e.helper as string, "signal", "KILL", String(e.pid), String(e.start)]); });
registerUndo("remote-pause", (e) => {
  const pids = (e.pids as [number, string][]).flat().map(String);
  if (pids.length) runSync(e.conn as Record<string, unknown>, ["sh", e.helper as string, "cont", ...pids]);
});
registerUndo("remote-rules", (e) => runSync(e.conn as Record<string, unknown>, ["sh", e.helper as string, "rules-remove", e.chain as string]));
registerUndo("remote-realclock", (e) => {
  const off = Number(e.offsetMs ?? 0);
  if (off) runSync(e.conn as Record<string, unknown>, ["sh", e.helper as string, "realclock", String(-off)]);
});
registerUndo("remote-dir", (e) => runSync(e.conn as Record<string, unknown>, ["rm", "-rf", "--one-file-system", e.name as string]));

/** sh -c wrapper running argv in `cwd` as `user` with `env` (argv stays a list: no shell quoting of its words). */
export function wrapCommand(argv: string[], o: { user?: string; env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): string[] {
  let out = argv;
  if (o.env && Object.keys(o.env).length) out = ["env", ...Object.entries(o.env).map(([k, v]) => `${k}=${v}`), ...out];
  if (o.user && o.user !== "root") out = ["setpriv", `--reuid=${o.user}`, `--regid=${o.user}`, "--init-groups", "--", ...out];
  if (o.cwd) out = ["sh", "-c", 'cd "$0" && exec "$@"', o.cwd, ...out];
  if (o.timeoutMs) out = ["timeout", "-s", "KILL", String(Math.max(1, Math.ceil(o.timeoutMs / 1000))), ...out];
  return out;
}

interface RemoteNode {
  node: LabNode;
  t: Transport;
  /** The run's directory on the node: fl-node.sh, the clock shim, node dirs. */
  root: string;
  helper: string;
  clockFile: string;
  shim?: string;
  rules?: JournalEntry;
  realClock?: JournalEntry;
  /** Programs probed (prepare) and those of them that are Go programs (which no preload library reaches). */
  probed: Set<string>;
  goBins: Set<string>;
}

interface Proc {
  info: ProcessInfo;
  entry: JournalEntry;
  start: string;
  pause?: JournalEntry;
  exited: Promise<void>;
}

/** A node a subclass has made reachable: its name, address and transport, and the directory to use on it. */
export interface Reached {
  name: string;
  ip: string;
  t: Transport;
  root: string;
}

export abstract class RemoteRuntime implements Runtime {
  abstract readonly name: string;
  readonly journal: Journal;
  protected nodes = new Map<string, RemoteNode>();
  private procs = new ProcessTable<Proc>();
  private destroyed = false;
  private localDir = "";
  protected shimError?: string;
  /** Real clock changes (date -s) instead of the clock shim (ssh only, when allowed). */
  protected realClock = false;
  readonly files: NodeFiles;

  constructor(runtime: string, slot?: number) {
    this.journal = Journal.claim(runtime, slot);
    this.files = remoteFiles(this);
  }

  get slot(): number { return this.journal.slot; }
  abstract get subnets(): string[];
  get chain(): string { return `FAULTLINE-${this.slot}`; }

  /** Makes `count` nodes reachable (containers created, ssh connections opened). */
  protected abstract reach(count: number): Promise<Reached[]>;

  async createNodes(count: number, dir: string): Promise<LabNode[]> {
    if (this.nodes.size) throw new LabError("createNodes was already called");
    this.localDir = dir;
    const reached = await this.reach(count);
    const helperText = readFileSync(NODE_HELPER);
    const shimLocal = clockShim();
    if (!shimLocal) this.shimError = "the clock shim could not be built on this host (apt-get install -y gcc)";
    const out = await Promise.all(reached.map(async (r) => {
      const node: LabNode = { name: r.name, ip: r.ip, dir: `${r.root}/${r.name}` };
      const rn: RemoteNode = { node, t: r.t, root: r.root, helper: `${r.root}/fl-node.sh`, clockFile: `${node.dir}/clock`, probed: new Set(), goBins: new Set() };
      this.journal.record("remote-dir", { name: r.root, conn: r.t.conn });
      await this.must(rn, ["sh", "-c", 'mkdir -p "$1" && chmod 755 "$0" "$1" && cat > "$0/fl-node.sh"', r.root, node.dir], { input: helperText });
      // The harness' clock shim works on a node of the same architecture (and a glibc at least as new, as in
      // the node image); otherwise clock skew is refused with the reason.
      const uname = (await this.must(rn, ["uname", "-m"])).stdout.trim();
      const want = ({ x64: "x86_64", arm64: "aarch64" } as Record<string, string>)[arch()] ?? arch();
      if (shimLocal && uname === want) {
        await this.must(rn, ["sh", "-c", 'cat > "$0" && chmod 755 "$0"', `${r.root}/clockshim.so`], { input: readFileSync(shimLocal) });
        rn.shim = `${r.root}/clockshim.so`;
      } else if (shimLocal) this.shimError = `the clock shim is built for ${want} but ${node.name} is ${uname}`;
      await this.must(rn, ["sh", rn.helper, "clock", rn.clockFile, "+0"]);
      this.nodes.set(node.name, rn);
      return node;
    }));
    return out.sort((a, b) => Number(a.name.slice(1)) - Number(b.name.slice(1)));
  }

  protected get(node: string): RemoteNode {
    const n = this.nodes.get(node);
    if (!n) throw new LabError(`no lab node ${JSON.stringify(node)}`);
    return n;
  }

  /** Runs argv as root on a node; throws a LabError on failure. */
  protected async must(n: RemoteNode, argv: string[], o: RunOptions = {}): Promise<ExecResult> {
    const r = await n.t.run(argv, o);
    if (r.exitCode !== 0) throw new LabError(`on ${n.node.name} (${n.t.where}): ${argv.join(" ").slice(0, 200)} failed (${r.timedOut ? "timed out" : `exit ${r.exitCode}`}): ${(r.stderr || r.stdout).trim().slice(-800)}`);
    return r;
  }

  /** Runs a command on a node with input on stdin (files API). */
  async execInput(node: string, argv: string[], input: string | Buffer | undefined, o: ExecOptions = {}): Promise<ExecResult> {
    const n = this.get(node);
    const r = await n.t.run(wrapCommand(argv, o), { input, timeoutMs: (o.timeoutMs ?? 60_000) + 5000 });
    const timedOut = r.timedOut || r.exitCode === 137;
    if ((o.check ?? true) && r.exitCode !== 0)
      throw new LabError(`on ${node}: ${argv.join(" ")} failed (${timedOut ? "timed out" : `exit ${r.exitCode}`}): ${(r.stderr || r.stdout).trim().slice(-800)}`);
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  }

  exec(node: string, argv: string[], o: ExecOptions = {}): Promise<ExecResult> {
    return this.execInput(node, argv, undefined, { ...o, timeoutMs: o.timeoutMs ?? 60_000 });
  }

  async spawn(node: string, name: string, argv: string[], o: SpawnOptions): Promise<ProcessInfo> {
    const n = this.get(node);
    this.procs.checkFree(node, name);
    const shimmed = !!o.clock && !this.realClock;
    if (shimmed && !n.shim) throw new LabError(this.shimError ?? "no clock shim on this node");
    const entry = this.journal.record("remote-process", { conn: n.t.conn, helper: n.helper, node, name, argv });
    const cmd = o.env && Object.keys(o.env).length ? ["env", ...Object.entries(o.env).map(([k, v]) => `${k}=${v}`), ...argv] : argv;
    const r = await n.t.run(["sh", n.helper, "spawn", o.log, o.cwd ?? "/", o.user ?? "root", shimmed ? n.clockFile : "-", n.shim ?? "-", "--", ...cmd]);
    const m = /^(\d+) (\d+)/.exec(r.stdout.trim());
    if (r.exitCode !== 0 || !m) {
      this.journal.done(entry);
      throw new LabError(`could not start ${name} on ${node} (${n.t.where}): ${argv.join(" ")}: ${(r.stderr || r.stdout).trim().slice(-400)}`);
    }
    const pid = Number(m[1]);
    const start = m[2];
    this.journal.update(entry, { pid, start });
    const info: ProcessInfo = { node, name, pid, running: true, paused: false };
    const exited = (async () => {
      for (;;) {
        const code = await n.t.watch(["sh", n.helper, "watch", String(pid), start]);
        if (this.destroyed) return;
        // The watch also ends when the connection drops: only a clean end means the process is gone.
        if (code === 0 || (await n.t.run(["sh", n.helper, "alive", String(pid), start]).catch(() => ({ exitCode: -1 }))).exitCode === 1) break;
        await new Promise((res) => setTimeout(res, 500));
      }
      info.running = false;
      const p = this.procs.find(node, name);
      if (p?.pause) { this.journal.done(p.pause); p.pause = undefined; info.paused = false; }
      this.journal.done(entry);
    })();
    this.procs.add({ info, entry, start, exited });
    return info;
  }


  async signal(node: string, name: string, sig: "SIGKILL" | "SIGTERM" | "SIGSTOP" | "SIGCONT" | "SIGINT"): Promise<void> {
    const p = this.procs.get(node, name);
    if (!p.info.running) return;
    const n = this.get(node);
    const s = sig.slice(3);
    if (sig === "SIGSTOP" && !p.pause) p.pause = this.journal.record("remote-pause", { conn: n.t.conn, helper: n.helper, node, name, pids: [] });
    const r = await this.must(n, ["sh", n.helper, "signal", s, String(p.info.pid), p.start]);
    if (sig === "SIGKILL") {
      await Promise.race([p.exited, new Promise((res) => setTimeout(res, 10_000))]);
      this.clearPause(p);
    } else if (sig === "SIGSTOP") {
      const pids = r.stdout.split("\n").map((l) => l.trim().split(" ")).filter((x) => x.length === 2).map(([a, b]) => [Number(a), b]);
      this.journal.update(p.pause!, { pids });
      p.info.paused = true;
    } else if (sig === "SIGCONT") this.clearPause(p);
  }

  private clearPause(p: Proc): void {
    p.info.paused = false;
    if (p.pause) { this.journal.done(p.pause); p.pause = undefined; }
  }

  async stop(node: string, name: string, o: { signal?: "SIGTERM" | "SIGINT" | "SIGKILL"; graceMs?: number } = {}): Promise<void> {
    const p = this.procs.find(node, name);
    if (!p || !p.info.running) return;
    if (p.info.paused) await this.signal(node, name, "SIGCONT");
    if ((o.signal ?? "SIGTERM") !== "SIGKILL") {
      await this.signal(node, name, o.signal ?? "SIGTERM");
      const grace = await Promise.race([p.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), o.graceMs ?? 5000))]);
      if (grace) return;
    }
    await this.signal(node, name, "SIGKILL");
  }

  processes(node?: string): ProcessInfo[] {
    return this.procs.infos(node);
  }

  /** Appends firewall rules to faultline's chain on a node (created and jumped to on first use). */
  private async rules(n: RemoteNode, rules: string[][]): Promise<void> {
    if (!n.rules) {
      n.rules = this.journal.record("remote-rules", { conn: n.t.conn, helper: n.helper, chain: this.chain, node: n.node.name });
      await this.must(n, ["sh", n.helper, "rules-init", this.chain]);
    }
    const script = rules.map((r) => `iptables -w -A ${this.chain} ${r.join(" ")}`).join(" && ");
    await this.must(n, ["sh", "-c", script]);
  }

  async block(links: [string, string][]): Promise<void> {
    const byDest = new Map<string, string[][]>();
    for (const [from, to] of links) {
      const f = this.get(from);
      this.get(to);
      byDest.set(to, [...(byDest.get(to) ?? []), ["-s", `${f.node.ip}/32`, "-j", "DROP"]]);
    }
    await Promise.all([...byDest].map(([to, rules]) => this.rules(this.get(to), rules)));
  }

  async loss(nodes: string[], probability: number): Promise<void> {
    if (!(probability >= 0 && probability <= 1)) throw new LabError(`loss probability must be within 0..1, got ${probability}`);
    // Only packets from the peers: the harness' own connection to the node (ssh, docker) stays whole.
    const peers = [...this.nodes.values()].map((x) => x.node);
    await Promise.all(nodes.map((name) => this.rules(this.get(name), peers.filter((p) => p.name !== name)
      .map((p) => ["-s", `${p.ip}/32`, "-m", "statistic", "--mode", "random", "--probability", String(probability), "-j", "DROP"]))));
  }

  async heal(): Promise<void> {
    await Promise.all([...this.nodes.values()].filter((n) => n.rules).map((n) => this.must(n, ["sh", n.helper, "rules-flush", this.chain])));
  }

  async setClockOffset(node: string, ms: number): Promise<void> {
    if (!Number.isFinite(ms)) throw new LabError(`clock offset must be a number of ms, got ${ms}`);
    const n = this.get(node);
    const rounded = Math.round(ms);
    if (this.realClock) {
      n.realClock ??= this.journal.record("remote-realclock", { conn: n.t.conn, helper: n.helper, node, offsetMs: 0 });
      const delta = rounded - Number(n.realClock.offsetMs);
      if (!delta) return;
      // Journal first: if the harness dies between the two, undo moves the clock back by what may have been applied.
      this.journal.update(n.realClock, { offsetMs: rounded });
      await this.must(n, ["sh", n.helper, "realclock", String(delta)]);
      return;
    }
    await this.must(n, ["sh", n.helper, "clock", n.clockFile, `${rounded >= 0 ? "+" : "-"}${Math.abs(rounded)}`]);
  }

  async prepare(binaries: string[]): Promise<void> {
    await Promise.all([...this.nodes.values()].map(async (n) => {
      const todo = binaries.filter((b) => !n.probed.has(b));
      if (!todo.length) return;
      const r = await this.must(n, ["sh", n.helper, "gobins", ...todo]);
      for (const b of todo) n.probed.add(b);
      for (const f of r.stdout.split("\n")) if (f.trim()) n.goBins.add(f.trim());
    }));
  }

  clockUnsupported(binary: string): string | undefined {
    if (this.realClock) return undefined;
    if ([...this.nodes.values()].some((n) => !n.probed.has(binary))) return `clock skew: ${binary} was not examined on the nodes (the target did not call prepare)`;
    for (const n of this.nodes.values()) if (n.goBins.has(binary))
      return `clock skew is unsupported for ${binary} on the ${this.name} runtime's clock shim: Go programs read the wall clock through the vDSO, which no preload library can shift${this.name === "ssh" ? "; allow real clock changes (--ropt clock=real) to move the hosts' clocks with date -s" : "; per-node clocks need separate hosts (ssh runtime with clock=real)"}`;
    if ([...this.nodes.values()].some((n) => !n.shim)) return this.shimError ?? "no clock shim on the nodes";
    return undefined;
  }

  /** Stops every process, resets clocks, removes the firewall chain, copies each node's top-level files (logs,
   *  configs) into the run's directory (nodes/<name>/), removes what the run made on the nodes. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    const problems: string[] = [];
    await Promise.all([...this.procs.values()].filter((p) => p.info.running).map((p) => this.signal(p.info.node, p.info.name, "SIGKILL").catch((e) => problems.push((e as Error).message))));
    this.destroyed = true;
    for (const p of this.procs.values()) p.info.running = false;
    await Promise.all([...this.nodes.values()].map(async (n) => {
      if (!this.localDir) return;
      const local = join(this.localDir, "nodes", n.node.name);
      mkdirSync(local, { recursive: true });
      await n.t.fetchTar(["sh", n.helper, "tar", n.node.dir], local).catch((e) => problems.push(`logs of ${n.node.name} not fetched: ${(e as Error).message}`));
    }));
    await this.beforeUndo();
    const { errors } = this.journal.undoAll();
    problems.push(...errors);
    if (problems.length) throw new LabError(`lab teardown left problems:\n  ${problems.join("\n  ")}`, "run `faultline lab clean`");
  }

  /** Closes transports before the journal is replayed (docker: nothing; ssh: nothing, the masters are journaled). */
  protected async beforeUndo(): Promise<void> {}
}

/** NodeFiles through a remote runtime's exec (as the given user, so ownership comes out right). */
function remoteFiles(rt: RemoteRuntime): NodeFiles {
  return {
    async mkdir(node, path, o = {}) {
      await rt.exec(node, ["sh", "-c", 'mkdir -p "$0" && chmod "$1" "$0" && { [ "$2" = root ] || chown "$2": "$0"; }', path, (o.mode ?? 0o755).toString(8), o.user ?? "root"]);
    },
    async write(node, path, text, o = {}) {
      await rt.execInput(node, ["sh", "-c", o.append ? 'cat >> "$0"' : 'cat > "$0"', path], text, { user: o.user });
    },
    async read(node, path) {
      const r = await rt.exec(node, ["sh", "-c", '[ -e "$0" ] || exit 3; cat "$0"', path], { check: false });
      if (r.exitCode === 3) return undefined;
      if (r.exitCode !== 0) throw new LabError(`cannot read ${path} on ${node}: ${r.stderr.trim()}`);
      return r.stdout;
    },
    async exists(node, path) {
      return (await rt.exec(node, ["test", "-e", path], { check: false })).exitCode === 0;
    },
    async remove(node, path) {
      await rt.exec(node, ["rm", "-rf", "--one-file-system", path]);
    },
  };
}
