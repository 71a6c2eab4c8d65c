// The lab's one node runtime: the life cycle every transport (netns, docker, ssh; transport.ts) shares, written
// once. It owns the node set, the process table (spawn, signals, pause bookkeeping, stop with grace), the
// firewall rules (one-way blocks, loss, latency, heal), the clock (the shim's offset file, or real clock
// changes where the transport allows them) and the journal: every resource is journaled with the node's
// `conn` before it exists, so undo.ts can remove it from a new process (`faultline lab clean`).
//
// On each node the work is done by fl-node.sh (image/fl-node.sh), uploaded with the clock shim into the run's
// directory there: process-tree signals (a process named by pid AND start time, never a recycled pid), a
// firewall chain of faultline's own jumped to from INPUT (a host's own rules are never touched), netem
// latency on the node's interface, clock offset files and `date -s`.
import { mkdirSync, readFileSync } from "node:fs";
import { arch } from "node:os";
import { join } from "node:path";
import { clockShim, clockShimError, writeClockFile } from "./clock-shim.ts";
import { Journal, type JournalEntry } from "./journal.ts";
import {
  LabError,
  ProcessTable,
  type ExecOptions,
  type ExecResult,
  type LabNode,
  type NodeFiles,
  type ProcessInfo,
  type Runtime,
  type SpawnOptions,
} from "./runtime.ts";
import { NODE_HELPER, type NodeLink, type Reached, type RunOptions, type Transport } from "./transport.ts";

type Signal = "SIGKILL" | "SIGTERM" | "SIGSTOP" | "SIGCONT" | "SIGINT";

