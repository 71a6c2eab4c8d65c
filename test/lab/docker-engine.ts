// A Docker engine of the tests' own: Debian's dockerd started on a private socket with --iptables=false,
// --ip-forward=false and --bridge=none, so it changes neither the host's firewall nor its forwarding (the
// namespace lab keeps working beside it), and stopped when the tests end. Its data root is a cache kept
// between runs (/var/lib/faultline/docker-test) so the node image is imported once; the image's root
// filesystem itself is built once by `faultline lab image` code (debootstrap, no registry) and cached.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { dockerClient } from "../../src/lab/docker.ts";
import { ensureImage } from "../../src/lab/image/index.ts";
import { eventually } from "./helpers.ts";

export const DATA_ROOT = process.env.FAULTLINE_TEST_DOCKER_ROOT ?? "/var/lib/faultline/docker-test";

export interface TestEngine {
  host: string;
  image: string;
  /** Host state that must be the same after the engine stops (firewall rules, forwarding, bridge netfilter). */
  hostState(): string;
  stop(): Promise<void>;
}

/** Why no engine can run here, or undefined. */
export function dockerUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  if (!existsSync("/usr/sbin/dockerd")) return "dockerd is missing (apt-get install -y docker.io)";
  if (!existsSync("/usr/sbin/debootstrap") && !existsSync(DATA_ROOT))
    return "debootstrap is missing (apt-get install -y debootstrap) to build the node image";
  return undefined;
}

const read = (p: string) => {
  try {
    return readFileSync(p, "utf8").trim();
  } catch {
    return "-";
  }
};
export function hostState(): string {
  const rules = (cmd: string) =>
    (spawnSync(cmd, [], { encoding: "utf8" }).stdout ?? "")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .join("\n");
  return [
    `ip_forward=${read("/proc/sys/net/ipv4/ip_forward")}`,
    `bridge-nf-call-iptables=${read("/proc/sys/net/bridge/bridge-nf-call-iptables")}`,
    rules("iptables-save"),
    rules("ip6tables-save"),
  ].join("\n");
}

export async function startEngine(log: (s: string) => void = () => undefined): Promise<TestEngine> {
  const run = mkdtempSync("/run/fl-dockerd-");
  mkdirSync(DATA_ROOT, { recursive: true });
  const host = `unix://${run}/docker.sock`;
  let child: ChildProcess | undefined = spawn(
    "dockerd",
    [
      "--host",
      host,
      "--data-root",
      DATA_ROOT,
      "--exec-root",
      join(run, "exec"),
      "--pidfile",
      join(run, "docker.pid"),
      "--iptables=false",
      "--ip-forward=false",
      "--bridge=none",
      "--ip-masq=false",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let err = "";
  child.stderr!.on("data", (d) => {
    err = (err + d).slice(-4000);
  });
  const exited = new Promise<void>((r) => child!.once("exit", () => r()));
  const stop = async () => {
    if (!child) return;
    const c = child;
    child = undefined;
    c.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (c.exitCode === null) {
      c.kill("SIGKILL");
      await exited;
    }
    rmSync(run, { recursive: true, force: true });
  };
  try {
    const docker = await dockerClient(host);
    if (
      !(await eventually(
        async () => {
          try {
            await docker.ping();
            return true;
          } catch {
            return child?.exitCode === null ? false : true;
          }
        },
        30_000,
        100,
      )) ||
      child.exitCode !== null
    )
      throw new Error(`dockerd did not start: ${err.trim().split("\n").slice(-5).join("\n")}`);
    const t0 = Date.now();
    const img = await ensureImage(docker, { log });
    log(
      `node image ${img.name}: ${img.built ? "built and imported" : img.imported ? "imported from the cached root filesystem" : "present"} in ${Date.now() - t0} ms`,
    );
    return { host, image: img.name, hostState, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
