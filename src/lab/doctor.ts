// `faultline lab doctor`: what the lab needs on this host, what is missing, and the exact command to fix it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { hasCommand } from "./netns.ts";
import { slots } from "./journal.ts";
import { labTargets, localNeeds } from "../target/all.ts";
import type { Binary, Needs } from "../target/needs.ts";

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
  const versions = readdirSync(root)
    .filter((v) => existsSync(`${root}/${v}/bin/initdb`))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? `${root}/${versions[0]}/bin` : undefined;
}

/** Where a declared binary is on this host (a `*` in its path matches a version directory), or undefined. */
export function locate(b: Binary): string | undefined {
  if (!b.path) return hasCommand(b.name) ? b.name : undefined;
  const star = b.path.indexOf("*");
  if (star < 0) return existsSync(b.path) ? b.path : undefined;
  const dir = b.path.slice(0, star),
    rest = b.path.slice(star + 1);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return undefined;
  }
  return entries.map((e) => dir + e + rest).find((p) => existsSync(p));
}

/** How doctor looks at this host (a test passes its own). */
export interface Probe {
  locate(b: Binary): string | undefined;
  user(name: string): boolean;
}
const hostProbe: Probe = { locate, user: (name) => spawnSync("id", [name]).status === 0 };

/** One check per declared binary and user, each naming the package that provides it. */
export function needsChecks(needs: Required<Needs>, probe: Probe = hostProbe): Check[] {
  return [
    ...needs.binaries.map((b) => {
      const at = probe.locate(b);
      return {
        name: b.label ?? b.name,
        ok: at !== undefined,
        pkg: b.pkg,
        detail: at ?? `not found (${b.path ?? "on PATH"}); package ${b.pkg}`,
      };
    }),
    ...needs.users.map((u) => ({ name: `${u.name} user`, ok: probe.user(u.name), pkg: u.pkg })),
  ];
}

/** The report for these checks: what is missing, and the one apt-get command that installs it. */
export function report(checks: Check[], notes: string[]): DoctorReport {
  const missingPkgs = [...new Set(checks.filter((c) => !c.ok && c.pkg).map((c) => c.pkg!))];
  return {
    checks,
    notes,
    missing: checks.filter((c) => !c.ok).map((c) => c.name),
    installCommand: missingPkgs.length ? `apt-get install -y ${missingPkgs.join(" ")}` : undefined,
  };
}

/** `faultline lab doctor` for the netns runtime: this host's tools and every lab target's store. */
export async function doctor(): Promise<DoctorReport> {
  const checks: Check[] = [
    { name: "Linux", ok: process.platform === "linux", detail: process.platform },
    {
      name: "root",
      ok: process.getuid?.() === 0,
      detail: "network namespaces and iptables need root: run faultline as root (sudo)",
    },
    ...needsChecks(localNeeds(await labTargets())),
  ];
  const notes: string[] = [];
  if (hasCommand("tc")) {
    const modules = safeRead("/proc/modules");
    const builtin = safeRead(`/lib/modules/${safeRead("/proc/sys/kernel/osrelease").trim()}/modules.builtin`);
    const netem =
      /\bsch_netem\b/.test(modules) ||
      /sch_netem/.test(builtin) ||
      existsSync(`/lib/modules/${safeRead("/proc/sys/kernel/osrelease").trim()}/kernel/net/sched/sch_netem.ko`);
    if (!netem)
      notes.push(
        "no netem qdisc found in this kernel: latency/reorder/duplication faults are unsupported here (partitions, loss, kill, pause and clock work)",
      );
  }
  if (safeRead("/proc/sys/net/bridge/bridge-nf-call-iptables").trim() === "1") {
    const fwd = spawnSync("iptables", ["-S", "FORWARD"], { encoding: "utf8" }).stdout ?? "";
    if (/^-P FORWARD DROP/m.test(fwd))
      notes.push(
        "the host's iptables FORWARD policy is DROP and bridged traffic passes iptables (bridge-nf-call-iptables=1, e.g. left by dockerd): lab nodes cannot reach each other; faultline does not change the host firewall — allow forwarding on flbr* bridges or start dockerd with --iptables=false",
      );
  }
  for (const s of slots())
    notes.push(
      s.alive
        ? `lab slot ${s.slot} is in use by a running faultline (pid ${s.owner?.pid})`
        : `lab slot ${s.slot} holds leftovers of a dead run: run \`faultline lab clean\``,
    );
  return report(checks, notes);
}

function safeRead(p: string): string {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return "";
  }
}
