// SSH test hosts for the ssh runtime's lab tests: network namespaces on a lab bridge (made by the netns runtime),
// each running Debian's openssh-server with a host key and a client key generated for the test. Each sshd runs
// in a mount namespace of its own with a private tmpfs at BASE, so what the ssh runtime writes there exists
// only "on that host": a harness that read or wrote node files locally instead of over SSH would fail.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NetnsRuntime } from "../../src/lab/netns.ts";
import type { LabNode } from "../../src/lab/runtime.ts";
import { eventually } from "./helpers.ts";

export const SSHD = "/usr/sbin/sshd";
/** The ssh runtime's directory on the test hosts (a private tmpfs per host). */
export const BASE = "/var/tmp/faultline-sshtest";

export interface SshHosts {
  rt: NetnsRuntime;
  nodes: LabNode[];
  dir: string;
  key: string;
  knownHosts: string;
  hostKeyPub: string;
  hosts: string[];
  /** Runs a shell command on a host the way the ssh runtime sees it (inside sshd's mount namespace). */
  onHost(i: number, script: string): { status: number | null; stdout: string; stderr: string };
  destroy(): Promise<void>;
}

/** Why the ssh tests cannot run here, or undefined. */
export function sshUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  if (!existsSync(SSHD)) return `${SSHD} is missing (apt-get install -y openssh-server)`;
  if (spawnSync("sh", ["-c", "command -v ssh && command -v ssh-keygen"]).status !== 0)
    return "ssh / ssh-keygen missing (apt-get install -y openssh-client)";
  return undefined;
}

const listening = (ip: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: ip, port, timeout: 500 }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
    s.on("timeout", () => {
      s.destroy();
      resolve(false);
    });
  });

export async function startSshHosts(count: number): Promise<SshHosts> {
  const dir = mkdtempSync(join(tmpdir(), "fl-sshhosts-"));
  const key = join(dir, "client_key");
  const hostKey = join(dir, "host_key");
  for (const k of [key, hostKey]) {
    const r = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "faultline-test", "-f", k], {
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
  }
  writeFileSync(join(dir, "authorized_keys"), readFileSync(`${key}.pub`));
  const hostKeyPub = readFileSync(`${hostKey}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ");
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  mkdirSync(BASE, { recursive: true, mode: 0o755 });
  const rt = new NetnsRuntime();
  let nodes: LabNode[] = [];
  try {
    nodes = await rt.createNodes(count, dir);
    for (const n of nodes) {
      const conf = join(n.dir, "sshd_config");
      writeFileSync(
        conf,
        [
          `ListenAddress ${n.ip}`,
          "Port 22",
          `HostKey ${hostKey}`,
          `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
          "PasswordAuthentication no",
          "KbdInteractiveAuthentication no",
          "PermitRootLogin prohibit-password",
          "UsePAM no",
          "StrictModes no",
          `PidFile ${join(n.dir, "sshd.pid")}`,
          "MaxSessions 64",
          "MaxStartups 64",
          "LogLevel ERROR",
          "",
        ].join("\n"),
      );
      await rt.spawn(
        n.name,
        "sshd",
        [
          "unshare",
          "-m",
          "--propagation",
          "private",
          "sh",
          "-c",
          `mount -t tmpfs -o mode=755,size=512m faultline-host-${n.name} ${BASE} && exec ${SSHD} -D -f ${conf} -E ${join(n.dir, "sshd.log")}`,
        ],
        { log: join(n.dir, "sshd.out") },
      );
    }
    for (const n of nodes)
      if (!(await eventually(() => listening(n.ip, 22), 10_000)))
        throw new Error(`sshd on ${n.ip} did not listen: ${readFileSync(join(n.dir, "sshd.out"), "utf8")}`);
  } catch (e) {
    await rt.destroy().catch(() => undefined);
    throw e;
  }
  const knownHosts = join(dir, "known_hosts");
  writeFileSync(knownHosts, nodes.map((n) => `${n.ip} ${hostKeyPub}\n`).join(""));
  const pidOf = (i: number) => rt.processes(nodes[i].name).find((p) => p.name === "sshd")!.pid;
  return {
    rt,
    nodes,
    dir,
    key,
    knownHosts,
    hostKeyPub,
    hosts: nodes.map((n) => `root@${n.ip}`),
    onHost(i, script) {
      // sshd runs inside its own mount namespace (unshare -m): enter it and the node's network namespace.
      const r = spawnSync("nsenter", ["-t", String(pidOf(i)), "-m", "-n", "sh", "-c", script], { encoding: "utf8" });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    async destroy() {
      await rt.destroy();
      try {
        rmdirSync(BASE);
      } catch {
        /* in use by another test run, or gone */
      }
    },
  };
}
