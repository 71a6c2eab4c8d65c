// The docker runtime's node image: Debian bookworm with the lab stores' packages plus iptables, iproute2,
// procps and faketime. Built from Debian's packages alone, no image registry needed: debootstrap
// --variant=minbase + apt-get install inside the root filesystem (build-rootfs.sh, about a minute), packed
// as a tarball cached under the state dir, then `docker import`ed and tagged. The tarball is reused for
// every later import (a new engine, a wiped data root): seconds instead of a minute. Users with a registry
// can build the same image from the Dockerfile next to this file instead.
import { createHash } from "node:crypto";
import { spawn } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type Dockerode from "dockerode";
import { LabError } from "../runtime.ts";

export const SUITE = "bookworm";
/** The stores the lab targets run, and what the runtime needs inside a node: the targets' and the runtime's
 *  declared image packages (src/lab/needs.ts, targets/<name>/index.ts), kept here so the image's tag is known
 *  without loading every target; test/target/declarations.test.ts keeps it equal to the declarations. */
export const IMAGE_PACKAGES = [
  "iptables",
  "iproute2",
  "faketime",
  "procps",
  "postgresql-15",
  "redis-server",
  "redis-sentinel",
  "etcd-server",
  "etcd-client",
];
const SCRIPT = new URL("./build-rootfs.sh", import.meta.url).pathname;

/** The image's content key: packages and build script. */
export function imageKey(): string {
  return createHash("sha256")
    .update(JSON.stringify([SUITE, IMAGE_PACKAGES]))
    .update(readFileSync(SCRIPT))
    .digest("hex")
    .slice(0, 12);
}
export const IMAGE_REPO = "faultline-node";
/** The tag `faultline lab image` builds and the docker runtime uses by default. */
export const defaultImage = (): string => `${IMAGE_REPO}:${imageKey()}`;

/** Where built root filesystems are cached (FAULTLINE_IMAGE_CACHE, default /var/lib/faultline/image). */
export const imageCacheDir = (): string => process.env.FAULTLINE_IMAGE_CACHE ?? "/var/lib/faultline/image";
export const rootfsTar = (): string => join(imageCacheDir(), `rootfs-${SUITE}-${imageKey()}.tar`);

/** The Debian mirror apt already uses on this host (deb822 sources or sources.list), else deb.debian.org. */
export function debianMirror(): string {
  for (const f of ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"]) {
    let text: string;
    try {
      text = readFileSync(f, "utf8");
    } catch {
      continue;
    }
    const deb822 = /^URIs:\s*(\S+)/m.exec(text);
    if (deb822 && !/security/.test(deb822[1])) return deb822[1];
    const line = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+/m.exec(text);
    if (line && !/security/.test(line[1])) return line[1];
  }
  return "http://deb.debian.org/debian";
}

export interface BuildOptions {
  /** Rebuild the root filesystem even when a cached one exists. */
  force?: boolean;
  mirror?: string;
  log?: (line: string) => void;
}

/** Builds (or reuses) the cached root filesystem tarball; returns its path. */
export async function buildRootfs(o: BuildOptions = {}): Promise<string> {
  const out = rootfsTar();
  if (existsSync(out) && !o.force) return out;
  if (process.getuid?.() !== 0)
    throw new LabError("building the node image needs root (debootstrap, chroot)", "run `sudo faultline lab image`");
  mkdirSync(imageCacheDir(), { recursive: true, mode: 0o755 });
  const log = o.log ?? (() => undefined);
  await new Promise<void>((resolve, reject) => {
    const p = spawn("sh", [SCRIPT, out, SUITE, o.mirror ?? debianMirror(), ...IMAGE_PACKAGES], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    p.stdout.on("data", (d) => String(d).split("\n").filter(Boolean).forEach(log));
    p.stderr.on("data", (d) => {
      err += d;
    });
    p.on("error", reject);
    p.on("exit", (code) =>
      code === 0
        ? resolve()
        : reject(
            new LabError(
              `building the node image's root filesystem failed (exit ${code}): ${err.trim().slice(-1500)}`,
              code === 4 && /debootstrap is missing/.test(err) ? "apt-get install -y debootstrap" : undefined,
            ),
          ),
    );
  });
  return out;
}

/** Whether the engine has the image. */
export async function hasImage(docker: Dockerode, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch {
    return false;
  }
}

/** Imports the cached root filesystem into the engine as `name` (default: the default tag). */
export async function importImage(
  docker: Dockerode,
  tar: string,
  name = defaultImage(),
  log: (l: string) => void = () => undefined,
): Promise<void> {
  const [repo, tag = "latest"] = name.split(":");
  log(`faultline image: docker import ${tar} (${Math.round(statSync(tar).size / 1e6)} MB) as ${repo}:${tag}`);
  const stream = await docker.importImage(
    createReadStream(tar) as unknown as string,
    { repo, tag, changes: ['CMD ["sleep", "infinity"]'] } as never,
  );
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream as unknown as NodeJS.ReadableStream, (err: Error | null) =>
      err ? reject(err) : resolve(),
    ),
  );
  if (!(await hasImage(docker, `${repo}:${tag}`)))
    throw new LabError(`docker import of ${tar} did not produce ${repo}:${tag}`);
}

/** `faultline lab image`: the image in the engine, built and imported as needed. Returns its name. */
export async function ensureImage(
  docker: Dockerode,
  o: BuildOptions & { name?: string } = {},
): Promise<{ name: string; built: boolean; imported: boolean }> {
  const name = o.name ?? defaultImage();
  if (!o.force && (await hasImage(docker, name))) return { name, built: false, imported: false };
  const cached = existsSync(rootfsTar()) && !o.force;
  const tar = await buildRootfs(o);
  await importImage(docker, tar, name, o.log);
  if (name !== `${IMAGE_REPO}:latest`) await docker.getImage(name).tag({ repo: IMAGE_REPO, tag: "latest" });
  return { name, built: !cached, imported: true };
}
