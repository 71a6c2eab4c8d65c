// The `docker` runtime: one container per node on a user-defined bridge network of the run's own, through
// the Docker Engine API (dockerode, against DOCKER_HOST or the default socket).
//
// Slot k (claimed through the cleanup journal, shared with the other runtimes): network `faultline-<k>` with
// subnet 198.19.k.0/24 (the harness reaches the containers through its gateway 198.19.k.1 on the host bridge
// `fld<k>`), containers `faultline-<k>-n1`, … at 198.19.k.11, …, each started from the node image (see
// `faultline lab image`) with NET_ADMIN, so the firewall faults run inside the container, and Docker's init
// as PID 1 (it reaps the servers the harness starts). Every container and network carries the labels
// faultline=1, faultline.slot, faultline.owner (the harness pid) and is journaled before it is created:
// teardown, an exit hook after Ctrl-C and `faultline lab clean` (which also sweeps labeled leftovers with
// `--runtime docker`) remove them. This file is the transport (`docker exec` into a container); the life
// cycle, faults and journal entries are node-runtime.ts's, through fl-node.sh, as for netns and ssh. Entries
// made inside a container need no undo of their own: removing the container ends them.
import { spawnSync } from "node:child_process";
import { PassThrough } from "node:stream";
import type Dockerode from "dockerode";
import type { Journal } from "./journal.ts";
import { NodeRuntime } from "./node-runtime.ts";
import { LabError } from "./runtime.ts";
import { ShellLink, type RawResult } from "./shell-link.ts";
import type { Capabilities, Conn, Reached, Transport } from "./transport.ts";
import { UsageError } from "../errors.ts";
import { defaultImage, rootfsTar as imageRootfs } from "./image/index.ts";

export interface DockerOptions {
  /** The node image (default: the tag `faultline lab image` builds). */
  image: string;
  /** The engine: unix:///path/docker.sock or tcp://host:port (default: DOCKER_HOST, else /var/run/docker.sock). */
  host: string;
  slot?: number;
}

export const DOCKER_OPTIONS = ["image", "docker-host", "slot"];

