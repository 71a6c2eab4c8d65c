// The redis target without the lab: configs, options, read routing, reply decoding and error classification,
// and the client's op mapping against real redis-servers on loopback (when redis-server is installed; no root).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  completionForError,
  connectionOptions,
  readReply,
  RedisClient,
  type RedisClientSettings,
  type Topology,
} from "../../targets/redis/client.ts";
import { majorityAnswer, quorum, sentinelConfig, serverConfig } from "../../targets/redis/cluster.ts";
import { redisTarget } from "../../targets/redis/index.ts";

const nodes = [1, 2, 3].map((i) => ({ name: `n${i}`, ip: `198.18.5.${10 + i}`, dir: `/tmp/x/n${i}` }));
const server = { minReplicas: 0, maxLagS: 10, downAfterMs: 1000, failoverTimeoutMs: 3000 };

describe("redis configuration", () => {
  it("writes server configs: the primary has no replicaof, replicas follow it", () => {
    const p = serverConfig(nodes[0], undefined, server);
    const r = serverConfig(nodes[2], nodes[0], { ...server, minReplicas: 1, maxLagS: 2 });
    expect(p).toContain("bind 198.18.5.11\n");
    expect(p).toContain("protected-mode no\n");
    expect(p).toContain('save ""\n');
    expect(p).not.toContain("replicaof");
    expect(r).toContain("replicaof 198.18.5.11 6379\n");
    expect(r).toContain("min-replicas-to-write 1\nmin-replicas-max-lag 2\n");
  });

  it("writes Sentinel configs with a majority quorum", () => {
    expect([1, 2, 3, 4, 5].map(quorum)).toEqual([1, 2, 2, 3, 3]);
    const five = [
      ...nodes,
      { name: "n4", ip: "198.18.5.14", dir: "/tmp/x/n4" },
      { name: "n5", ip: "198.18.5.15", dir: "/tmp/x/n5" },
    ];
    const s = sentinelConfig(five[1], five[0], five, { ...server, downAfterMs: 700 });
    expect(s).toContain("port 26379\n");
    expect(s).toContain("sentinel monitor faultline 198.18.5.11 6379 3\n");
    expect(s).toMatch(/sentinel myid [0-9a-f]{40}\n/);
    expect(s.match(/known-replica/g)).toHaveLength(4);
    expect(s.match(/known-sentinel/g)).toHaveLength(4);
    expect(s).not.toContain("known-sentinel faultline 198.18.5.12"); // not itself
    expect(s).not.toContain("known-replica faultline 198.18.5.11"); // the primary is no replica
    expect(s).toContain("sentinel down-after-milliseconds faultline 700\n");
  });

  it("takes the primary most Sentinels name", () => {
    expect(majorityAnswer([undefined, undefined])).toBeUndefined();
    expect(majorityAnswer(["a", "b", "b"])).toEqual({ value: "b", votes: 2 });
    expect(majorityAnswer([undefined, "a"])).toEqual({ value: "a", votes: 1 });
  });

  it("validates options", () => {
    expect(redisTarget.parse({})).toMatchObject({
      read: "primary",
      wait: 0,
      waitTimeoutMs: 100,
      minReplicas: 0,
      timeoutMs: 5000,
      keepData: false,
    });
    expect(
      redisTarget.parse({ read: "replica", wait: 2, "wait-timeout": 50, "min-replicas": 1, "max-lag": 1 }),
    ).toMatchObject({ read: "replica", wait: 2, waitTimeoutMs: 50, minReplicas: 1, maxLagS: 1 });
    expect(() => redisTarget.parse({ read: "nearest" })).toThrow(/read must be one of primary, replica, any/);
    expect(() => redisTarget.parse({ wait: 3 }, 3)).toThrow(/more replicas than the 2/);
    expect(() => redisTarget.parse({ wait: -1 })).toThrow("redis option wait must be an integer ≥ 0, got -1");
    expect(() => redisTarget.parse({ durability: "yes" })).toThrow(/no option "durability"/);
    let error: unknown;
    try {
      redisTarget.parse({ read: 1 });
    } catch (e) {
      error = e;
    }
    expect((error as { exitCode?: number })?.exitCode).toBe(3);
  });
});

