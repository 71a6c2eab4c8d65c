// The lab runtimes by name, and what targets need from any of them beyond the Runtime interface: files on a
// node (local for netns; through the runtime for docker and ssh, whose node directories live on the nodes)
// and a check that the store's programs are installed on every node.
//
// Each is the one node runtime (src/lab/node-runtime.ts) over a transport:
//
//   netns   network namespaces on this host (root; default)          src/lab/netns.ts
//   docker  one container per node on a network of its own           src/lab/docker.ts
//   ssh     real hosts over SSH                                      src/lab/ssh.ts
import { UsageError } from "../errors.ts";
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { spawnSync } from "node:child_process";
import { NetnsRuntime } from "./netns.ts";
import { SshRuntime, parseSshOptions } from "./ssh.ts";
import { DockerRuntime, parseDockerOptions } from "./docker.ts";
import { LabError, type LabNode, type NodeFiles, type Runtime } from "./runtime.ts";

export const RUNTIMES = ["netns", "docker", "ssh"] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

/** A lab target's setup failed part-way: undo the nodes and data it made, and report it as a LabError
 *  (usage errors pass through unchanged). Shared by every lab target's setup. */
export async function setupFailed(
  target: string,
  rt: Runtime,
  removeData: (() => void) | undefined,
  e: unknown,
): Promise<never> {
  await rt.destroy().catch(() => undefined);
  removeData?.();
  if (e instanceof LabError || e instanceof UsageError) throw e;
  throw new LabError(`${target} lab setup failed: ${(e as Error).message}`);
}

export interface RuntimeSettings {
  /** netns: the lab subnet (a target's `subnet` option). */
  subnet?: string;
  /** The journal slot to claim (a target's `slot` option). */
  slot?: number;
  /** The runtime's own options (--hosts, --nodes-file, --image, --ropt key=value, a suite's runtime-options). */
  options?: Record<string, unknown>;
}

/** Checks a runtime name and its options without creating anything (for early usage errors). */
export function validateRuntime(name: string, options: Record<string, unknown> = {}): void {
  if (!(RUNTIMES as readonly string[]).includes(name))
    throw new UsageError(`unknown runtime ${JSON.stringify(name)}; runtimes: ${RUNTIMES.join(", ")}`);
  if (name === "ssh") parseSshOptions(options);
  else if (name === "docker") parseDockerOptions(options);
  else if (Object.keys(options).length)
    throw new UsageError(
      `the netns runtime takes no runtime options (got ${Object.keys(options).join(", ")}); --hosts and --nodes-file are for --runtime ssh, --image for --runtime docker`,
    );
}

/** Creates the named runtime (nothing exists until createNodes). */
export function createRuntime(name: string = "netns", s: RuntimeSettings = {}): Runtime {
  const options = { ...s.options };
  validateRuntime(name, options);
  if (name === "ssh")
    return new SshRuntime(parseSshOptions({ ...options, ...(s.slot !== undefined ? { slot: s.slot } : {}) }));
  if (name === "docker")
    return new DockerRuntime(parseDockerOptions({ ...options, ...(s.slot !== undefined ? { slot: s.slot } : {}) }));
  return new NetnsRuntime({ subnet: s.subnet, slot: s.slot });
}

const ids = new Map<string, [number, number]>();
function localIds(user: string): [number, number] {
  let v = ids.get(user);
  if (!v) {
    const id = (f: string) => spawnSync("id", [f, user], { encoding: "utf8" });
    const u = id("-u"),
      g = id("-g");
    if (u.status !== 0 || g.status !== 0) throw new LabError(`no user ${user} on this host`);
    v = [Number(u.stdout.trim()), Number(g.stdout.trim())];
    ids.set(user, v);
  }
  return v;
}

/** Node files on the harness host (netns: node directories are local). */
export const localFiles: NodeFiles = {
  async mkdir(_node, path, o = {}) {
    mkdirSync(path, { recursive: true, mode: o.mode ?? 0o755 });
    chmodSync(path, o.mode ?? 0o755);
    if (o.user && o.user !== "root") chownSync(path, ...localIds(o.user));
  },
  async write(_node, path, text, o = {}) {
    const fresh = !existsSync(path);
    if (o.append) appendFileSync(path, text);
    else writeFileSync(path, text);
    if (fresh && o.user && o.user !== "root") chownSync(path, ...localIds(o.user));
  },
  async read(_node, path) {
    return existsSync(path) ? readFileSync(path, "utf8") : undefined;
  },
  async exists(_node, path) {
    return existsSync(path);
  },
  async remove(_node, path) {
    rmSync(path, { recursive: true, force: true });
  },
};

/** Files on a runtime's nodes: the runtime's own, or the local file system. */
export const nodeFiles = (rt: Runtime): NodeFiles => rt.files ?? localFiles;

/** The last `n` lines of a node's log, indented, for error messages. */
export async function tailOf(rt: Runtime, node: string, file: string, n = 15): Promise<string> {
  const text = await nodeFiles(rt)
    .read(node, file)
    .catch(() => undefined);
  if (text === undefined) return "  (no log)";
  return text
    .trimEnd()
    .split("\n")
    .slice(-n)
    .map((l) => `  ${l.length > 300 ? l.slice(0, 300) + "…" : l}`)
    .join("\n");
}

export interface Requirement {
  path: string;
  pkg: string;
}

/** Checks that every program a target runs is installed on every node; the error lists what is missing
 *  where, and the apt-get command that installs it. */
export async function checkInstalled(
  rt: Runtime,
  nodes: LabNode[],
  store: string,
  needs: Requirement[],
): Promise<void> {
  const pkgsOf = (paths: string[]) =>
    [...new Set(needs.filter((r) => paths.includes(r.path)).map((r) => r.pkg))].join(" ");
  if (!rt.files) {
    const missing = needs.filter((r) => !existsSync(r.path)).map((r) => r.path);
    if (missing.length)
      throw new LabError(
        `${store} is not installed (${missing.join(", ")} missing)`,
        `apt-get install -y ${pkgsOf(missing)} (or: faultline lab install)`,
      );
    return;
  }
  const paths = needs.map((r) => r.path);
  await rt.prepare?.(paths);
  const per = await Promise.all(
    nodes.map(async (n) => {
      const r = await rt.exec(n.name, ["sh", "-c", 'for f; do [ -x "$f" ] || echo "$f"; done', "sh", ...paths]);
      return [
        n.name,
        r.stdout
          .split("\n")
          .map((l) => l.trim())
          .filter(Boolean),
      ] as const;
    }),
  );
  const bad = per.filter(([, m]) => m.length);
  if (bad.length) {
    const all = [...new Set(bad.flatMap(([, m]) => m))];
    throw new LabError(
      `${store} is not installed on ${bad.map(([n, m]) => `${n} (${m.join(", ")} missing)`).join("; ")} (${rt.name} runtime)`,
      rt.name === "docker"
        ? "build the node image with `faultline lab image`, or use an image that has them (--image)"
        : `on those hosts: apt-get install -y ${pkgsOf(all)}`,
    );
  }
}

/** The newest PostgreSQL server bin directory on a node, or undefined. */
export async function postgresBinOn(rt: Runtime, node: string): Promise<string | undefined> {
  const r = await rt.exec(node, [
    "sh",
    "-c",
    'for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && echo "$d"; done; exit 0',
  ]);
  const dirs = r.stdout
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  dirs.sort((a, b) => Number(b.split("/")[4]) - Number(a.split("/")[4]));
  return dirs[0];
}
