// The `ssh` runtime: test nodes are real hosts (VMs, bare metal) reached over SSH, Jepsen-style.
//
// Commands go through the system `ssh` (run with execa), one ControlMaster connection per host, so a command
// costs one round trip (~0.1 s) instead of a handshake. The system client rather than the ssh2 package:
// it reads the user's own ssh_config, agent, known_hosts and ProxyJump settings, and the cleanup journal's
// undo handlers must be synchronous (they also run from an exit hook and from `faultline lab clean`), which
// a spawnSync of `ssh` is and ssh2 is not. Authentication is by key only (BatchMode: never a password, never
// a prompt); host keys are verified (StrictHostKeyChecking=yes) unless the user turns that off.
//
// A login user other than root runs every command under `sudo -n` (passwordless sudo required). Each node gets
// a directory of the run's own (<dir>/faultline-<slot>-<pid>, default dir /var/tmp/faultline) holding
// fl-node.sh, the clock shim and the node directory; it is removed at the end, after the node's top-level
// files (logs, configs) were copied into the run's results (nodes/<name>/).
//
// Clock skew: by default through the clock shim, like the other runtimes. With clock=real the hosts' system
// clocks are moved with `date -s` and moved back at the end (or by `faultline lab clean`), which also
// reaches Go programs such as etcd; it is refused when a node shares its kernel (and so its clock) with the
// harness or with another node, and it fights NTP: stop time synchronisation on the nodes for such runs.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { execa } from "execa";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import type { Journal } from "./journal.ts";
import { hasCommand } from "./netns.ts";
import { NodeRuntime } from "./node-runtime.ts";
import { LabError } from "./runtime.ts";
import { ShellLink, type RawResult } from "./shell-link.ts";
import { remoteCommand } from "./ssh-command.ts";
export { remoteCommand, shQuote } from "./ssh-command.ts";
import type { Capabilities, Conn, Reached, Transport } from "./transport.ts";
import { UsageError } from "../errors.ts";

export interface SshHost {
  host: string;
  user: string;
  port: number;
  /** Private key file (default: the ssh client's own configuration / agent). */
  key?: string;
  /** The address stores use for this node (default: the address ssh reached). */
  ip?: string;
}

export interface SshOptions {
  hosts: SshHost[];
  knownHosts?: string;
  /** Verify host keys (default true). */
  hostKeyCheck: boolean;
  /** Directory on the hosts for the run's files. */
  dir: string;
  clock: "shim" | "real";
  slot?: number;
}

const expandHome = (p: string) => (p.startsWith("~/") ? join(homedir(), p.slice(2)) : p);

/** Parses `[user@]host[:port]` (IPv6 as `[addr]:port`). */
export function parseHostSpec(spec: string, defaults: { user?: string; port?: number; key?: string } = {}): SshHost {
  const m = /^(?:([A-Za-z0-9._-]+)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d+))?$/.exec(spec.trim());
  if (!m)
    throw new UsageError(`bad ssh host ${JSON.stringify(spec)}: expected [user@]host[:port], e.g. root@10.0.0.11:22`);
  const port = m[3] !== undefined ? Number(m[3]) : (defaults.port ?? 22);
  if (!(port >= 1 && port <= 65535)) throw new UsageError(`bad ssh port in ${JSON.stringify(spec)}: must be 1..65535`);
  return { host: m[2].replace(/^\[|\]$/g, ""), user: m[1] ?? defaults.user ?? "root", port, key: defaults.key };
}

const HOST_FIELDS = ["host", "user", "port", "key", "ip"];
const FILE_FIELDS = ["nodes", "user", "port", "key", "known-hosts", "host-key-check", "dir", "clock"];

/** Reads a nodes file (YAML or JSON): `nodes:` a list of `[user@]host[:port]` strings or mappings with host,
 *  user, port, key, ip; top-level user, port, key, known-hosts, host-key-check, dir, clock apply to all.
 *  Errors name file:line: field. */
