// The `netns` runtime: test hosts as Linux network namespaces on one bridge, on this host (needs root).
//
// Slot k (claimed through the journal, so parallel runs do not collide): bridge `flbr<k>` holding the
// harness address 198.18.k.1; nodes `fl-n1`, `fl-n2`, … (slot 0) or `fl<k>-n1`, … (other slots), each with
// a veth `fl<k>v<i>` on the bridge and `eth0` inside at 198.18.k.(10+i). Faults are iptables rules inside
// the node namespaces only (the host's own firewall and interfaces are never touched). Servers run through
// `ip netns exec` (which execs, so the pid is the server's) and `setpriv` for another user; kill and pause
// act on the server and every process it forked. Clock offsets: a 32-byte control file per node, read by
// the clock shim (clockshim.c, compiled once with gcc) that servers started with clock:true preload.
import { spawn as spawnChild, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { Journal, processStart, registerUndo, stateDir, type JournalEntry } from "./journal.ts";
import { LabError, type ExecOptions, type ExecResult, type LabNode, type ProcessInfo, ProcessTable, type Runtime, type SpawnOptions } from "./runtime.ts";

export interface NetnsOptions {
  /** A /24 inside 198.18.0.0/15 (default 198.18.<slot>.0/24). */
  subnet?: string;
  /** Use this slot (default: the lowest free one). */
  slot?: number;
}

const LAB_RANGE = { base: ip4("198.18.0.0"), bits: 15 };
function ip4(s: string): number { return s.split(".").reduce((a, x) => a * 256 + Number(x), 0); }

/** Checks a lab subnet: an a.b.c.0/24 inside 198.18.0.0/15. Returns the network address's first three octets. */
export function parseSubnet(subnet: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.0\/24$/.exec(subnet);
  const ok = m && m.slice(1).every((x) => Number(x) < 256);
  if (!ok || Math.floor(ip4(subnet.split("/")[0]) / 2 ** (32 - LAB_RANGE.bits)) !== Math.floor(LAB_RANGE.base / 2 ** (32 - LAB_RANGE.bits)))
    throw new LabError(`lab subnet must be an x.y.z.0/24 inside 198.18.0.0/15, got ${JSON.stringify(subnet)}`);
  return `${m![1]}.${m![2]}.${m![3]}`;
}

export const nsName = (slot: number, i: number) => (slot === 0 ? `fl-n${i}` : `fl${slot}-n${i}`);
export const bridgeName = (slot: number) => `flbr${slot}`;
export const vethName = (slot: number, i: number) => `fl${slot}v${i}`;
/** Names faultline's netns runtime may create: only these are ever removed by `lab clean`. */
export const OUR_NETNS = /^fl(\d*)-n(\d+)$/;
export const OUR_LINK = /^fl(br\d+|\d+v\d+)$/;

/** `promise`, or `fallback` after `ms`; the timer keeps the process alive while waiting and is cleared at once. */
function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((r) => { timer = setTimeout(() => r(fallback), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---- synchronous helpers (also used by undo handlers and `lab clean`) ------------------------------------
function sh(cmd: string, args: string[], quiet = false): { ok: boolean; out: string; err: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  const ok = r.status === 0;
  if (!ok && !quiet) throw new LabError(`${cmd} ${args.join(" ")} failed: ${(r.stderr || r.error?.message || "").trim()}`);
  return { ok, out: r.stdout ?? "", err: r.stderr ?? "" };
}

export const listNetns = (): string[] =>
  sh("ip", ["netns", "list"], true).out.split("\n").map((l) => l.split(" ")[0]).filter(Boolean);
export const listLinks = (): string[] =>
  sh("ip", ["-o", "link", "show"], true).out.split("\n").map((l) => l.split(": ")[1]?.split("@")[0]).filter((x): x is string => !!x);

/** Pids of every process whose parent chain reaches `root` (including root). */
export function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch { /* gone */ }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, pp] of parent) if (pp === out[i] && !out.includes(pid)) out.push(pid);
  return out.filter((p) => p === root || parent.has(p));
}

const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch { return false; }
};
const kill = (pid: number, sig: NodeJS.Signals) => { try { process.kill(pid, sig); } catch { /* gone */ } };

function sleepSync(ms: number): void { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); }

/** Continues and kills every process inside a namespace, waiting (up to ~5 s) until they are gone. */
export function killNamespace(ns: string): void {
  const pids = () => sh("ip", ["netns", "pids", ns], true).out.split("\n").filter(Boolean).map(Number).filter(alive);
  for (let i = 0; i < 100; i++) {
    const ps = pids();
    if (!ps.length) return;
    for (const p of ps) { kill(p, "SIGKILL"); kill(p, "SIGCONT"); }
    sleepSync(50);
  }
}

