// The netns runtime's host side, synchronous (also run by undo handlers and `lab clean`): names of the
// namespaces, veths and bridges faultline may create, listing them, and killing what runs in a namespace.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { LabError } from "./runtime.ts";

const LAB_RANGE = { base: ip4("198.18.0.0"), bits: 15 };
function ip4(s: string): number {
  return s.split(".").reduce((a, x) => a * 256 + Number(x), 0);
}

/** Checks a lab subnet: an a.b.c.0/24 inside 198.18.0.0/15. Returns the network address's first three octets. */
export function parseSubnet(subnet: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.0\/24$/.exec(subnet);
  const ok = m && m.slice(1).every((x) => Number(x) < 256);
  if (
    !ok ||
    Math.floor(ip4(subnet.split("/")[0]) / 2 ** (32 - LAB_RANGE.bits)) !==
      Math.floor(LAB_RANGE.base / 2 ** (32 - LAB_RANGE.bits))
  )
    throw new LabError(`lab subnet must be an x.y.z.0/24 inside 198.18.0.0/15, got ${JSON.stringify(subnet)}`);
  return `${m![1]}.${m![2]}.${m![3]}`;
}

export const nsName = (slot: number, i: number) => (slot === 0 ? `fl-n${i}` : `fl${slot}-n${i}`);
export const bridgeName = (slot: number) => `flbr${slot}`;
export const vethName = (slot: number, i: number) => `fl${slot}v${i}`;
/** Names faultline's netns runtime may create: only these are ever removed by `lab clean`. */
export const OUR_NETNS = /^fl(\d*)-n(\d+)$/;
export const OUR_LINK = /^fl(br\d+|\d+v\d+)$/;

export function sh(cmd: string, args: string[], quiet = false): { ok: boolean; out: string; err: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  const ok = r.status === 0;
  if (!ok && !quiet)
    throw new LabError(`${cmd} ${args.join(" ")} failed: ${(r.stderr || r.error?.message || "").trim()}`);
  return { ok, out: r.stdout ?? "", err: r.stderr ?? "" };
}

export const listNetns = (): string[] =>
  sh("ip", ["netns", "list"], true)
    .out.split("\n")
    .map((l) => l.split(" ")[0])
    .filter(Boolean);
export const listLinks = (): string[] =>
  sh("ip", ["-o", "link", "show"], true)
    .out.split("\n")
    .map((l) => l.split(": ")[1]?.split("@")[0])
    .filter((x): x is string => !!x);

/** Pids of every process whose parent chain reaches `root` (including root). */
export function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      /* gone */
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++)
    for (const [pid, pp] of parent) if (pp === out[i] && !out.includes(pid)) out.push(pid);
  return out.filter((p) => p === root || parent.has(p));
}

export const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
};
export const kill = (pid: number, sig: NodeJS.Signals) => {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone */
  }
};

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Continues and kills every process inside a namespace, waiting (up to ~5 s) until they are gone. */
export function killNamespace(ns: string): void {
  const pids = () => sh("ip", ["netns", "pids", ns], true).out.split("\n").filter(Boolean).map(Number).filter(alive);
  for (let i = 0; i < 100; i++) {
    const ps = pids();
    if (!ps.length) return;
    for (const p of ps) {
      kill(p, "SIGKILL");
      kill(p, "SIGCONT");
    }
    sleepSync(50);
  }
}