export function readNodesFile(file: string): Partial<SshOptions> & { hosts: SshHost[] } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(
      `cannot read nodes file ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`,
    );
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const line = (n: YamlNode | null | undefined) => (n?.range ? lc.linePos(n.range[0]).line : 1);
  const fail = (n: YamlNode | null | undefined, field: string, problem: string): never => {
    throw new UsageError(`${file}:${line(n)}: ${field}: ${problem}`);
  };
  if (doc.errors.length)
    throw new UsageError(
      `${file}:${lc.linePos(doc.errors[0].pos[0]).line}: yaml: ${doc.errors[0].message.split("\n")[0]}`,
    );
  let root = doc.contents as YamlNode | null;
  if (isSeq(root)) root = null; // a bare list of hosts
  const top = root && isMap(root) ? (doc.toJS() as Record<string, unknown>) : {};
  if (root && !isMap(root)) fail(root, "nodes file", "must be a mapping with `nodes:` or a list of hosts");
  for (const k of Object.keys(top))
    if (!FILE_FIELDS.includes(k))
      fail(doc.getIn([k], true) as YamlNode, k, `unknown field (expected ${FILE_FIELDS.join(", ")})`);
  const str = (k: string, v: unknown, n: YamlNode) => {
    if (typeof v !== "string" || !v) fail(n, k, "must be a non-empty string");
    return v as string;
  };
  const port = (k: string, v: unknown, n: YamlNode) => {
    if (!(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535))
      fail(n, k, "must be a port number 1..65535");
    return v as number;
  };
  const at = (path: (string | number)[]) => doc.getIn(path, true) as YamlNode;
  const defaults = {
    user: top.user === undefined ? undefined : str("user", top.user, at(["user"])),
    port: top.port === undefined ? undefined : port("port", top.port, at(["port"])),
    key: top.key === undefined ? undefined : resolve(file, "..", expandHome(str("key", top.key, at(["key"])))),
  };
  const listNode = (root ? at(["nodes"]) : (doc.contents as YamlNode)) as YamlNode | undefined;
  const list = root ? top.nodes : doc.toJS();
  if (!isSeq(listNode) || !Array.isArray(list) || !list.length)
    fail(
      listNode ?? (doc.contents as YamlNode),
      "nodes",
      "must be a non-empty list of hosts ([user@]host[:port] or {host, user, port, key, ip})",
    );
  const base = root ? ["nodes"] : [];
  const hosts = (list as unknown[]).map((h, i) => {
    const n = at([...base, i]);
    const f = `nodes[${i}]`;
    if (typeof h === "string") {
      try {
        return parseHostSpec(h, defaults);
      } catch (e) {
        return fail(n, f, (e as Error).message);
      }
    }
    if (typeof h !== "object" || h === null || Array.isArray(h))
      return fail(n, f, "must be a host string or a mapping with host");
    const o = h as Record<string, unknown>;
    for (const k of Object.keys(o))
      if (!HOST_FIELDS.includes(k))
        fail(at([...base, i, k]), `${f}.${k}`, `unknown field (expected ${HOST_FIELDS.join(", ")})`);
    if (o.host === undefined) fail(n, `${f}.host`, "required");
    const spec = str(`${f}.host`, o.host, at([...base, i, "host"]));
    let parsed: SshHost;
    try {
      parsed = parseHostSpec(spec, defaults);
    } catch (e) {
      return fail(at([...base, i, "host"]), `${f}.host`, (e as Error).message);
    }
    if (o.user !== undefined) parsed.user = str(`${f}.user`, o.user, at([...base, i, "user"]));
    if (o.port !== undefined) parsed.port = port(`${f}.port`, o.port, at([...base, i, "port"]));
    if (o.key !== undefined)
      parsed.key = resolve(file, "..", expandHome(str(`${f}.key`, o.key, at([...base, i, "key"]))));
    if (o.ip !== undefined) {
      const ip = str(`${f}.ip`, o.ip, at([...base, i, "ip"]));
      if (!/^[0-9.]+$|^[0-9A-Fa-f:]+$/.test(ip)) fail(at([...base, i, "ip"]), `${f}.ip`, "must be an IP address");
      parsed.ip = ip;
    }
    return parsed;
  });
  const out: Partial<SshOptions> & { hosts: SshHost[] } = { hosts };
  if (top["known-hosts"] !== undefined)
    out.knownHosts = resolve(file, "..", expandHome(str("known-hosts", top["known-hosts"], at(["known-hosts"]))));
  if (top["host-key-check"] !== undefined) {
    if (typeof top["host-key-check"] !== "boolean")
      fail(at(["host-key-check"]), "host-key-check", "must be true or false");
    out.hostKeyCheck = top["host-key-check"] as boolean;
  }
  if (top.dir !== undefined) out.dir = str("dir", top.dir, at(["dir"]));
  if (top.clock !== undefined) {
    if (top.clock !== "shim" && top.clock !== "real") fail(at(["clock"]), "clock", "must be shim or real");
    out.clock = top.clock as "shim" | "real";
  }
  void isScalar;
  return out;
}