registerUndo("bridge", (e) => { if (listLinks().includes(e.name as string)) sh("ip", ["link", "del", e.name as string], true); });
registerUndo("veth", (e) => { if (listLinks().includes(e.name as string)) sh("ip", ["link", "del", e.name as string], true); });
registerUndo("netns", (e) => {
  const ns = e.name as string;
  if (!listNetns().includes(ns)) return;
  killNamespace(ns);
  sh("ip", ["netns", "del", ns]);
});
registerUndo("process", (e) => {
  const pid = e.pid as number | undefined;
  if (!pid || processStart(pid) !== e.start) return;   // never started, or the pid now belongs to someone else
  const tree = processTree(pid);
  for (const p of tree) kill(p, "SIGKILL");
  for (const p of tree) kill(p, "SIGCONT");
});
registerUndo("rules", (e) => { if (listNetns().includes(e.ns as string)) sh("ip", ["netns", "exec", e.ns as string, "iptables", "-F", "INPUT"], true); });
registerUndo("pause", (e) => {
  for (const [pid, start] of e.pids as [number, string][]) if (processStart(pid) === start) kill(pid, "SIGCONT");
});
registerUndo("clock", (e) => { try { writeClockFile(e.file as string, 0); } catch { /* gone with the run dir */ } });

function writeClockFile(file: string, ms: number): void {
  const text = `${ms >= 0 ? "+" : "-"}${Math.abs(Math.round(ms))}`.padEnd(31, " ") + "\n";
  const fd = openSync(file, existsSync(file) ? "r+" : "w", 0o644);
  try { writeSync(fd, text, 0); } finally { closeSync(fd); }   // in place, same length: the shim's mapping stays valid
}

// ---- the clock shim ------------------------------------------------------------------------------------
let shimPath: string | undefined;
let shimError: string | undefined;
/** Compiles clockshim.c once per source version into the state dir; returns its path or undefined (shimError says why). */
export function clockShim(): string | undefined {
  if (shimPath || shimError) return shimPath;
  const src = new URL("./clockshim.c", import.meta.url).pathname;
  const code = readFileSync(src);
  const out = join(stateDir(), `clockshim-${createHash("sha256").update(code).digest("hex").slice(0, 12)}.so`);
  if (!existsSync(out)) {
    mkdirSync(stateDir(), { recursive: true, mode: 0o755 });
    const tmp = `${out}.${process.pid}.tmp`;
    const r = spawnSync("gcc", ["-O2", "-shared", "-fPIC", "-o", tmp, src], { encoding: "utf8" });
    if (r.status !== 0) { shimError = `the clock shim could not be built with gcc (${(r.stderr || r.error?.message || "").trim().split("\n")[0]}): apt-get install -y gcc`; return undefined; }
    chmodSync(tmp, 0o755);
    renameSync(tmp, out);
  }
  return (shimPath = out);
}

/** Go programs read the clock through the vDSO, so no preload library can shift it. */
function isGoBinary(path: string): boolean {
  try {
    const buf = readFileSync(path);
    return buf.includes("\xff Go buildinf:", 0, "latin1") || buf.includes(".go.buildinfo");
  } catch { return false; }
}

// ---- the runtime ---------------------------------------------------------------------------------------
interface Proc {
  info: ProcessInfo;
  entry: JournalEntry;
  pause?: JournalEntry;
  exited: Promise<void>;
}

export class NetnsRuntime implements Runtime {
  readonly name = "netns";
  readonly journal: Journal;
  readonly prefix: string;          // first three octets of the subnet
  private nodes = new Map<string, { node: LabNode; ns: string; index: number; clockFile: string; clock?: JournalEntry }>();
  private procs = new ProcessTable<Proc>();
  private rules = new Map<string, JournalEntry>();   // ns → its "rules" entry, while it holds any
  private netem = new Map<string, JournalEntry>();   // ns → its "netem" entry, while it has a qdisc
  private destroyed = false;

  constructor(options: NetnsOptions = {}) {
    if (process.platform !== "linux") throw new LabError("the netns lab runtime needs Linux");
    if (process.getuid?.() !== 0) throw new LabError("the netns lab runtime needs root (network namespaces, iptables)", "run as root, e.g. `sudo npx faultline …`");
    if (options.subnet !== undefined) parseSubnet(options.subnet);
    this.journal = Journal.claim("netns", options.slot);
    this.prefix = options.subnet ? parseSubnet(options.subnet) : `198.18.${this.journal.slot}`;
    try { this.refuseForeign(); } catch (e) { this.journal.undoAll(); throw e; }
  }

  get slot(): number { return this.journal.slot; }
  get bridge(): string { return bridgeName(this.slot); }
  get subnets(): string[] { return [`${this.prefix}.0/24`]; }
  /** The harness' own address on the lab bridge. */
  get hostIp(): string { return `${this.prefix}.1`; }

