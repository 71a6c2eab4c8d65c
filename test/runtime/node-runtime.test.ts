// The node runtime's life cycle (spawn, signals, pause bookkeeping, stop with grace, rules, heal, latency,
// clock, journal) against an in-memory transport that records every command a node is asked to run: no root,
// no namespaces. The undo table is checked on real processes of this host where it can be (legacy entries
// without `conn` run fl-node.sh here).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { arch, tmpdir } from "node:os";
import { join } from "node:path";
import { NodeRuntime } from "../../src/lab/node-runtime.ts";
import { processStart, type Journal } from "../../src/lab/journal.ts";
import { UNDO } from "../../src/lab/undo.ts";
import type {
  Capabilities,
  Conn,
  NodeLink,
  Reached,
  RunOptions,
  RunResult,
  SpawnRequest,
  Spawned,
  Transport,
} from "../../src/lab/transport.ts";

const UNAME = ({ x64: "x86_64", arm64: "aarch64" } as Record<string, string>)[arch()] ?? arch();

/** A fake node: remembers commands, plays the processes it started. */
class FakeLink implements NodeLink {
  readonly conn: Conn;
  commands: string[][] = [];
  uploads: string[] = [];
  downloads: string[] = [];
  closed = false;
  /** pid → how it ends: `term` processes exit on SIGTERM, `stubborn` ones only on SIGKILL. */
  procs = new Map<number, { start: string; end: () => void; mode: "term" | "stubborn" }>();
  netem = true;
  constructor(
    readonly name: string,
    private nextPid: number,
  ) {
    this.conn = { kind: "docker", where: `fake ${name}` };
  }

  async run(argv: string[], _o: RunOptions = {}): Promise<RunResult> {
    this.commands.push(argv);
    const ok = (stdout = "") => ({ exitCode: 0, stdout, stderr: "", timedOut: false });
    if (argv[0] === "uname") return ok(`${UNAME}\n`);
    if (argv[0] !== "sh" || argv[1] === "-c") return ok();
    const [cmd, ...rest] = argv.slice(2);
    if (cmd === "signal") {
      const [sig, pid] = [rest[0], Number(rest[1])];
      const p = this.procs.get(pid);
      if (p && (sig === "KILL" || (sig === "TERM" && p.mode === "term"))) p.end();
      if (sig === "STOP") return ok(`${pid} ${p?.start}\n${pid + 1} 77\n`);
    }
    if (cmd === "gobins") return ok(rest.filter((b) => b.includes("etcd")).join("\n"));
    if (cmd === "latency" && !this.netem)
      return { exitCode: 2, stdout: "", stderr: "Error: Specified qdisc kind is unknown.", timedOut: false };
    return ok();
  }

  async spawn(argv: string[], s: SpawnRequest): Promise<Spawned> {
    this.commands.push(["spawn", s.clock ? `clock=${s.clock.file}` : "noclock", ...argv]);
    const pid = this.nextPid++;
    let end!: () => void;
    const exited = new Promise<void>((r) => {
      end = r;
    });
    this.procs.set(pid, { start: `${pid}00`, end, mode: argv[0] === "stubborn" ? "stubborn" : "term" });
    return { pid, start: `${pid}00`, exited };
  }

  async upload(path: string): Promise<void> {
    this.uploads.push(path);
  }
  async download(dir: string): Promise<void> {
    this.downloads.push(dir);
  }
  close(): void {
    this.closed = true;
  }
  /** Commands of fl-node.sh, without the helper's path. */
  helper(): string[][] {
    return this.commands.filter((c) => c[0] === "sh" && c[1] !== "-c").map((c) => c.slice(2));
  }
}

class FakeTransport implements Transport {
  readonly name = "fake";
  links: FakeLink[] = [];
  constructor(
    readonly journal: Journal,
    readonly capabilities: Capabilities,
  ) {}
  get subnets(): string[] {
    return ["10.9.0.0/24"];
  }
  async createNodes(count: number): Promise<Reached[]> {
    this.links = Array.from({ length: count }, (_, i) => new FakeLink(`n${i + 1}`, 1000 * (i + 1)));
    return this.links.map((link, i) => ({
      node: { name: `n${i + 1}`, ip: `10.9.0.${11 + i}`, dir: `/fake/n${i + 1}` },
      link,
      root: "/fake",
    }));
  }
}

const CAPS: Capabilities = { localDirs: false, lossHitsHarness: false, realClock: false, clockHint: "try elsewhere" };