export const SSH_OPTIONS = [
  "hosts",
  "nodes-file",
  "user",
  "port",
  "key",
  "known-hosts",
  "host-key-check",
  "dir",
  "clock",
  "slot",
];

/** The ssh runtime's settings from runtime options (--hosts, --nodes-file, --ropt key=value, a suite's runtime-options). */
export function parseSshOptions(o: Record<string, unknown>): SshOptions {
  for (const k of Object.keys(o))
    if (!SSH_OPTIONS.includes(k))
      throw new UsageError(`the ssh runtime has no option ${JSON.stringify(k)}; options: ${SSH_OPTIONS.join(", ")}`);
  const hostsGiven = o.hosts !== undefined && o.hosts !== "" && !(Array.isArray(o.hosts) && !o.hosts.length);
  if (hostsGiven && o["nodes-file"] !== undefined)
    throw new UsageError("give the ssh hosts either with --hosts or with --nodes-file, not both");
  if (!hostsGiven && o["nodes-file"] === undefined)
    throw new UsageError("the ssh runtime needs its hosts: --hosts [user@]host[:port],… or --nodes-file FILE");
  if (o.port !== undefined && !(Number.isInteger(o.port) && (o.port as number) >= 1 && (o.port as number) <= 65535))
    throw new UsageError(`ssh port must be 1..65535, got ${JSON.stringify(o.port)}`);
  const defaults = {
    user: o.user as string | undefined,
    port: o.port as number | undefined,
    key: o.key === undefined ? undefined : resolve(expandHome(String(o.key))),
  };
  const fromFile = o["nodes-file"] !== undefined ? readNodesFile(String(o["nodes-file"])) : undefined;
  const hosts = fromFile
    ? fromFile.hosts.map((h) => ({
        ...h,
        user: o.user !== undefined ? defaults.user! : h.user,
        key: h.key ?? defaults.key,
      }))
    : (Array.isArray(o.hosts) ? o.hosts.map(String) : String(o.hosts).split(","))
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => parseHostSpec(s, defaults));
  const seen = new Set<string>();
  for (const h of hosts) {
    const k = `${h.user}@${h.host}:${h.port}`;
    if (seen.has(k)) throw new UsageError(`ssh host ${k} is listed twice`);
    seen.add(k);
  }
  const bool = (k: string): boolean | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (v === true || v === "true" || v === "yes") return true;
    if (v === false || v === "false" || v === "no") return false;
    throw new UsageError(`ssh ${k} must be true or false, got ${JSON.stringify(v)}`);
  };
  const clock = (o.clock ?? fromFile?.clock ?? "shim") as string;
  if (clock !== "shim" && clock !== "real")
    throw new UsageError(
      `ssh clock must be shim (the clock shim, default) or real (date -s on the hosts), got ${JSON.stringify(o.clock)}`,
    );
  const dir = String(o.dir ?? fromFile?.dir ?? "/var/tmp/faultline");
  if (!isAbsolute(dir) || /['"\s]/.test(dir))
    throw new UsageError(`ssh dir must be an absolute path without spaces or quotes, got ${JSON.stringify(dir)}`);
  for (const h of hosts)
    if (h.key && !existsSync(h.key)) throw new UsageError(`ssh key ${h.key} (for ${h.host}) does not exist`);
  const knownHosts =
    o["known-hosts"] !== undefined ? resolve(expandHome(String(o["known-hosts"]))) : fromFile?.knownHosts;
  if (knownHosts && !existsSync(knownHosts)) throw new UsageError(`known-hosts file ${knownHosts} does not exist`);
  if (o.slot !== undefined && !(Number.isInteger(o.slot) && (o.slot as number) >= 0))
    throw new UsageError(`slot must be a non-negative integer, got ${JSON.stringify(o.slot)}`);
  return {
    hosts,
    knownHosts,
    hostKeyCheck: bool("host-key-check") ?? fromFile?.hostKeyCheck ?? true,
    dir,
    clock: clock as "shim" | "real",
    slot: o.slot as number | undefined,
  };
}

/** The ssh client arguments for a host (no master, no command). */
export function sshArgs(h: SshHost, o: { knownHosts?: string; hostKeyCheck: boolean }): string[] {
  return [
    "-o",
    "BatchMode=yes",
    "-o",
    "PasswordAuthentication=no",
    "-o",
    "KbdInteractiveAuthentication=no",
    "-o",
    `StrictHostKeyChecking=${o.hostKeyCheck ? "yes" : "no"}`,
    ...(o.knownHosts
      ? ["-o", `UserKnownHostsFile=${o.knownHosts}`]
      : o.hostKeyCheck
        ? []
        : ["-o", "UserKnownHostsFile=/dev/null"]),
    "-o",
    "ConnectTimeout=10",
    "-o",
    "ServerAliveInterval=5",
    "-o",
    "ServerAliveCountMax=3",
    "-o",
    "LogLevel=ERROR",
    ...(h.key ? ["-i", h.key, "-o", "IdentitiesOnly=yes"] : []),
    "-p",
    String(h.port),
    "-l",
    h.user,
  ];
}

class SshLink extends ShellLink {
  readonly conn: Conn;
  private readonly args: string[];

  constructor(
    readonly h: SshHost,
    base: string[],
    socket: string,
    private readonly sudo: boolean,
    root: string,
  ) {
    super(`${root}/fl-node.sh`);
    this.args = [...base, "-S", socket, "-o", "ControlMaster=no"];
    this.conn = { kind: "ssh", args: this.args, host: h.host, sudo, where: `${h.user}@${h.host}:${h.port}` };
  }

  protected async raw(
    argv: string[],
    o: { input?: string | Buffer; timeoutMs?: number; noSudo?: boolean } = {},
  ): Promise<RawResult> {
    const r = await execa("ssh", [...this.args, this.h.host, "--", remoteCommand(argv, this.sudo && !o.noSudo)], {
      input: o.input,
      stdin: o.input === undefined ? "ignore" : undefined,
      timeout: o.timeoutMs ?? 120_000,
      reject: false,
      encoding: "buffer",
      stripFinalNewline: false,
    });
    return {
      exitCode: r.exitCode ?? -1,
      out: Buffer.from(r.stdout as Uint8Array),
      err: Buffer.from(r.stderr as Uint8Array),
      timedOut: !!r.timedOut,
    };
  }

  /** Runs a command as the login user itself (no sudo), for the first look at a host. */
  async probe(argv: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const r = await this.raw(argv, { noSudo: true });
    return { exitCode: r.exitCode, stdout: r.out.toString(), stderr: r.err.toString() };
  }
}

const localBootId = () => {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return "";
  }
};

