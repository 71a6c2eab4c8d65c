// How each kind of journal entry is undone: one table, in one place. The handlers are synchronous (they also
// run from an 'exit' hook and from `faultline lab clean` in a new process), idempotent, and quiet about
// what is already gone. Entries made on a node carry `conn` (how to reach it again) and `helper` (fl-node.sh
// there); the node's transport has a synchronous runner for them below.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { JournalEntry } from "./journal.ts";
import { killNamespace, listLinks, listNetns, sh } from "./netns-host.ts";
import { LabError } from "./runtime.ts";
import { remoteCommand } from "./ssh-command.ts";
import { NODE_HELPER, type Conn } from "./transport.ts";

export type UndoHandler = (entry: JournalEntry) => void;

type Runner = (conn: Conn, argv: string[]) => { ok: boolean; err: string };
const result = (r: ReturnType<typeof spawnSync>) => ({
  ok: r.status === 0,
  err: String(r.stderr ?? "") || r.error?.message || `exit ${r.status}`,
});

/** Synchronous commands on a node, by transport. */
const RUNNERS: Record<string, Runner> = {
  // A namespace already deleted took its processes, rules and qdiscs with it.
  netns: (c, argv) =>
    listNetns().includes(c.ns as string)
      ? result(spawnSync("ip", ["netns", "exec", c.ns as string, ...argv], { encoding: "utf8" }))
      : { ok: true, err: "" },
  // Removing the container (its own entry) undoes whatever ran inside it.
  docker: () => ({ ok: true, err: "" }),
  ssh: (c, argv) =>
    result(
      spawnSync("ssh", [...(c.args as string[]), c.host as string, "--", remoteCommand(argv, c.sudo as boolean)], {
        encoding: "utf8",
        timeout: 30_000,
      }),
    ),
  // Journals written before entries had `conn` (netns): processes are this host's, signalled by pid and start.
  local: (_c, argv) => result(spawnSync(argv[0], argv.slice(1), { encoding: "utf8" })),
};

function runOn(conn: Conn, argv: string[]): void {
  const r = RUNNERS[conn.kind](conn, argv);
  if (!r.ok) throw new LabError(`on ${conn.where}: ${argv.join(" ")}: ${r.err.trim().slice(-300)}`);
}

/** Runs fl-node.sh on the entry's node. */
function onNode(e: JournalEntry, ...args: string[]): void {
  const conn = (e.conn as Conn | undefined) ?? { kind: "local" as never, where: "this host" };
  runOn(conn, ["sh", (e.helper as string | undefined) ?? NODE_HELPER, ...args]);
}

const deleteLink = (e: JournalEntry) => {
  if (listLinks().includes(e.name as string)) sh("ip", ["link", "del", e.name as string], true);
};

// Docker containers and networks go through the Engine API in a child node process (docker-undo.mjs).
const DOCKER_UNDO = fileURLToPath(new URL("./docker-undo.mjs", import.meta.url));
const dockerRemove = (kind: "container" | "network") => (e: JournalEntry) => {
  const r = spawnSync(process.execPath, [DOCKER_UNDO, e.host as string, kind, e.name as string], {
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.status !== 0)
    throw new LabError(`removing docker ${kind} ${e.name} failed: ${(r.stderr || r.error?.message || "").trim()}`);
};

const process_: UndoHandler = (e) => {
  if (e.pid) onNode(e, "signal", "KILL", String(e.pid), String(e.start));
};
const pause: UndoHandler = (e) => {
  const pids = ((e.pids ?? []) as [number, string][]).flat().map(String);
  if (pids.length) onNode(e, "cont", ...pids);
};
const rules: UndoHandler = (e) => {
  if (e.conn) onNode(e, "rules-remove", e.chain as string);
}; // older netns rules went with their namespace
const realclock: UndoHandler = (e) => {
  const off = Number(e.offsetMs ?? 0);
  if (off) onNode(e, "realclock", String(-off));
};
const nodeDir: UndoHandler = (e) => {
  const conn = e.conn as Conn;
  // A namespace shares this host's files (and may be gone already); elsewhere the directory is on the node.
  if (conn.kind === "netns") rmSync(e.name as string, { recursive: true, force: true });
  else runOn(conn, ["rm", "-rf", "--one-file-system", e.name as string]);
};

/** The undo of every journal entry kind. */
export const UNDO: Record<string, UndoHandler> = {
  // on a node, for every transport
  process: process_,
  pause,
  rules,
  netem: (e) => {
    if (e.conn) onNode(e, "latency-clear", e.ip as string);
  },
  realclock,
  "node-dir": nodeDir,
  // netns
  bridge: deleteLink,
  veth: deleteLink,
  netns: (e) => {
    const ns = e.name as string;
    if (!listNetns().includes(ns)) return;
    killNamespace(ns);
    sh("ip", ["netns", "del", ns]);
  },
  clock: () => {
    /* older netns journals: the offset file went with its processes */
  },
  // docker
  "docker-container": dockerRemove("container"),
  "docker-network": dockerRemove("network"),
  // ssh: the connection master, journaled before it is started
  "ssh-master": (e) => {
    const sock = e.socket as string;
    if (existsSync(sock))
      spawnSync("ssh", ["-S", sock, "-O", "exit", e.host as string], { encoding: "utf8", timeout: 10_000 });
    const pid = e.pid as number | undefined;
    if (pid) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(sock)) process.kill(pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
    rmSync(sock, { force: true });
    rmSync(`${sock}.log`, { force: true });
  },
  // journals written before docker and ssh shared the node runtime's entries
  "remote-process": process_,
  "remote-pause": pause,
  "remote-rules": rules,
  "remote-realclock": realclock,
  "remote-dir": nodeDir,
};