  /** Resources with this slot's names that no journal knows about (e.g. the state dir was wiped): refuse. */
  private refuseForeign(): void {
    const mine = (ns: string) => { const m = OUR_NETNS.exec(ns); return m && Number(m[1] || 0) === this.slot; };
    const stray = [...listNetns().filter(mine), ...listLinks().filter((l) => l === this.bridge || l.startsWith(`fl${this.slot}v`))];
    if (stray.length) throw new LabError(`lab slot ${this.slot} resources already exist without a live owner: ${stray.join(", ")}`, "run `faultline lab clean` to remove them, then start again");
  }

  async createNodes(count: number, dir: string): Promise<LabNode[]> {
    if (count < 1 || count > 200) throw new LabError(`node count must be 1..200, got ${count}`);
    const j = this.journal;
    j.record("bridge", { name: this.bridge });
    sh("ip", ["link", "add", this.bridge, "type", "bridge"]);
    sh("ip", ["addr", "add", `${this.hostIp}/24`, "dev", this.bridge]);
    sh("ip", ["link", "set", this.bridge, "up"]);
    const out: LabNode[] = [];
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
      const clockFile = join(node.dir, "clock");
      const clock = j.record("clock", { file: clockFile });
      writeClockFile(clockFile, 0);
      this.nodes.set(node.name, { node, ns, index: i, clockFile, clock });
      out.push(node);
    }
    return out;
  }

  private get(node: string) {
    const n = this.nodes.get(node);
    if (!n) throw new LabError(`no lab node ${JSON.stringify(node)}`);
    return n;
  }

  private wrap(node: string, argv: string[], user?: string): string[] {
    const { ns } = this.get(node);
    const as = user && user !== "root" ? ["setpriv", `--reuid=${user}`, `--regid=${user}`, "--init-groups", "--"] : [];
    return ["netns", "exec", ns, ...as, ...argv];
  }

  async exec(node: string, argv: string[], o: ExecOptions = {}): Promise<ExecResult> {
    const r = await execa("ip", this.wrap(node, argv, o.user), { env: o.env, cwd: o.cwd, timeout: o.timeoutMs ?? 60_000, reject: false, stdin: "ignore" });
    const res = { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? "") };
    if ((o.check ?? true) && res.exitCode !== 0)
      throw new LabError(`on ${node}: ${argv.join(" ")} failed (${r.timedOut ? "timed out" : `exit ${res.exitCode}`}): ${(res.stderr || res.stdout).trim().slice(-800)}`);
    return res;
  }

  async spawn(node: string, name: string, argv: string[], o: SpawnOptions): Promise<ProcessInfo> {
    const n = this.get(node);
    this.procs.checkFree(node, name);
    const env: Record<string, string> = { ...(process.env as Record<string, string>), ...o.env };
    if (o.clock) {
      const shim = clockShim();
      if (!shim) throw new LabError(shimError!);
      env.LD_PRELOAD = [shim, env.LD_PRELOAD].filter(Boolean).join(":");
      env.FAULTLINE_CLOCK_FILE = n.clockFile;
    }
    const entry = this.journal.record("process", { ns: n.ns, node, name, argv });
    const log = openSync(o.log, "a", 0o644);
    const child = spawnChild("ip", this.wrap(node, argv, o.user), { env, cwd: o.cwd, detached: true, stdio: ["ignore", log, log] });
    closeSync(log);
    const pid = child.pid;
    if (pid === undefined) {
      this.journal.done(entry);
      throw new LabError(`could not start ${name} on ${node}: ${argv.join(" ")}`);
    }
    this.journal.update(entry, { pid, start: processStart(pid) });
    const info: ProcessInfo = { node, name, pid, running: true, paused: false };
    const exited = new Promise<void>((resolve) => child.once("exit", () => {
      info.running = false;
      if (!this.destroyed) this.journal.done(entry);
      resolve();
    }));
    child.unref();
    this.procs.add({ info, entry, exited });
    return info;
  }


  async signal(node: string, name: string, sig: "SIGKILL" | "SIGTERM" | "SIGSTOP" | "SIGCONT" | "SIGINT"): Promise<void> {
    const p = this.procs.get(node, name);
    if (!p.info.running) return;
    const root = p.info.pid;
    if (sig === "SIGKILL") {
      kill(root, "SIGSTOP");                       // no more forks while we collect the tree
      const tree = processTree(root);
      for (const x of tree) kill(x, "SIGKILL");
      for (const x of tree) kill(x, "SIGCONT");
      await within(p.exited, 10_000, undefined);
      for (let i = 0; i < 200 && tree.some(alive); i++) await new Promise((r) => setTimeout(r, 10));
      this.clearPause(p);
      return;
    }
    if (sig === "SIGSTOP") {
      if (!p.pause) p.pause = this.journal.record("pause", { node, name, pids: [] });
      kill(root, "SIGSTOP");
      const tree = processTree(root);
      for (const x of tree) kill(x, "SIGSTOP");
      this.journal.update(p.pause, { pids: tree.map((x) => [x, processStart(x)]) });
      p.info.paused = true;
      return;
    }
    if (sig === "SIGCONT") {
      for (const x of processTree(root)) kill(x, "SIGCONT");
      this.clearPause(p);
      return;
    }
    kill(root, sig);
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
      kill(p.info.pid, o.signal ?? "SIGTERM");
      const grace = await within(p.exited.then(() => true), o.graceMs ?? 5000, false);
      if (grace) return;
    }
    await this.signal(node, name, "SIGKILL");
  }

  processes(node?: string): ProcessInfo[] {
    return this.procs.infos(node);
  }

  private async iptables(ns: string, rules: string[]): Promise<void> {
    if (!this.rules.has(ns)) this.rules.set(ns, this.journal.record("rules", { ns }));
    const input = `*filter\n${rules.join("\n")}\nCOMMIT\n`;
    const r = await execa("ip", ["netns", "exec", ns, "iptables-restore", "--noflush"], { input, reject: false });
    if (r.exitCode !== 0) throw new LabError(`iptables in ${ns} failed: ${String(r.stderr).trim()}`);
  }

  async block(links: [string, string][]): Promise<void> {
    const byDest = new Map<string, string[]>();
    for (const [from, to] of links) {
      const f = this.get(from);
      const t = this.get(to);
      const list = byDest.get(t.ns) ?? [];
      list.push(`-A INPUT -s ${f.node.ip}/32 -j DROP`);
      byDest.set(t.ns, list);
    }
    await Promise.all([...byDest].map(([ns, rules]) => this.iptables(ns, rules)));
  }

  async loss(nodes: string[], probability: number): Promise<void> {
    if (!(probability >= 0 && probability <= 1)) throw new LabError(`loss probability must be within 0..1, got ${probability}`);
    await Promise.all(nodes.map((n) => this.iptables(this.get(n).ns, [`-A INPUT -i eth0 -m statistic --mode random --probability ${probability} -j DROP`])));
  }

  async latency(nodes: string[], ms: number): Promise<void> {
    for (const n of nodes) {
      const ns = this.get(n).ns;
      const r = await execa("ip", ["netns", "exec", ns, "tc", "qdisc", "add", "dev", "eth0", "root", "netem", "delay", `${ms}ms`], { reject: false });
      if (r.exitCode !== 0) {
        const why = String(r.stderr).trim();
        throw new LabError(`latency is unsupported here: tc netem failed (${why})${/unknown/i.test(why) ? "; this kernel was built without the netem qdisc" : ""}`);
      }
      this.netem.set(ns, this.journal.record("netem", { ns }));
    }
  }

  async heal(): Promise<void> {
    const flushing = [...this.rules];
    this.rules.clear();
    await Promise.all(flushing.map(async ([ns, entry]) => {
      const r = await execa("ip", ["netns", "exec", ns, "iptables", "-F", "INPUT"], { reject: false });
      if (r.exitCode !== 0) throw new LabError(`iptables -F in ${ns} failed: ${String(r.stderr).trim()}`);
      this.journal.done(entry);
    }));
    const delays = [...this.netem];
    this.netem.clear();
    await Promise.all(delays.map(async ([ns, entry]) => {
      await execa("ip", ["netns", "exec", ns, "tc", "qdisc", "del", "dev", "eth0", "root"], { reject: false });
      this.journal.done(entry);
    }));
  }

  async setClockOffset(node: string, ms: number): Promise<void> {
    if (!Number.isFinite(ms)) throw new LabError(`clock offset must be a number of ms, got ${ms}`);
    writeClockFile(this.get(node).clockFile, ms);
  }

  clockUnsupported(binary: string): string | undefined {
    if (isGoBinary(binary)) return `clock skew is unsupported for ${binary}: Go programs read the wall clock through the vDSO, which no preload library (libfaketime or faultline's clock shim) can shift; per-node clocks need separate hosts (ssh runtime)`;
    if (!clockShim()) return shimError;
    return undefined;
  }

  /** Everything this runtime made, undone in reverse (processes killed, rules flushed, namespaces and bridge deleted). */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const { errors } = this.journal.undoAll();
    if (errors.length) throw new LabError(`lab teardown left problems:\n  ${errors.join("\n  ")}`, "run `faultline lab clean`");
  }
}

registerUndo("netem", (e) => { if (listNetns().includes(e.ns as string)) sh("ip", ["netns", "exec", e.ns as string, "tc", "qdisc", "del", "dev", "eth0", "root"], true); });

/** Whether a command is on the PATH; used by doctor. */
export function hasCommand(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}