class SshTransport implements Transport {
  readonly name = "ssh";
  readonly capabilities: Capabilities;
  private ips: string[] = [];
  private harnessIps = new Set<string>();
  private realClockProblem?: string;

  constructor(
    private readonly journal: Journal,
    readonly options: SshOptions,
  ) {
    this.capabilities = {
      localDirs: false,
      lossHitsHarness: false,
      realClock: options.clock === "real",
      clockHint: "allow real clock changes (--ropt clock=real) to move the hosts' clocks with date -s",
    };
  }

  get slot(): number {
    return this.journal.slot;
  }

  get subnets(): string[] {
    const cidr = (ip: string) => (ip.includes(":") ? `${ip}/128` : `${ip}/32`);
    return [...new Set([...this.ips, ...this.harnessIps])].map(cidr);
  }

  async createNodes(count: number): Promise<Reached[]> {
    if (!hasCommand("ssh"))
      throw new LabError("the ssh client is missing on this host", "apt-get install -y openssh-client");
    const hosts = this.options.hosts;
    if (count > hosts.length)
      throw new LabError(
        `the run asks for ${count} nodes but the ssh runtime has ${hosts.length} host(s): ${hosts.map((h) => h.host).join(", ")}`,
        "give more hosts, or fewer --nodes",
      );
    const root = `${this.options.dir}/faultline-${this.slot}-${process.pid}`;
    const bootIds = new Map<string, string>();
    const reached = await Promise.all(
      hosts.slice(0, count).map(async (h, i) => {
        const name = `n${i + 1}`;
        const base = sshArgs(h, this.options);
        const socket = join(this.journal.dir, `ssh-${name}`);
        const entry = this.journal.record("ssh-master", { socket, host: h.host, node: name });
        // -f: the master forks once authenticated and keeps its stdio, so its messages go to a file (-E), not a pipe.
        const log = `${socket}.log`;
        rmSync(log, { force: true });
        const m = await execa("ssh", [...base, "-M", "-N", "-f", "-S", socket, "-E", log, h.host], {
          stdio: "ignore",
          reject: false,
          timeout: 30_000,
        });
        if (m.exitCode !== 0) {
          // ssh's warnings come framed in lines of @: keep the sentences.
          const err =
            (existsSync(log) ? readFileSync(log, "utf8") : "")
              .split("\n")
              .map((l) => l.trim())
              .filter((l) => l && !/^@+$/.test(l))
              .join(" ") || (m.timedOut ? "timed out" : "");
          const hint = /Host key verification failed|No .* host key is known/i.test(err)
            ? "add the host's key to known_hosts (ssh-keyscan, checked), give --ropt known-hosts=FILE, or turn checking off with --ropt host-key-check=false"
            : /Permission denied/i.test(err)
              ? "faultline logs in with keys only: give --ropt key=FILE (or key: in the nodes file), or load the key into ssh-agent"
              : undefined;
          throw new LabError(`ssh to ${h.user}@${h.host}:${h.port} failed: ${err || `exit ${m.exitCode}`}`, hint);
        }
        const check = await execa("ssh", ["-S", socket, "-O", "check", h.host], { reject: false });
        const pid = /pid=(\d+)/.exec(String(check.stderr) + String(check.stdout))?.[1];
        if (pid) this.journal.update(entry, { pid: Number(pid) });
        const t = new SshLink(h, base, socket, h.user !== "root", root);
        const probe = await t.probe(["sh", "-c", 'echo "$SSH_CONNECTION"; cat /proc/sys/kernel/random/boot_id; id -u']);
        const [sshConn, bootId, uid] = probe.stdout.split("\n").map((s) => s.trim());
        if (probe.exitCode !== 0 || !sshConn)
          throw new LabError(`cannot run commands on ${t.conn.where}: ${probe.stderr.trim() || "no SSH_CONNECTION"}`);
        if (uid !== "0") {
          const sudo = await t.run(["true"]);
          if (sudo.exitCode !== 0)
            throw new LabError(
              `${h.user} on ${h.host} cannot run sudo without a password (${sudo.stderr.trim()}): faultline needs root on the nodes for firewall rules and signals`,
              "log in as root, or allow this user passwordless sudo",
            );
        }
        const [clientIp, , serverIp] = sshConn.split(" ");
        this.harnessIps.add(clientIp);
        bootIds.set(name, bootId);
        return { node: { name, ip: h.ip ?? serverIp, dir: `${root}/${name}` }, link: t, root };
      }),
    );
    this.ips = reached.map((r) => r.node.ip);
    if (this.capabilities.realClock) {
      const mine = localBootId();
      const byNode = [...bootIds].sort(([a], [b]) => Number(a.slice(1)) - Number(b.slice(1)));
      const shared = byNode.filter(([, b]) => b === mine).map(([n]) => n);
      const twins = byNode.filter(([n, b]) => byNode.some(([m, c]) => m !== n && c === b)).map(([n]) => n);
      if (shared.length)
        this.realClockProblem = `real clock changes refused: ${shared.join(", ")} run${shared.length === 1 ? "s" : ""} on the harness' own kernel (same boot id), so date -s would move this machine's clock`;
      else if (twins.length)
        this.realClockProblem = `real clock changes refused: ${twins.join(", ")} share one kernel (same boot id), so their clocks cannot differ`;
    }
    return reached;
  }