describe("redis replies and errors", () => {
  it("decodes read replies: registers, sorted sets, nothing", () => {
    expect(readReply(["none"])).toBeNull();
    expect(readReply(["string", "3"])).toBe(3);
    expect(readReply(["set", ["10", "2", "1000001"]])).toEqual([2, 10, 1000001]);
  });

  it("fails only what certainly did not happen", () => {
    const reply = Object.assign(new Error("READONLY You can't write against a read only replica."), {
      name: "ReplyError",
    });
    expect(completionForError("write", reply, true)).toEqual({ type: "fail", error: reply.message });
    expect(completionForError("add", new Error("Command timed out"), true)).toEqual({
      type: "info",
      error: "Command timed out",
    });
    expect(completionForError("add", new Error("Connection is closed."), false).type).toBe("fail");
    expect(completionForError("read", new Error("Command timed out"), true).type).toBe("fail");
  });

  it("routes reads by role", () => {
    const topology: Topology = { nodes, primary: "n1" };
    const s: RedisClientSettings = { read: "replica", wait: 0, waitTimeoutMs: 100, timeoutMs: 1000 };
    const route = (home: number, process: number, read = s.read) => {
      const c = new RedisClient(topology, process, nodes[home], { ...s, read });
      const n = c.readNode().name;
      void c.close();
      return n;
    };
    expect(route(1, 0)).toBe("n2"); // a replica reads from itself
    expect([route(0, 0), route(0, 1)]).toEqual(["n2", "n3"]); // on the primary's node: some replica
    expect(route(0, 0, "any")).toBe("n1");
    topology.primary = "n2"; // after a failover
    expect(route(1, 0)).toBe("n1");
  });
});

