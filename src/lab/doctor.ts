// `faultline lab doctor`: what the lab needs on this host, what is missing, and the exact command to fix it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { hasCommand } from "./netns.ts";
import { slots } from "./journal.ts";

export interface Check {
  name: string;
  ok: boolean;
  /** Debian package providing it (missing ones are listed in the install command). */
  pkg?: string;
  detail?: string;
}

export interface DoctorReport {
  checks: Check[];
  notes: string[];
  missing: string[];
  installCommand?: string;
}

/** The newest PostgreSQL server bin dir (FAULTLINE_PG_BIN overrides), or undefined. */
export function postgresBin(): string | undefined {
  if (process.env.FAULTLINE_PG_BIN) return process.env.FAULTLINE_PG_BIN;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(`${root}/${v}/bin/initdb`)).sort((a, b) => Number(b) - Number(a));
  return versions.length ? `${root}/${versions[0]}/bin` : undefined;
}

export const FAKETIME_LIB = ["/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"];

export function doctor(): DoctorReport {
  const cmd = (name: string, pkg: string, c = name): Check => ({ name: `${name}${c !== name ? ` (${c})` : ""}`, ok: hasCommand(c), pkg });
  const pg = postgresBin();
  const checks: Check[] = [
    { name: "Linux", ok: process.platform === "linux", detail: process.platform },
    { name: "root", ok: process.getuid?.() === 0, detail: "network namespaces and iptables need root: run faultline as root (sudo)" },
    cmd("iproute2", "iproute2", "ip"),
    cmd("iptables", "iptables"),
    cmd("iptables-restore", "iptables"),
    cmd("setpriv", "util-linux"),
    cmd("clock shim compiler", "gcc", "gcc"),
    { name: "libfaketime", ok: FAKETIME_LIB.some(existsSync), pkg: "faketime" },
    { name: "postgresql (initdb, pg_basebackup, postgres)", ok: !!pg && ["initdb", "pg_basebackup", "postgres", "pg_ctl"].every((b) => existsSync(`${pg}/${b}`)), pkg: "postgresql", detail: pg },
    { name: "postgres user", ok: spawnSync("id", ["postgres"]).status === 0, pkg: "postgresql" },
    cmd("redis-server", "redis-server"),
    cmd("redis-sentinel", "redis-sentinel"),
    cmd("etcd", "etcd-server"),
    cmd("etcdctl", "etcd-client"),
    cmd("patroni", "patroni"),
    cmd("patronictl", "patroni"),
  ];
  const notes: string[] = [];
  if (hasCommand("tc")) {
    const modules = safeRead("/proc/modules");
    const builtin = safeRead(`/lib/modules/${safeRead("/proc/sys/kernel/osrelease").trim()}/modules.builtin`);
    const netem = /\bsch_netem\b/.test(modules) || /sch_netem/.test(builtin) || existsSync(`/lib/modules/${safeRead("/proc/sys/kernel/osrelease").trim()}/kernel/net/sched/sch_netem.ko`);
    if (!netem) notes.push("no netem qdisc found in this kernel: latency/reorder/duplication faults are unsupported here (partitions, loss, kill, pause and clock work)");
  }
  if (safeRead("/proc/sys/net/bridge/bridge-nf-call-iptables").trim() === "1") {
    const fwd = spawnSync("iptables", ["-S", "FORWARD"], { encoding: "utf8" }).stdout ?? "";
    if (/^-P FORWARD DROP/m.test(fwd))
      notes.push("the host's iptables FORWARD policy is DROP and bridged traffic passes iptables (bridge-nf-call-iptables=1, e.g. left by dockerd): lab nodes cannot reach each other; faultline does not change the host firewall — allow forwarding on flbr* bridges or start dockerd with --iptables=false");
  }
  for (const s of slots()) notes.push(s.alive ? `lab slot ${s.slot} is in use by a running faultline (pid ${s.owner?.pid})` : `lab slot ${s.slot} holds leftovers of a dead run: run \`faultline lab clean\``);
  const missingPkgs = [...new Set(checks.filter((c) => !c.ok && c.pkg).map((c) => c.pkg!))];
  return {
    checks,
    notes,
    missing: checks.filter((c) => !c.ok).map((c) => c.name),
    installCommand: missingPkgs.length ? `apt-get install -y ${missingPkgs.join(" ")}` : undefined,
  };
}

function safeRead(p: string): string { try { return readFileSync(p, "utf8"); } catch { return ""; } }