  clockProblem(): string | undefined {
    return this.realClockProblem;
  }
}

/** The ssh runtime: the node runtime over real hosts reached with ssh. */
export class SshRuntime extends NodeRuntime<SshTransport> {
  constructor(readonly options: SshOptions) {
    super("ssh", options.slot, (j) => new SshTransport(j, options));
  }
}

/** `faultline lab doctor --runtime ssh`: the ssh client here, then per host: login, root (sudo), the tools and
 *  stores faultline runs there; what is missing and the command that installs it on that host. */
export async function sshDoctor(o: SshOptions): Promise<import("./doctor.ts").DoctorReport> {
  const checks: import("./doctor.ts").Check[] = [{ name: "ssh client", ok: hasCommand("ssh"), pkg: "openssh-client" }];
  const notes: string[] = [];
  const installs: string[] = [];
  // What fl-node.sh and the targets that run on ssh need on a host, from their declarations.
  const { labTargets, remoteNeeds } = await import("../target/all.ts");
  const { missingScript, packagesOf } = await import("../target/needs.ts");
  const needs = remoteNeeds(await labTargets(), "ssh").binaries;
  if (checks[0].ok) {
    for (const h of o.hosts) {
      const where = `${h.user}@${h.host}:${h.port}`;
      const script = ['echo "uid $(id -u)"', missingScript(needs), 'echo "arch $(uname -m)"'].join("; ");
      const r = await execa("ssh", [...sshArgs(h, o), h.host, "--", remoteCommand(["sh", "-c", script], false)], {
        stdin: "ignore",
        reject: false,
        timeout: 20_000,
      });
      if (r.exitCode !== 0) {
        checks.push({
          name: `login ${where}`,
          ok: false,
          detail:
            String(r.stderr)
              .split("\n")
              .filter((l) => l && !/^@+$/.test(l.trim()))
              .join(" ")
              .trim() || `exit ${r.exitCode}`,
        });
        continue;
      }
      checks.push({ name: `login ${where}`, ok: true });
      const out = String(r.stdout);
      if (!/^uid 0$/m.test(out)) {
        const sudo = await execa("ssh", [...sshArgs(h, o), h.host, "--", "sudo -n true"], {
          stdin: "ignore",
          reject: false,
          timeout: 20_000,
        });
        checks.push({
          name: `root on ${h.host} (sudo -n)`,
          ok: sudo.exitCode === 0,
          detail:
            "faultline needs root on the nodes (firewall rules, signals): log in as root or allow passwordless sudo",
        });
      }
      const missing = [...out.matchAll(/^missing (\S+)$/gm)].map((m) => m[1]);
      const pkgs = packagesOf(needs, missing);
      checks.push({
        name: `tools and stores on ${h.host}`,
        ok: !missing.length,
        detail: missing.length ? `missing: ${missing.join(", ")} (a target needs only its own store)` : undefined,
      });
      if (pkgs.length) installs.push(`on ${h.host}: apt-get install -y ${pkgs.join(" ")}`);
      const arch = /^arch (\S+)$/m.exec(out)?.[1];
      if (arch && arch !== ({ x64: "x86_64", arm64: "aarch64" } as Record<string, string>)[process.arch])
        notes.push(
          `${h.host} is ${arch}: the clock shim built here cannot be used there (clock skew refused unless clock=real)`,
        );
    }
  }
  notes.push(
    o.clock === "real"
      ? "clock=real: the hosts' system clocks are moved with date -s and restored; stop NTP (chrony, systemd-timesyncd) on them for such runs"
      : "clock skew through the clock shim (clock=real moves the hosts' system clocks instead, which also reaches Go programs such as etcd)",
  );
  if (!o.hostKeyCheck) notes.push("host keys are NOT verified (host-key-check=false)");
  return {
    checks,
    notes,
    missing: checks.filter((c) => !c.ok).map((c) => c.name),
    installCommand: installs.length
      ? installs.join("\n  ")
      : checks[0].ok
        ? undefined
        : "apt-get install -y openssh-client",
  };
}