describe("node runtime over a fake transport", () => {
  let state: string;
  let rt: NodeRuntime<FakeTransport>;
  const link = (i: number) => rt.transport.links[i];
  const kinds = () => rt.journal.entries().map((e) => e.kind);

  beforeEach(async () => {
    state = mkdtempSync(join(tmpdir(), "fl-state-"));
    process.env.FAULTLINE_LAB_STATE = state;
    rt = new NodeRuntime("fake", undefined, (j) => new FakeTransport(j, CAPS));
    await rt.createNodes(3, mkdtempSync(join(tmpdir(), "fl-run-")));
  });
  afterEach(async () => {
    await rt.destroy().catch(() => undefined);
    delete process.env.FAULTLINE_LAB_STATE;
  });

  it("installs the helper on every node and journals the node directories", () => {
    expect(link(0).uploads).toContain("/fake/fl-node.sh");
    expect(link(0).helper()).toContainEqual(["clock", "/fake/n1/clock", "+0"]);
    expect(kinds().filter((k) => k === "node-dir")).toHaveLength(3);
    expect(rt.files).toBeDefined(); // node directories are not local
  });

  it("pause is journaled with the stopped pids, cleared by SIGCONT; stop continues a paused process first", async () => {
    await rt.spawn("n1", "srv", ["server"], { log: "/fake/n1/log" });
    await rt.signal("n1", "srv", "SIGSTOP");
    expect(rt.processes("n1")[0].paused).toBe(true);
    const pause = rt.journal.entries().find((e) => e.kind === "pause")!;
    expect(pause.pids).toEqual([
      [1000, "100000"],
      [1001, "77"],
    ]);
    await rt.signal("n1", "srv", "SIGCONT");
    expect(rt.processes("n1")[0].paused).toBe(false);
    expect(kinds()).not.toContain("pause");
    await rt.signal("n1", "srv", "SIGSTOP");
    await rt.stop("n1", "srv");
    expect(
      link(0)
        .helper()
        .filter((c) => c[0] === "signal")
        .map((c) => c[1]),
    ).toEqual(["STOP", "CONT", "STOP", "CONT", "TERM"]);
    expect(rt.processes("n1")[0]).toMatchObject({ running: false, paused: false });
    expect(kinds()).not.toContain("pause");
    expect(kinds()).not.toContain("process"); // it exited: its entry is done
  });

  it("stop escalates to SIGKILL after the grace period; a polite process is only asked", async () => {
    await rt.spawn("n2", "polite", ["server"], { log: "/fake/n2/a" });
    await rt.spawn("n2", "stubborn", ["stubborn"], { log: "/fake/n2/b" });
    await rt.stop("n2", "polite", { graceMs: 50 });
    await rt.stop("n2", "stubborn", { graceMs: 50 });
    const signals = link(1)
      .helper()
      .filter((c) => c[0] === "signal")
      .map((c) => `${c[1]} ${c[2]}`);
    expect(signals).toEqual(["TERM 2000", "TERM 2001", "KILL 2001"]);
    expect(rt.processes("n2").map((p) => p.running)).toEqual([false, false]);
    await rt.stop("n2", "stubborn"); // idempotent: nothing more is sent
    expect(
      link(1)
        .helper()
        .filter((c) => c[0] === "signal"),
    ).toHaveLength(3);
  });

  it("a running name cannot be spawned twice; after a kill it can", async () => {
    await rt.spawn("n1", "srv", ["server"], { log: "/fake/n1/log", clock: true });
    await expect(rt.spawn("n1", "srv", ["server"], { log: "/fake/n1/log" })).rejects.toThrow(/already runs on n1/);
    await rt.signal("n1", "srv", "SIGKILL");
    await rt.spawn("n1", "srv", ["server"], { log: "/fake/n1/log" });
    expect(
      link(0)
        .commands.filter((c) => c[0] === "spawn")
        .map((c) => c[1]),
    ).toEqual(["clock=/fake/n1/clock", "noclock"]);
  });

  it("one-way blocks go to the receiver's chain, loss spares the harness, heal flushes the chains it made", async () => {
    await rt.block([
      ["n1", "n2"],
      ["n3", "n2"],
    ]);
    await rt.loss(["n3"], 0.25);
    expect(link(1).helper()).toContainEqual(["rules-init", rt.chain]);
    const script = (i: number) =>
      link(i)
        .commands.filter((c) => c[1] === "-c" && c[2].includes("iptables"))
        .map((c) => c[2]);
    expect(script(1)).toEqual([
      `iptables -w -A ${rt.chain} -s 10.9.0.11/32 -j DROP && iptables -w -A ${rt.chain} -s 10.9.0.13/32 -j DROP`,
    ]);
    expect(script(2)[0]).toContain("-s 10.9.0.11/32 -m statistic --mode random --probability 0.25 -j DROP");
    expect(script(2)[0]).toContain("-s 10.9.0.12/32 -m statistic");
    expect(script(0)).toEqual([]);
    expect(
      rt.journal
        .entries()
        .filter((e) => e.kind === "rules")
        .map((e) => e.node),
    ).toEqual(["n2", "n3"]);
    await rt.heal();
    expect(link(1).helper().at(-1)).toEqual(["rules-flush", rt.chain]);
    expect(
      link(0)
        .helper()
        .some((c) => c[0] === "rules-flush"),
    ).toBe(false); // n1 never had rules
  });

  it("latency is journaled until heal; without netem it is refused as unsupported here and leaves no entry", async () => {
    await rt.latency!(["n1"], 40);
    expect(link(0).helper()).toContainEqual(["latency", "10.9.0.11", "40"]);
    expect(kinds()).toContain("netem");
    await rt.heal();
    expect(link(0).helper().at(-1)).toEqual(["latency-clear", "10.9.0.11"]);
    expect(kinds()).not.toContain("netem");
    link(1).netem = false;
    await expect(rt.latency!(["n2"], 40)).rejects.toThrow(/unsupported here[\s\S]*netem/);
    expect(kinds()).not.toContain("netem");
  });

  it("clock offsets go to the node's offset file; Go programs are refused after prepare, never guessed before", async () => {
    await rt.setClockOffset("n2", -1500.4);
    expect(link(1).helper().at(-1)).toEqual(["clock", "/fake/n2/clock", "-1500"]);
    expect(rt.clockUnsupported("/usr/bin/etcd")).toMatch(/not examined/);
    await rt.prepare!(["/usr/bin/etcd", "/usr/bin/redis-server"]);
    expect(rt.clockUnsupported("/usr/bin/etcd")).toMatch(/Go programs[\s\S]*try elsewhere/);
  });

  it("destroy kills what runs, fetches node files, closes links and undoes the whole journal", async () => {
    await rt.spawn("n3", "srv", ["stubborn"], { log: "/fake/n3/log" });
    await rt.signal("n3", "srv", "SIGSTOP");
    await rt.block([["n1", "n3"]]);
    expect(kinds()).toEqual(expect.arrayContaining(["process", "pause", "rules"]));
    const dir = rt.journal.dir;
    await rt.destroy();
    expect(
      link(2)
        .helper()
        .filter((c) => c[0] === "signal")
        .map((c) => c[1]),
    ).toEqual(["STOP", "KILL"]);
    expect(rt.processes("n3")[0].running).toBe(false);
    expect(rt.transport.links.map((l) => [l.closed, l.downloads])).toEqual([
      [true, ["/fake/n1"]],
      [true, ["/fake/n2"]],
      [true, ["/fake/n3"]],
    ]);
    expect(existsSync(dir)).toBe(false);
  });
});