// Real servers on loopback: a primary with one replica, and a primary that refuses writes (NOREPLICAS).
const HAVE_REDIS = existsSync("/usr/bin/redis-server");

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe.skipIf(!HAVE_REDIS)("redis client against local redis-servers", () => {
  const procs: ChildProcess[] = [];
  let dir: string;
  const ports: Record<string, number> = {};

  const start = async (name: string, extra: string[]) => {
    const port = await freePort();
    ports[name] = port;
    const p = spawn(
      "/usr/bin/redis-server",
      ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--dir", dir, ...extra],
      { stdio: "ignore" },
    );
    procs.push(p);
    const r = new Redis({ host: "127.0.0.1", port, retryStrategy: () => 50, maxRetriesPerRequest: 100 }); // queued until it listens
    r.on("error", () => undefined);
    await r.ping();
    return r;
  };

  // A client whose "primary" is a plain connection: the Sentinel-mode connection is swapped for a direct one.
  const client = (port: number, s: Partial<RedisClientSettings> = {}) => {
    const node = { name: "n1", ip: "127.0.0.1", dir };
    const c = new RedisClient({ nodes: [node], primary: "n1" }, 0, node, {
      read: "primary",
      wait: 0,
      waitTimeoutMs: 100,
      timeoutMs: 2000,
      ...s,
    });
    const direct = new Redis({ ...connectionOptions(s.timeoutMs ?? 2000), host: "127.0.0.1", port });
    direct.on("error", () => undefined);
    (c as unknown as { primaryConn: Redis }).primaryConn.disconnect();
    (c as unknown as { primaryConn: Redis }).primaryConn = direct;
    return c;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "fl-redis-unit-"));
    const primary = await start("primary", ["--repl-diskless-sync-delay", "0"]);
    const replica = await start("replica", ["--replicaof", "127.0.0.1", String(ports.primary)]);
    let linked = false;
    for (let i = 0; i < 500 && !(linked = /master_link_status:up/.test(await replica.info("replication"))); i++)
      await new Promise((x) => setTimeout(x, 50));
    if (!linked) throw new Error("the test replica never linked to its primary");
    await start("lonely", ["--min-replicas-to-write", "1"]);
    primary.disconnect();
    replica.disconnect();
  }, 60_000);

  afterAll(() => {
    for (const p of procs) p.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("maps register, set and counter ops", async () => {
    const c = client(ports.primary);
    expect(await c.invoke({ f: "read", value: ["r", null] })).toEqual({ type: "ok", value: ["r", null] });
    expect(await c.invoke({ f: "write", value: ["r", 3] })).toEqual({ type: "ok", value: ["r", 3] });
    expect(await c.invoke({ f: "read", value: ["r", null] })).toEqual({ type: "ok", value: ["r", 3] });
    expect(await c.invoke({ f: "cas", value: ["r", [2, 4]] })).toEqual({
      type: "fail",
      value: ["r", [2, 4]],
      error: "compare-failed",
    });
    expect(await c.invoke({ f: "cas", value: ["r", [3, 4]] })).toEqual({ type: "ok", value: ["r", [3, 4]] });
    expect(await c.invoke({ f: "cas", value: ["fresh", [null, 1]] })).toEqual({
      type: "ok",
      value: ["fresh", [null, 1]],
    });
    expect(await c.invoke({ f: "cas", value: ["fresh", [null, 2]] })).toMatchObject({
      type: "fail",
      error: "compare-failed",
    });
    for (const x of [7, 1000002, 3]) expect((await c.invoke({ f: "add", value: ["s", x] })).type).toBe("ok");
    expect(await c.invoke({ f: "read", value: ["s", null] })).toEqual({ type: "ok", value: ["s", [3, 7, 1000002]] });
    await c.invoke({ f: "incr", value: ["n", 2] });
    await c.invoke({ f: "incr", value: ["n", 5] });
    expect(await c.invoke({ f: "read", value: ["n", null] })).toEqual({ type: "ok", value: ["n", 7] });
    expect(await c.invoke({ f: "read-all", value: ["r", "n", "nothing"] })).toEqual({
      type: "ok",
      value: { r: 4, n: 7, nothing: null },
    });
    await c.close();
  });

  it("WAITs for replicas: enough acknowledgements are ok, too few leave the write indeterminate", async () => {
    // WAIT returns as soon as the replica acknowledges; the long timeout only matters on a loaded machine.
    const one = client(ports.primary, { wait: 1, waitTimeoutMs: 10_000, timeoutMs: 15_000 });
    expect(await one.invoke({ f: "write", value: ["w", 1] })).toEqual({ type: "ok", value: ["w", 1] });
    await one.close();
    const lonely = client(ports.lonely, { wait: 0 });
    await lonely.close();
    const two = client(ports.primary, { wait: 2, waitTimeoutMs: 50 }); // only one replica exists
    expect(await two.invoke({ f: "write", value: ["w", 2] })).toMatchObject({
      type: "info",
      error: expect.stringMatching(/WAIT: 1 of 2 replicas/),
    });
    // a compare that failed wrote nothing: fail, whatever WAIT says
    expect(await two.invoke({ f: "cas", value: ["w", [0, 5]] })).toMatchObject({
      type: "fail",
      error: "compare-failed",
    });
    await two.close();
  });

  it("a replica's READONLY and a primary's NOREPLICAS refusals are definite failures", async () => {
    const r = client(ports.replica);
    expect(await r.invoke({ f: "write", value: ["x", 1] })).toMatchObject({
      type: "fail",
      error: expect.stringMatching(/^READONLY/),
    });
    await r.close();
    const l = client(ports.lonely);
    expect(await l.invoke({ f: "add", value: ["x", 1] })).toMatchObject({
      type: "fail",
      error: expect.stringMatching(/^NOREPLICAS/),
    });
    expect(await l.invoke({ f: "cas", value: ["x", [null, 1]] })).toMatchObject({
      type: "fail",
      error: expect.stringMatching(/NOREPLICAS/),
    });
    expect(await l.invoke({ f: "read", value: ["x", null] })).toEqual({ type: "ok", value: ["x", null] });
    await l.close();
  });

  it("a paused server's timeout leaves a write indeterminate; nothing listening is a definite failure", async () => {
    const paused = procs[0];
    const c = client(ports.primary, { timeoutMs: 200 });
    expect((await c.invoke({ f: "read", value: ["r", null] })).type).toBe("ok");
    paused.kill("SIGSTOP");
    try {
      expect(await c.invoke({ f: "write", value: ["r", 9] })).toMatchObject({
        type: "info",
        error: "Command timed out",
      });
      expect(await c.invoke({ f: "read", value: ["r", null] })).toMatchObject({ type: "fail" });
    } finally {
      paused.kill("SIGCONT");
    }
    await c.close();
    const dead = client(await freePort());
    expect(await dead.invoke({ f: "write", value: ["r", 1] })).toMatchObject({
      type: "fail",
      error: expect.stringMatching(/not connected/),
    });
    await dead.close();
  });
});