interface Node {
  node: LabNode;
  link: NodeLink;
  helper: string;
  clockFile: string;
  shim?: string;
  rules?: JournalEntry;
  netem?: JournalEntry;
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

/** `promise`, or `fallback` after `ms`; the timer is cleared at once. */
function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((r) => {
    timer = setTimeout(() => r(fallback), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class NodeRuntime<T extends Transport = Transport> implements Runtime {
  readonly journal: Journal;
  readonly transport: T;
  readonly files?: NodeFiles;
  private nodes = new Map<string, Node>();
  private procs = new ProcessTable<Proc>();
  private destroyed = false;
  private localDir = "";
  private shimError?: string;

  /** Claims a journal slot, then makes the transport (which may refuse the slot: the claim is undone). */
  constructor(runtime: string, slot: number | undefined, transport: (journal: Journal) => T) {
    this.journal = Journal.claim(runtime, slot);
    try {
      this.transport = transport(this.journal);
    } catch (e) {
      this.journal.undoAll();
      throw e;
    }
    if (!this.transport.capabilities.localDirs) this.files = nodeFiles(this);
  }

  get name(): string {
    return this.transport.name;
  }
  get slot(): number {
    return this.journal.slot;
  }
  get subnets(): string[] {
    return this.transport.subnets;
  }
  /** faultline's firewall chain on every node. */
  get chain(): string {
    return `FAULTLINE-${this.slot}`;
  }
  private get caps() {
    return this.transport.capabilities;
  }

  async createNodes(count: number, dir: string): Promise<LabNode[]> {
    if (this.nodes.size) throw new LabError("createNodes was already called");
    if (!(Number.isInteger(count) && count >= 1 && count <= 200))
      throw new LabError(`node count must be 1..200, got ${count}`);
    this.localDir = dir;
    const reached = await this.transport.createNodes(count, dir);
    const shim = clockShim();
    if (!shim) this.shimError = clockShimError();
    await Promise.all(reached.map((r) => this.install(r, shim)));
    return reached.map((r) => r.node).sort((a, b) => Number(a.name.slice(1)) - Number(b.name.slice(1)));
  }

  /** Puts the helper and the clock shim into the node's run directory and zeroes its clock file. */
  private async install({ node, link, root }: Reached, shim: string | undefined): Promise<void> {
    const n: Node = {
      node,
      link,
      helper: `${root}/fl-node.sh`,
      clockFile: `${node.dir}/clock`,
      probed: new Set(),
      goBins: new Set(),
    };
    const want = ({ x64: "x86_64", arm64: "aarch64" } as Record<string, string>)[arch()] ?? arch();
    let uname = want; // local node directories: the transport made them, and the node is this machine
    if (!this.caps.localDirs) {
      this.journal.record("node-dir", { name: root, conn: link.conn });
      await this.must(n, ["sh", "-c", 'mkdir -p "$0" "$1" && chmod 755 "$0" "$1"', root, node.dir]);
      // The harness' clock shim works on a node of the same architecture (and a glibc at least as new, as in
      // the node image); otherwise clock skew is refused with the reason.
      uname = (await this.must(n, ["uname", "-m"])).stdout.trim();
    }
    await link.upload(n.helper, readFileSync(NODE_HELPER), 0o755);
    if (shim && uname === want) {
      n.shim = `${root}/clockshim.so`;
      await link.upload(n.shim, readFileSync(shim), 0o755);
    } else if (shim) this.shimError = `the clock shim is built for ${want} but ${node.name} is ${uname}`;
    await this.writeClock(n, 0);
    this.nodes.set(node.name, n);
  }

  private get(node: string): Node {
    const n = this.nodes.get(node);
    if (!n) throw new LabError(`no lab node ${JSON.stringify(node)}`);
    return n;
  }

  /** Runs argv as root on a node; throws a LabError on failure. */
  private async must(n: Node, argv: string[], o: RunOptions = {}): Promise<ExecResult> {
    const r = await n.link.run(argv, o);
    if (r.exitCode !== 0)
      throw new LabError(
        `on ${n.node.name} (${n.link.conn.where}): ${argv.join(" ").slice(0, 200)} failed (${r.timedOut ? "timed out" : `exit ${r.exitCode}`}): ${(r.stderr || r.stdout).trim().slice(-800)}`,
      );
    return r;
  }

  /** Runs a command on a node with `input` on its stdin (the files API). */
  async execInput(
    node: string,
    argv: string[],
    input: string | Buffer | undefined,
    o: ExecOptions = {},
  ): Promise<ExecResult> {
    const r = await this.get(node).link.run(argv, {
      user: o.user,
      env: o.env,
      cwd: o.cwd,
      timeoutMs: o.timeoutMs ?? 60_000,
      input,
    });
    if ((o.check ?? true) && r.exitCode !== 0)
      throw new LabError(
        `on ${node}: ${argv.join(" ")} failed (${r.timedOut ? "timed out" : `exit ${r.exitCode}`}): ${(r.stderr || r.stdout).trim().slice(-800)}`,
      );
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  }

  claimDir(node: string, path: string): void {
    this.journal.record("node-dir", { name: path, conn: this.get(node).link.conn });
  }

  exec(node: string, argv: string[], o: ExecOptions = {}): Promise<ExecResult> {
    return this.execInput(node, argv, undefined, o);
  }

  // ---- processes ---------------------------------------------------------------------------------------
  async spawn(node: string, name: string, argv: string[], o: SpawnOptions): Promise<ProcessInfo> {
    const n = this.get(node);
    this.procs.checkFree(node, name);
    const shimmed = !!o.clock && !this.caps.realClock;
    if (shimmed && !n.shim) throw new LabError(this.shimError ?? "no clock shim on this node");
    const entry = this.journal.record("process", { conn: n.link.conn, helper: n.helper, node, name, argv });
    let s;
    try {
      s = await n.link.spawn(argv, {
        user: o.user,
        env: o.env,
        cwd: o.cwd,
        log: o.log,
        clock: shimmed ? { file: n.clockFile, shim: n.shim! } : undefined,
      });
    } catch (e) {
      this.journal.done(entry);
      throw new LabError(
        `could not start ${name} on ${node} (${n.link.conn.where}): ${argv.join(" ")}: ${(e as Error).message}`,
      );
    }
    this.journal.update(entry, { pid: s.pid, start: s.start });
    const p: Proc = {
      info: { node, name, pid: s.pid, running: true, paused: false },
      entry,
      start: s.start,
      exited: s.exited,
    };
    p.exited = s.exited.then(() => {
      p.info.running = false;
      if (this.destroyed) return; // the journal is being undone as a whole
      this.clearPause(p);
      this.journal.done(entry);
    });
    this.procs.add(p);
    return p.info;
  }

  async signal(node: string, name: string, sig: Signal): Promise<void> {
    const p = this.procs.get(node, name);
    if (!p.info.running) return;
    const n = this.get(node);
    if (sig === "SIGSTOP" && !p.pause)
      p.pause = this.journal.record("pause", { conn: n.link.conn, helper: n.helper, node, name, pids: [] });
    const stopped = n.link.signal
      ? await n.link.signal(p.info.pid, p.start, sig)
      : (await this.must(n, ["sh", n.helper, "signal", sig.slice(3), String(p.info.pid), p.start])).stdout
          .split("\n")
          .map((l) => l.trim().split(" "))
          .filter((x) => x.length === 2)
          .map(([a, b]): [number, string] => [Number(a), b]);
    if (sig === "SIGKILL") {
      await within(p.exited, 10_000, undefined);
      this.clearPause(p);
    } else if (sig === "SIGSTOP") {
      this.journal.update(p.pause!, { pids: stopped });
      p.info.paused = true;
    } else if (sig === "SIGCONT") this.clearPause(p);
  }

  private clearPause(p: Proc): void {
    p.info.paused = false;
    if (p.pause) {
      this.journal.done(p.pause);
      p.pause = undefined;
    }
  }

  async stop(
    node: string,
    name: string,
    o: { signal?: "SIGTERM" | "SIGINT" | "SIGKILL"; graceMs?: number } = {},
  ): Promise<void> {
    const p = this.procs.find(node, name);
    if (!p || !p.info.running) return;
    if (p.info.paused) await this.signal(node, name, "SIGCONT");
    const sig = o.signal ?? "SIGTERM";
    if (sig !== "SIGKILL") {
      await this.signal(node, name, sig);
      if (
        await within(
          p.exited.then(() => true),
          o.graceMs ?? 5000,
          false,
        )
      )
        return;
    }
    await this.signal(node, name, "SIGKILL");
  }

  processes(node?: string): ProcessInfo[] {
    return this.procs.infos(node);
  }

  // ---- network -----------------------------------------------------------------------------------------
  /** Appends firewall rules to faultline's chain on a node (created and jumped to on first use). */
  private async rules(n: Node, rules: string[][]): Promise<void> {
    if (!n.rules) {
      n.rules = this.journal.record("rules", {
        conn: n.link.conn,
        helper: n.helper,
        chain: this.chain,
        node: n.node.name,
      });
      await this.must(n, ["sh", n.helper, "rules-init", this.chain]);
    }
    await this.must(n, ["sh", "-c", rules.map((r) => `iptables -w -A ${this.chain} ${r.join(" ")}`).join(" && ")]);
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
    if (!(probability >= 0 && probability <= 1))
      throw new LabError(`loss probability must be within 0..1, got ${probability}`);
    const drop = ["-m", "statistic", "--mode", "random", "--probability", String(probability), "-j", "DROP"];
    const peers = [...this.nodes.values()].map((x) => x.node);
    // Where the harness reaches a node over the lab network itself (docker, ssh), its packets stay whole.
    const rulesFor = (name: string) =>
      this.caps.lossHitsHarness
        ? [["!", "-i", "lo", ...drop]]
        : peers.filter((p) => p.name !== name).map((p) => ["-s", `${p.ip}/32`, ...drop]);
    await Promise.all(nodes.map((name) => this.rules(this.get(name), rulesFor(name))));
  }

  async latency(nodes: string[], ms: number): Promise<void> {
    if (!(ms >= 0 && Number.isFinite(ms))) throw new LabError(`latency must be a number of ms, got ${ms}`);
    for (const name of nodes) {
      const n = this.get(name);
      const entry =
        n.netem ?? this.journal.record("netem", { conn: n.link.conn, helper: n.helper, node: name, ip: n.node.ip });
      const r = await n.link.run(["sh", n.helper, "latency", n.node.ip, String(Math.round(ms))]);
      if (r.exitCode !== 0) {
        if (!n.netem) this.journal.done(entry);
        const why = (r.stderr || r.stdout).trim();
        throw new LabError(
          `latency is unsupported here: tc netem failed on ${name} (${why})${/unknown|not found/i.test(why) ? "; this kernel was built without the netem qdisc, or tc is missing" : ""}`,
        );
      }
      n.netem = entry;
    }
  }

  async heal(): Promise<void> {
    const nodes = [...this.nodes.values()];
    await Promise.all(
      nodes.filter((n) => n.rules).map((n) => this.must(n, ["sh", n.helper, "rules-flush", this.chain])),
    );
    await Promise.all(
      nodes
        .filter((n) => n.netem)
        .map(async (n) => {
          await this.must(n, ["sh", n.helper, "latency-clear", n.node.ip]);
          this.journal.done(n.netem!);
          n.netem = undefined;
        }),
    );
  }

  // ---- clock -------------------------------------------------------------------------------------------
  private async writeClock(n: Node, ms: number): Promise<void> {
    // A local file is rewritten in place at once (a clock strobe writes it every few ms); a node's through the helper.
    if (this.caps.localDirs) writeClockFile(n.clockFile, ms);
    else await this.must(n, ["sh", n.helper, "clock", n.clockFile, `${ms >= 0 ? "+" : "-"}${Math.abs(ms)}`]);
  }

  async setClockOffset(node: string, ms: number): Promise<void> {
    if (!Number.isFinite(ms)) throw new LabError(`clock offset must be a number of ms, got ${ms}`);
    const problem = this.transport.clockProblem?.();
    if (problem) throw new LabError(problem);
    const n = this.get(node);
    const rounded = Math.round(ms);
    if (!this.caps.realClock) return this.writeClock(n, rounded);
    n.realClock ??= this.journal.record("realclock", { conn: n.link.conn, helper: n.helper, node, offsetMs: 0 });
    const delta = rounded - Number(n.realClock.offsetMs);
    if (!delta) return;
    // Journal first: if the harness dies between the two, undo moves the clock back by what may have been applied.
    this.journal.update(n.realClock, { offsetMs: rounded });
    await this.must(n, ["sh", n.helper, "realclock", String(delta)]);
  }

  async prepare(binaries: string[]): Promise<void> {
    if (this.transport.isGoBinary) return; // the nodes' programs are this host's: looked at when asked
    await Promise.all(
      [...this.nodes.values()].map(async (n) => {
        const todo = binaries.filter((b) => !n.probed.has(b));
        if (!todo.length) return;
        const r = await this.must(n, ["sh", n.helper, "gobins", ...todo]);
        for (const b of todo) n.probed.add(b);
        for (const f of r.stdout.split("\n")) if (f.trim()) n.goBins.add(f.trim());
      }),
    );
  }

  clockUnsupported(binary: string): string | undefined {
    const problem = this.transport.clockProblem?.();
    if (problem) return problem;
    if (this.caps.realClock) return undefined;
    const nodes = [...this.nodes.values()];
    let go: boolean;
    if (this.transport.isGoBinary) go = this.transport.isGoBinary(binary);
    else if (nodes.some((n) => !n.probed.has(binary)))
      return `clock skew: ${binary} was not examined on the nodes (the target did not call prepare)`;
    else go = nodes.some((n) => n.goBins.has(binary));
    if (go)
      return `clock skew is unsupported for ${binary} on the ${this.name} runtime's clock shim: Go programs read the wall clock through the vDSO, which no preload library can shift; ${this.caps.clockHint}`;
    if (!clockShim()) return clockShimError();
    if (nodes.some((n) => !n.shim)) return this.shimError ?? "no clock shim on the nodes";
    return undefined;
  }

  // ---- the end -----------------------------------------------------------------------------------------
  /** Kills every process, copies each node's top-level files (logs, configs) into the run's directory
   *  (nodes/<name>/) when they live on the node, then undoes the journal: rules, latency, real clock offsets,
   *  the run's directories on the nodes, the nodes themselves. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    const problems: string[] = [];
    const running = [...this.procs.values()].filter((p) => p.info.running);
    await Promise.all(
      running.map((p) =>
        this.signal(p.info.node, p.info.name, "SIGKILL").catch((e) => problems.push((e as Error).message)),
      ),
    );
    this.destroyed = true;
    for (const p of this.procs.values()) p.info.running = false;
    if (!this.caps.localDirs && this.localDir)
      await Promise.all(
        [...this.nodes.values()].map(async (n) => {
          const local = join(this.localDir, "nodes", n.node.name);
          mkdirSync(local, { recursive: true });
          await n.link
            .download(n.node.dir, local)
            .catch((e) => problems.push(`logs of ${n.node.name} not fetched: ${(e as Error).message}`));
        }),
      );
    for (const n of this.nodes.values()) n.link.close();
    const { errors } = this.journal.undoAll();
    problems.push(...errors);
    if (problems.length)
      throw new LabError(`lab teardown left problems:\n  ${problems.join("\n  ")}`, "run `faultline lab clean`");
  }
}

/** NodeFiles through a runtime's exec (as the given user, so ownership comes out right), for node directories
 *  that live on the nodes. */
function nodeFiles(rt: NodeRuntime): NodeFiles {
  return {
    async mkdir(node, path, o = {}) {
      await rt.exec(node, [
        "sh",
        "-c",
        'mkdir -p "$0" && chmod "$1" "$0" && { [ "$2" = root ] || chown "$2": "$0"; }',
        path,
        (o.mode ?? 0o755).toString(8),
        o.user ?? "root",
      ]);
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