describe("undo table", () => {
  const sleeper = async () => {
    const child = spawn("sleep", ["60"], { stdio: "ignore" });
    await new Promise((r) => child.once("spawn", r));
    const gone = new Promise<void>((r) => child.once("exit", () => r()));
    return { pid: child.pid!, start: processStart(child.pid!)!, gone, child };
  };
  const stateOf = (pid: number) => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1][0];

  it("has a handler for every kind a runtime writes", () => {
    for (const k of [
      "process",
      "pause",
      "rules",
      "netem",
      "realclock",
      "node-dir",
      "bridge",
      "veth",
      "netns",
      "docker-container",
      "docker-network",
      "ssh-master",
    ])
      expect(typeof UNDO[k]).toBe("function");
  });

  it("a process entry kills the process it names, and never a recycled pid", async () => {
    const s = await sleeper();
    UNDO.process({ id: 1, kind: "process", pid: s.pid, start: "1" }); // wrong start time: left alone
    expect(stateOf(s.pid)).not.toBe("Z");
    UNDO.process({ id: 2, kind: "process", pid: s.pid, start: s.start });
    await s.gone;
    expect(s.child.signalCode).toBe("SIGKILL");
  });

  it("a pause entry continues the processes it stopped", async () => {
    const s = await sleeper();
    process.kill(s.pid, "SIGSTOP");
    await new Promise((r) => setTimeout(r, 50));
    expect(stateOf(s.pid)).toBe("T");
    UNDO.pause({ id: 1, kind: "pause", pids: [[s.pid, s.start]] });
    await new Promise((r) => setTimeout(r, 50));
    expect(stateOf(s.pid)).not.toBe("T");
    s.child.kill("SIGKILL");
    await s.gone;
  });
});
