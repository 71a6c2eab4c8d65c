// The ssh runtime against real sshd test hosts (root, FAULTLINE_LAB=1): network namespaces on a lab bridge,
// each running Debian's openssh-server with keys generated here (test/lab/ssh-hosts.ts). An etcd register run
// through leader partitions is linearizable over SSH, logs come back into the results, host keys are verified,
// and neither a finished run nor a SIGKILLed one (then `lab clean`) leaves processes, rules or files behind.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../../src/run/config.ts";
import { run } from "../../src/run/runner.ts";
import { SshRuntime, parseSshOptions } from "../../src/lab/ssh.ts";
import { cleanLab } from "../../src/lab/clean.ts";
import { slots } from "../../src/lab/journal.ts";
import type { Op } from "../../src/history/op.ts";
import { BASE, sshUnavailable, startSshHosts, type SshHosts } from "./ssh-hosts.ts";
import { eventually, leftovers, sleep } from "./helpers.ts";

const why = sshUnavailable();
if (why) console.warn(`ssh runtime lab tests SKIPPED: ${why}`);

describe.skipIf(!!why)("ssh runtime", () => {
  let h: SshHosts;
  const ropts = () => ({ hosts: h.hosts, key: h.key, "known-hosts": h.knownHosts, dir: BASE });
  /** What faultline left on the test hosts: files under BASE, its firewall chain, processes other than sshd. */
  const onHosts = (): string[] =>
    h.nodes.flatMap((n, i) => {
      const files = h.onHost(i, `ls -A ${BASE}; iptables -S | grep -i faultline; true`).stdout;
      // A host's processes: those in its network namespace (sshd and whatever came through it), but sshd itself.
      const ns = spawnSync("ip", ["netns", "identify", String(h.rt.processes(n.name)[0].pid)], {
        encoding: "utf8",
      }).stdout.trim();
      const procs = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" })
        .stdout.split("\n")
        .filter(Boolean)
        .map((p) => {
          try {
            return `${p} ${readFileSync(`/proc/${p}/comm`, "utf8").trim()}`;
          } catch {
            return "";
          }
        })
        .filter((l) => l && !/ sshd$/.test(l));
      return [...files.split("\n"), ...procs]
        .map((l) => l.trim())
        .filter(Boolean)
        .map((l) => `${n.name}: ${l}`);
    });
  const masters = () => spawnSync("pgrep", ["-f", "ssh .*-M -N -f -S"], { encoding: "utf8" }).stdout.trim();

  beforeAll(async () => {
    h = await startSshHosts(3);
  });
  afterAll(async () => {
    if (!h) return;
    const slot = h.rt.slot;
    await h.destroy();
    expect(leftovers(slot, h.dir)).toEqual([]);
  });

  it("runs commands, files, signals and firewall rules on the hosts, and removes everything", async () => {
    const rt = new SshRuntime(parseSshOptions(ropts()));
    const dir = mkdtempSync(join(tmpdir(), "fl-ssh-rt-"));
    try {
      const nodes = await rt.createNodes(3, dir);
      expect(nodes.map((n) => n.ip)).toEqual(h.nodes.map((n) => n.ip));
      expect(rt.subnets).toContain(`${h.rt.hostIp}/32`); // the harness, as the hosts see it (SSH_CONNECTION)
      expect((await rt.exec("n2", ["id", "-un"], { user: "postgres" })).stdout.trim()).toBe("postgres");
      // Node files live on the host only (a private tmpfs per test host), never on the harness' disk.
      await rt.files!.write("n1", `${nodes[0].dir}/a.conf`, "x=1\n");
      await rt.files!.write("n1", `${nodes[0].dir}/a.conf`, "y=2\n", { append: true });
      expect(await rt.files!.read("n1", `${nodes[0].dir}/a.conf`)).toBe("x=1\ny=2\n");
      expect(existsSync(`${nodes[0].dir}/a.conf`)).toBe(false);
      expect(await rt.files!.read("n2", `${nodes[0].dir}/a.conf`)).toBeUndefined();
      const p = await rt.spawn("n1", "sleeper", ["sh", "-c", "sleep 600 & sleep 600"], {
        log: `${nodes[0].dir}/sleeper.log`,
      });
      await rt.signal("n1", "sleeper", "SIGSTOP");
      expect(h.onHost(0, `grep State /proc/${p.pid}/status`).stdout).toMatch(/stopped/);
      await rt.signal("n1", "sleeper", "SIGCONT");
      expect(h.onHost(0, `grep State /proc/${p.pid}/status`).stdout).toMatch(/sleeping/);
      await rt.block([
        ["n2", "n1"],
        ["n3", "n1"],
      ]);
      expect(h.onHost(0, "iptables -S").stdout).toContain(`-A FAULTLINE-${rt.slot} -s ${nodes[1].ip}/32 -j DROP`);
      const reach = (from: number, to: string) =>
        h.onHost(from, `timeout 1 bash -c 'echo > /dev/tcp/${to}/22' 2>/dev/null && echo ok`).stdout.includes("ok");
      expect(reach(1, nodes[0].ip)).toBe(false);
      expect(reach(1, nodes[2].ip)).toBe(true);
      await rt.heal();
      expect(reach(1, nodes[0].ip)).toBe(true);
      await rt.signal("n1", "sleeper", "SIGKILL");
      expect(rt.processes("n1")[0].running).toBe(false);
      expect(h.onHost(0, "pgrep -f '^sleep 600$'; true").stdout.trim()).toBe(""); // the whole tree
      await rt.spawn("n2", "sleeper", ["sleep", "600"], { log: `${nodes[1].dir}/sleeper.log` });
      await rt.signal("n2", "sleeper", "SIGSTOP"); // left paused: destroy must continue and kill it
      await rt.block([["n1", "n2"]]); // left in place: destroy must remove the chain
    } finally {
      await rt.destroy();
    }
    expect(onHosts()).toEqual([]);
    expect(readdirSync(join(dir, "nodes", "n1")).sort()).toEqual(["a.conf", "clock", "sleeper.log"]); // fetched
    expect(leftovers(rt.slot)).toEqual([]);
    expect(masters()).toBe("");
  });

  it("an etcd register run through leader partitions is linearizable over ssh", async () => {
    const results = mkdtempSync(join(tmpdir(), "fl-ssh-etcd-"));
    const t0 = performance.now();
    const out = await run(
      await resolveConfig({
        target: "etcd",
        runtime: "ssh",
        runtimeOptions: ropts(),
        nodes: 3,
        resultsDir: results,
        name: "etcd-ssh",
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
    console.log(`etcd over ssh: cluster start ${info.startMs} ms, whole run ${Math.round(performance.now() - t0)} ms`);
    expect(info.runtime).toBe("ssh");
    const h2: Op[] = out.history;
    expect(h2.filter((o) => o.process === "nemesis" && o.f === "partition").length).toBeGreaterThanOrEqual(1);
    const oks = h2.filter((o) => o.type === "ok" && o.process !== "nemesis");
    expect(oks.filter((o) => o.f === "write").length).toBeGreaterThan(30);
    expect(oks.filter((o) => o.f === "read").length).toBeGreaterThan(50);
    expect(out.results.checkers.linearizable.valid).toBe(true);
    expect(readFileSync(join(out.dir, "nodes", "n1", "etcd.log"), "utf8")).toMatch(/raft/); // logs fetched from the host
    expect(onHosts()).toEqual([]);
    expect(leftovers(info.slot)).toEqual([]);
    expect(masters()).toBe("");
  });

  it("verifies host keys, and says how to fix a failure", async () => {
    const bad = join(h.dir, "known_hosts.wrong");
    const other = join(h.dir, "other_key");
    spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other]);
    writeFileSync(bad, `${h.nodes[0].ip} ${readFileSync(`${other}.pub`, "utf8").split(" ").slice(0, 2).join(" ")}\n`);
    const rt = new SshRuntime(parseSshOptions({ ...ropts(), hosts: [h.hosts[0]], "known-hosts": bad }));
    const err = await rt.createNodes(1, mkdtempSync(join(tmpdir(), "fl-ssh-hk-"))).then(
      () => undefined,
      (e) => e,
    );
    await rt.destroy().catch(() => undefined);
    expect(err?.message).toMatch(/ssh to root@198\.18\.\d+\.11:22 failed: .*(host key verification failed)/i);
    expect(err?.hint).toMatch(/known_hosts|host-key-check=false/);
    expect(leftovers(rt.slot)).toEqual([]);
    // With checking off (the user's explicit choice) the same host is reached.
    const ok = new SshRuntime(
      parseSshOptions({ ...ropts(), hosts: [h.hosts[0]], "known-hosts": undefined, "host-key-check": false }),
    );
    try {
      await ok.createNodes(1, mkdtempSync(join(tmpdir(), "fl-ssh-hk-")));
    } finally {
      await ok.destroy();
    }
  });

  it("refuses real clock changes on hosts that share the harness' kernel", async () => {
    const rt = new SshRuntime(parseSshOptions({ ...ropts(), clock: "real" }));
    try {
      await rt.createNodes(3, mkdtempSync(join(tmpdir(), "fl-ssh-clock-")));
      expect(rt.clockUnsupported("/usr/bin/etcd")).toMatch(/refused: n1, n2, n3 run on the harness' own kernel/);
      await expect(rt.setClockOffset("n1", 60_000)).rejects.toThrow(/date -s would move this machine's clock/);
    } finally {
      await rt.destroy();
    }
  });

  it("a SIGKILLed ssh run leaves nothing behind after `faultline lab clean`", async () => {
    const results = mkdtempSync(join(tmpdir(), "fl-ssh-kill-"));
    const before = new Set(slots().map((s) => s.slot));
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli/main.ts",
        "run",
        "--target",
        "etcd",
        "--runtime",
        "ssh",
        "--hosts",
        h.hosts.join(","),
        "--ropt",
        `key=${h.key}`,
        "--ropt",
        `known-hosts=${h.knownHosts}`,
        "--ropt",
        `dir=${BASE}`,
        "--nemesis",
        "partition,pause",
        "--nemesis-interval",
        "1",
        "--time-limit",
        "60",
        "--results",
        results,
      ],
      { stdio: "ignore" },
    );
    try {
      // Wait until the members run and a fault has been injected, then kill the runner outright.
      expect(
        await eventually(
          () => {
            for (const name of existsSync(results) ? readdirSync(results) : [])
              for (const stamp of readdirSync(join(results, name))) {
                const hist = join(results, name, stamp, "history.jsonl");
                if (existsSync(hist) && /"process":"nemesis"/.test(readFileSync(hist, "utf8"))) return true;
              }
            return false;
          },
          40_000,
          200,
        ),
      ).toBe(true);
    } finally {
      child.kill("SIGKILL");
    }
    await new Promise((r) => child.once("exit", r));
    await sleep(200);
    expect(onHosts().some((l) => /etcd/.test(l))).toBe(true); // the members outlived the runner
    const r = cleanLab();
    expect(r.errors).toEqual([]);
    expect(r.undone.some((u) => /: process \S+ \(pid \d+\)/.test(u))).toBe(true);
    expect(onHosts()).toEqual([]);
    expect(masters()).toBe("");
    for (const s of slots()) expect(before.has(s.slot) || s.alive).toBe(true);
  });
});