export function dockerHost(explicit?: string): string {
  return explicit ?? process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

export function parseDockerOptions(o: Record<string, unknown>): DockerOptions {
  for (const k of Object.keys(o))
    if (!DOCKER_OPTIONS.includes(k))
      throw new UsageError(
        `the docker runtime has no option ${JSON.stringify(k)}; options: ${DOCKER_OPTIONS.join(", ")}`,
      );
  const image = o.image === undefined ? defaultImage() : String(o.image);
  if (!/^[a-z0-9][a-z0-9._/:@-]*$/i.test(image))
    throw new UsageError(`bad docker image name ${JSON.stringify(o.image)}`);
  const host = dockerHost(o["docker-host"] as string | undefined);
  if (!/^(unix|tcp):\/\//.test(host))
    throw new UsageError(`docker host must be unix:///path or tcp://host:port, got ${JSON.stringify(host)}`);
  if (o.slot !== undefined && !(Number.isInteger(o.slot) && (o.slot as number) >= 0 && (o.slot as number) < 256))
    throw new UsageError(`slot must be an integer 0..255, got ${JSON.stringify(o.slot)}`);
  return { image, host, slot: o.slot as number | undefined };
}

/** A dockerode client for a DOCKER_HOST-style address. */
export async function dockerClient(host: string): Promise<Dockerode> {
  const { default: Docker } = await import("dockerode");
  if (host.startsWith("unix://")) return new Docker({ socketPath: host.slice("unix://".length) });
  const u = new URL(host.replace(/^tcp:/, "http:"));
  return new Docker({ host: u.hostname, port: Number(u.port || 2375) });
}

export const LABEL = "faultline";
export const containerName = (slot: number, i: number) => `faultline-${slot}-n${i}`;
export const networkName = (slot: number) => `faultline-${slot}`;
export const dockerSubnet = (slot: number) => `198.19.${slot}.0/24`;

const ROOT = "/faultline";

class DockerLink extends ShellLink {
  readonly conn: Conn;
  constructor(
    private readonly docker: Dockerode,
    private readonly container: Dockerode.Container,
    name: string,
  ) {
    super(`${ROOT}/fl-node.sh`);
    this.conn = { kind: "docker", container: name, where: `container ${name}` };
  }

  protected async raw(argv: string[], o: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<RawResult> {
    const exec = await this.container.exec({
      Cmd: argv,
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: o.input !== undefined,
      User: "root",
    });
    const stream = await exec.start({ hijack: true, stdin: o.input !== undefined });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const so = new PassThrough().on("data", (d: Buffer) => out.push(d));
    const se = new PassThrough().on("data", (d: Buffer) => err.push(d));
    this.docker.modem.demuxStream(stream, so, se);
    const ended = new Promise<void>((resolve) => {
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", () => resolve());
    });
    if (o.input !== undefined) stream.end(o.input);
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      ended,
      ...(o.timeoutMs
        ? [
            new Promise<void>((r) => {
              timer = setTimeout(() => {
                timedOut = true;
                stream.destroy();
                r();
              }, o.timeoutMs);
            }),
          ]
        : []),
    ]);
    clearTimeout(timer);
    let exitCode = -1;
    for (let i = 0; i < 100 && !timedOut; i++) {
      const s = await exec.inspect();
      if (!s.Running) {
        exitCode = s.ExitCode ?? -1;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    return { exitCode, out: Buffer.concat(out), err: Buffer.concat(err), timedOut };
  }
}

class DockerTransport implements Transport {
  readonly name = "docker";
  readonly capabilities: Capabilities = {
    localDirs: false,
    lossHitsHarness: false,
    realClock: false,
    clockHint: "per-node clocks need separate hosts (ssh runtime with clock=real)",
  };

  constructor(
    private readonly journal: Journal,
    readonly options: DockerOptions,
  ) {}

  get slot(): number {
    return this.journal.slot;
  }
  get subnets(): string[] {
    return [dockerSubnet(this.slot)];
  }

  async createNodes(count: number): Promise<Reached[]> {
    const host = this.options.host;
    const docker = await dockerClient(host);
    try {
      await docker.ping();
    } catch (e) {
      throw new LabError(
        `no Docker engine answers at ${host}: ${(e as Error).message}`,
        "start Docker (or set DOCKER_HOST to a running engine); `faultline lab doctor --runtime docker` checks",
      );
    }
    try {
      await docker.getImage(this.options.image).inspect();
    } catch {
      throw new LabError(
        `the node image ${this.options.image} is not in the engine at ${host}`,
        "build it with `faultline lab image` (no registry needed), or name an image you have with --image",
      );
    }
    const slot = this.slot;
    const labels = { [LABEL]: "1", [`${LABEL}.slot`]: String(slot), [`${LABEL}.owner`]: String(process.pid) };
    const net = networkName(slot);
    const prefix = `198.19.${slot}`;
    this.journal.record("docker-network", { name: net, host });
    try {
      await docker.createNetwork({
        Name: net,
        Driver: "bridge",
        CheckDuplicate: true,
        Labels: labels,
        IPAM: { Driver: "default", Config: [{ Subnet: dockerSubnet(slot), Gateway: `${prefix}.1` }] },
        Options: { "com.docker.network.bridge.name": `fld${slot}` },
      });
    } catch (e) {
      throw new LabError(
        `creating docker network ${net} failed: ${(e as Error).message}`,
        /already exists|overlap/i.test((e as Error).message)
          ? "a dead run's leftovers? run `faultline lab clean --runtime docker`"
          : undefined,
      );
    }
    const out: Reached[] = [];
    for (let i = 1; i <= count; i++) {
      const name = containerName(slot, i);
      const ip = `${prefix}.${10 + i}`;
      this.journal.record("docker-container", { name, host });
      let c: Dockerode.Container;
      try {
        c = await docker.createContainer({
          name,
          Image: this.options.image,
          Hostname: `n${i}`,
          Cmd: ["sleep", "infinity"],
          Labels: labels,
          HostConfig: { NetworkMode: net, CapAdd: ["NET_ADMIN"], Init: true },
          NetworkingConfig: { EndpointsConfig: { [net]: { IPAMConfig: { IPv4Address: ip } } } },
        });
        await c.start();
      } catch (e) {
        throw new LabError(
          `starting container ${name} failed: ${(e as Error).message}`,
          /Conflict|already in use/i.test((e as Error).message)
            ? "a dead run's leftovers? run `faultline lab clean --runtime docker`"
            : undefined,
        );
      }
      out.push({
        node: { name: `n${i}`, ip, dir: `${ROOT}/n${i}` },
        link: new DockerLink(docker, c, name),
        root: ROOT,
      });
    }
    return out;
  }
}

/** The docker runtime: the node runtime over one container per node. */
export class DockerRuntime extends NodeRuntime<DockerTransport> {
  constructor(readonly options: DockerOptions) {
    super("docker", options.slot, (j) => new DockerTransport(j, options));
  }
}

/** Containers and networks labeled faultline=1 whose slot no live run owns (for `lab clean --runtime docker`). */
export async function sweepDocker(
  host: string,
  liveSlots: Set<number>,
): Promise<{ removed: string[]; errors: string[] }> {
  const docker = await dockerClient(host);
  const removed: string[] = [];
  const errors: string[] = [];
  const mine = (labels: Record<string, string> | undefined) =>
    labels?.[LABEL] === "1" && !liveSlots.has(Number(labels[`${LABEL}.slot`]));
  for (const c of await docker.listContainers({ all: true, filters: { label: [`${LABEL}=1`] } })) {
    if (!mine(c.Labels)) continue;
    try {
      await docker.getContainer(c.Id).remove({ force: true, v: true });
      removed.push(`container ${c.Names[0]?.replace(/^\//, "") ?? c.Id}`);
    } catch (e) {
      errors.push(`container ${c.Id}: ${(e as Error).message}`);
    }
  }
  for (const n of await docker.listNetworks({ filters: { label: [`${LABEL}=1`] } })) {
    if (!mine(n.Labels)) continue;
    try {
      await docker.getNetwork(n.Id).remove();
      removed.push(`network ${n.Name}`);
    } catch (e) {
      errors.push(`network ${n.Name}: ${(e as Error).message}`);
    }
  }
  return { removed, errors };
}

/** `faultline lab doctor --runtime docker`: what the docker runtime needs here, and what is missing. */
export async function dockerDoctor(
  o: { host?: string; image?: string } = {},
): Promise<import("./doctor.ts").DoctorReport> {
  const { hasCommand } = await import("./netns.ts");
  const { existsSync } = await import("node:fs");
  const host = dockerHost(o.host);
  const image = o.image ?? defaultImage();
  const checks: import("./doctor.ts").Check[] = [];
  const notes: string[] = [];
  let docker: Dockerode | undefined;
  let engine: string;
  try {
    const client = await dockerClient(host);
    const v = await client.version();
    docker = client;
    engine = `Docker ${v.Version} at ${host}`;
    checks.push({ name: "Docker engine", ok: true, detail: engine });
  } catch (e) {
    checks.push({
      name: "Docker engine",
      ok: false,
      pkg: "docker.io",
      detail: `none answers at ${host} (${(e as Error).message}); start it (systemctl start docker), point DOCKER_HOST at one, or run a private one: dockerd --host unix:///run/fl-docker/docker.sock --data-root /var/lib/faultline/docker --iptables=false --ip-forward=false --bridge=none`,
    });
  }
  if (docker) {
    let present = false;
    try {
      await docker.getImage(image).inspect();
      present = true;
    } catch {
      /* missing */
    }
    checks.push({
      name: `node image ${image}`,
      ok: present,
      detail:
        "build it with `faultline lab image` (debootstrap, no registry needed), or name one you have with --image",
    });
  }
  checks.push({
    name: "debootstrap (to build the node image)",
    ok: hasCommand("debootstrap") || existsSync(rootfsCachePath()),
    pkg: "debootstrap",
  });
  checks.push({ name: "clock shim compiler (gcc)", ok: hasCommand("gcc"), pkg: "gcc" });
  checks.push({ name: "tar", ok: hasCommand("tar"), pkg: "tar" });
  if (!host.startsWith("unix://"))
    notes.push(
      `the engine at ${host} is remote: the harness must reach its containers' network (198.19.x.0/24) directly`,
    );
  if (hasCommand("iptables")) {
    const fwd = spawnSync("iptables", ["-S", "FORWARD"], { encoding: "utf8" }).stdout ?? "";
    if (/DOCKER/.test(fwd) && /^-P FORWARD DROP/m.test(fwd))
      notes.push(
        "this host's dockerd manages iptables (FORWARD policy DROP, DOCKER chains): bridged traffic between netns lab nodes is dropped while those rules stand; start dockerd with --iptables=false for the netns lab, or allow forwarding on flbr* bridges",
      );
  }
  return (await import("./doctor.ts")).report(checks, notes);
}

const rootfsCachePath = () => imageRootfs();
