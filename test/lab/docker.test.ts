// The docker runtime against a real engine (root, FAULTLINE_LAB=1): dockerd started by the test on a private
// socket without touching the host firewall (docker-engine.ts), the node image built from Debian's packages
// when missing. Faults act inside containers; an etcd register run through leader partitions is linearizable,
// a PostgreSQL async-replica session run is flagged (read-your-writes) as on netns; Ctrl-C and SIGKILL +
// `faultline lab clean` leave no containers or networks; the host firewall is as it was once the engine stops.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { workloads } from "../../src/registry.ts";
import { postgresTarget } from "../../targets/postgres/index.ts";
import { resolveConfig, type RunConfig } from "../../src/run/config.ts";
import { run } from "../../src/run/runner.ts";
import { DockerRuntime, dockerClient, parseDockerOptions } from "../../src/lab/docker.ts";
import { cleanLab } from "../../src/lab/clean.ts";
import { dockerUnavailable, hostState, startEngine, type TestEngine } from "./docker-engine.ts";
import { eventually, leftovers } from "./helpers.ts";

const why = dockerUnavailable();
if (why) console.warn(`docker runtime lab tests SKIPPED: ${why}`);
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  chmodSync(d, 0o755);
  return d;
};

describe.skipIf(!!why)("docker runtime", () => {
  let engine: TestEngine;
  let before: string;
  /** faultline's containers and networks in the test engine. */
  const ours = async (): Promise<string[]> => {
    const docker = await dockerClient(engine.host);
    const cs = await docker.listContainers({ all: true, filters: { label: ["faultline=1"] } });
    const ns = await docker.listNetworks({ filters: { label: ["faultline=1"] } });
    return [...cs.map((c) => `container ${c.Names[0]}`), ...ns.map((n) => `network ${n.Name}`)];
  };
  const ropts = () => ({ "docker-host": engine.host, image: engine.image });

  beforeAll(async () => {
    before = hostState();
    engine = await startEngine((l) => console.log(l));
  }, 600_000);

  afterAll(async () => {
    if (!engine) return;
    expect(await ours()).toEqual([]);
    await engine.stop();
    expect(hostState()).toBe(before); // no firewall rule, forwarding or bridge setting left behind
  });

  it("runs commands, files, signals and firewall rules inside containers, and removes them", async () => {
    const rt = new DockerRuntime(parseDockerOptions(ropts()));
    const dir = tmp("fl-docker-rt-");
    const slot = rt.slot;
    try {
      const nodes = await rt.createNodes(3, dir);
      expect(nodes.map((n) => n.ip)).toEqual([11, 12, 13].map((i) => `198.19.${slot}.${i}`));
      expect((await rt.exec("n2", ["id", "-un"], { user: "postgres" })).stdout.trim()).toBe("postgres");
      await rt.files!.write("n1", `${nodes[0].dir}/a.conf`, "x=1\n");
      expect(await rt.files!.read("n1", `${nodes[0].dir}/a.conf`)).toBe("x=1\n");
      expect(await rt.files!.read("n2", `${nodes[0].dir}/a.conf`)).toBeUndefined(); // each container its own files
      const reach = async (from: string, to: string) =>
        (
          await rt.exec(from, ["bash", "-c", `timeout 1 bash -c 'echo > /dev/tcp/${to}/7000' 2>&1; echo $?`], {
            check: false,
          })
        ).stdout;
      for (const n of nodes)
        await rt.spawn(n.name, "listener", ["bash", "-c", "exec -a listener sleep 600"], { log: `${n.dir}/l.log` });
      // No server on 7000: a reachable peer refuses at once ("Connection refused"), a blocked one times out (124).
      expect(await reach("n2", nodes[0].ip)).toMatch(/refused/);
      await rt.block([["n2", "n1"]]);
      expect(await reach("n2", nodes[0].ip)).toMatch(/^124/m);
      expect(await reach("n3", nodes[0].ip)).toMatch(/refused/);
      await rt.heal();
      expect(await reach("n2", nodes[0].ip)).toMatch(/refused/);
      const p = rt.processes("n1")[0];
      await rt.signal("n1", "listener", "SIGSTOP");
      expect((await rt.exec("n1", ["sh", "-c", `grep State /proc/${p.pid}/status`])).stdout).toMatch(/stopped/);
      await rt.signal("n1", "listener", "SIGCONT");
      await rt.signal("n1", "listener", "SIGKILL");
      expect(rt.processes("n1")[0].running).toBe(false);
      expect((await rt.exec("n1", ["test", "-e", `/proc/${p.pid}`], { check: false })).exitCode).toBe(1);
      await rt.setClockOffset("n2", 3_600_000);
      expect(rt.clockUnsupported("/usr/bin/etcd")).toBeDefined(); // not prepared: refused, never guessed
      await rt.prepare!(["/usr/bin/etcd", "/usr/bin/redis-server"]);
      expect(rt.clockUnsupported("/usr/bin/etcd")).toMatch(/Go programs/);
      expect(rt.clockUnsupported("/usr/bin/redis-server")).toBeUndefined();
      await rt.block([["n1", "n3"]]); // left in place: removed with the containers
    } finally {
      await rt.destroy();
    }
    expect(await ours()).toEqual([]);
    expect(readdirSync(join(dir, "nodes", "n1")).sort()).toEqual(["a.conf", "clock", "l.log"]);
    expect(leftovers(slot)).toEqual([]);
  });

  it("an etcd register run through leader partitions is linearizable on docker", async () => {
    const t0 = performance.now();
    const out = await run(
      await resolveConfig({
        target: "etcd",
        runtime: "docker",
        runtimeOptions: ropts(),
        nodes: 3,
        resultsDir: tmp("fl-docker-etcd-"),
        name: "etcd-docker",
        workload: "register",
        nemesis: ["partition"],
        nemesisTarget: "primary",
        nemesisInterval: 3,
        timeLimit: 10,
        seed: "1",
      }),
    );
    const info = JSON.parse(readFileSync(join(out.dir, "run.json"), "utf8")).target as {
      slot: number;
      startMs: number;
      runtime: string;
    };
    console.log(`etcd on docker: cluster start ${info.startMs} ms, whole run ${Math.round(performance.now() - t0)} ms`);
    expect(info.runtime).toBe("docker");
    expect(out.history.filter((o) => o.process === "nemesis" && o.f === "partition").length).toBeGreaterThanOrEqual(1);
    const oks = out.history.filter((o) => o.type === "ok" && o.process !== "nemesis");
    expect(oks.filter((o) => o.f === "write").length).toBeGreaterThan(30);
    expect(out.results.checkers.linearizable.valid).toBe(true);
    expect(readFileSync(join(out.dir, "nodes", "n1", "etcd.log"), "utf8")).toMatch(/raft/);
    expect(await ours()).toEqual([]);
    expect(leftovers(info.slot)).toEqual([]);
  });

  it("a PostgreSQL async-replica session run is flagged on docker, as on netns", async () => {
    // The session workload's session checkers, as in the netns postgres test.
    workloads["session-guarantees"] ??= async () => {
      const session = await workloads.session();
      return {
        ...session,
        name: "session-guarantees",
        checkers: (o) => session.checkers(o).filter((c) => c.name !== "linearizable"),
      };
    };
    if (!postgresTarget.workloads.includes("session-guarantees")) postgresTarget.workloads.push("session-guarantees");
    const config: Partial<RunConfig> = {
      target: "postgres",
      runtime: "docker",
      runtimeOptions: ropts(),
      workload: "session-guarantees",
      nemesis: [],
      timeLimit: 10,
      ops: 2500,
      rate: 0,
      concurrency: 4,
      quiet: 0.2,
      resultsDir: tmp("fl-docker-pg-"),
      targetOptions: { replication: "async", read: "replica" },
    };
    const out = await run(await resolveConfig(config));
    expect(out.history.filter((o) => o.type === "ok").length).toBeGreaterThan(2000);
    const ryw = out.results.checkers["read-your-writes"];
    expect(ryw.valid).toBe(false);
    expect(ryw.anomalies.length).toBeGreaterThan(0);
    expect(out.summary).toMatch(/verdict: INVALID/);
    expect(readdirSync(join(out.dir, "nodes", "n2"))).toContain("postgres.log");
    expect(await ours()).toEqual([]);
  });

  const interrupted = async (signal: "SIGINT" | "SIGKILL") => {
    const results = tmp("fl-docker-int-");
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli/main.ts",
        "run",
        "--target",
        "redis",
        "--runtime",
        "docker",
        "--ropt",
        `docker-host=${engine.host}`,
        "--image",
        engine.image,
        "--nemesis",
        "partition,pause,clock",
        "--nemesis-interval",
        "1",
        "--time-limit",
        "60",
        "--results",
        results,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr!.on("data", (d) => {
      stderr = (stderr + d).slice(-3000);
    });
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    try {
      expect(
        await eventually(
          () => {
            for (const name of existsSync(results) ? readdirSync(results) : [])
              for (const stamp of readdirSync(join(results, name))) {
                const hist = join(results, name, stamp, "history.jsonl");
                if (
                  existsSync(hist) &&
                  /"process":"nemesis","type":"info","f":"(pause|clock)/.test(readFileSync(hist, "utf8"))
                )
                  return true;
              }
            return false;
          },
          45_000,
          200,
        ),
        `no pause or clock fault within 45 s; runner's stderr: ${stderr}`,
      ).toBe(true);
      expect((await ours()).length).toBe(4); // 3 containers and their network
    } finally {
      child.kill(signal);
    }
    return exited;
  };

  it("Ctrl-C during a run removes its containers and network", { timeout: 90_000 }, async () => {
    expect(await interrupted("SIGINT")).toBe(130);
    expect(await ours()).toEqual([]);
  });

  it(
    "after SIGKILL of the runner, `faultline lab clean` removes its containers and network",
    { timeout: 90_000 },
    async () => {
      await interrupted("SIGKILL");
      expect((await ours()).length).toBe(4); // left behind by the dead run
      const r = cleanLab();
      expect(r.errors).toEqual([]);
      expect(r.undone.filter((u) => /docker-(container|network)/.test(u)).length).toBe(4);
      expect(await ours()).toEqual([]);
    },
  );
});
