// A Redis deployment on lab nodes: n1 starts as the primary, the others as its replicas, and one Sentinel per
// node (port 26379) monitors them with a majority quorum and fails over when the primary is unreachable.
// Servers read a config file of their own, so a Sentinel's reconfiguration (CONFIG REWRITE after REPLICAOF)
// survives a restart, as on a real host. No persistence (save "", appendonly no): a restarted server comes
// back empty and resynchronises from whoever is primary by then. Every process runs under the clock shim when
// the runtime has one (libfaketime hangs Debian's redis-server at start).
import { createHash } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { LabError, type LabNode, type Runtime } from "../../src/lab/runtime.ts";
import { checkInstalled, nodeFiles, tailOf } from "../../src/lab/runtimes.ts";

export const PORT = 6379;
export const SENTINEL_PORT = 26379;
export const MASTER_NAME = "faultline";
export const REDIS_BINARY = "/usr/bin/redis-server";

export interface RedisServerSettings {
  /** min-replicas-to-write / min-replicas-max-lag on every server (0: off, Redis' default). */
  minReplicas: number;
  maxLagS: number;
  /** Sentinel: how long a server must be unreachable before it is down, and the failover timeout. */
  downAfterMs: number;
  failoverTimeoutMs: number;
}

export const dataDir = (n: LabNode) => join(n.dir, "redis-data");
export const serverConf = (n: LabNode) => join(n.dir, "redis.conf");
export const sentinelConf = (n: LabNode) => join(n.dir, "sentinel.conf");
export const serverLog = (n: LabNode) => join(n.dir, "redis.log");
export const sentinelLog = (n: LabNode) => join(n.dir, "sentinel.log");

/** A majority of the Sentinels must agree the primary is down before a failover. */
export const quorum = (nodes: number) => Math.floor(nodes / 2) + 1;

/** redis.conf for a server; `primary` is undefined for the primary itself. */
export function serverConfig(node: LabNode, primary: LabNode | undefined, s: RedisServerSettings): string {
  return [
    "# faultline lab",
    `bind ${node.ip}`,
    `port ${PORT}`,
    "protected-mode no", // bound to a lab address, no password: otherwise clients are refused
    'save ""',
    "appendonly no",
    `dir ${dataDir(node)}`,
    "repl-diskless-sync yes",
    "repl-diskless-sync-delay 0", // no 5 s wait for more replicas before a full sync
    "repl-diskless-load disabled",
    "replica-read-only yes",
    "repl-timeout 5",
    `min-replicas-to-write ${s.minReplicas}`,
    `min-replicas-max-lag ${s.maxLagS}`,
    ...(primary ? [`replicaof ${primary.ip} ${PORT}`] : []),
    "",
  ].join("\n");
}

/** A Sentinel's run id (40 hex digits), fixed per node so the others can be told about it in advance. */
export const sentinelId = (node: LabNode) =>
  createHash("sha1").update(`faultline-sentinel-${node.name}-${node.ip}`).digest("hex");

/** sentinel.conf for one Sentinel monitoring `primary` with a majority quorum of the Sentinels on `nodes`.
 *  The replicas and the other Sentinels are written in as already known (as a Sentinel writes them itself
 *  once it has discovered them), so the deployment is ready at once instead of after ~2 s of hello messages. */
export function sentinelConfig(node: LabNode, primary: LabNode, nodes: LabNode[], s: RedisServerSettings): string {
  return [
    "# faultline lab",
    `bind ${node.ip}`,
    `port ${SENTINEL_PORT}`,
    "protected-mode no",
    `dir ${node.dir}`,
    `sentinel myid ${sentinelId(node)}`,
    `sentinel monitor ${MASTER_NAME} ${primary.ip} ${PORT} ${quorum(nodes.length)}`,
    `sentinel down-after-milliseconds ${MASTER_NAME} ${s.downAfterMs}`,
    `sentinel failover-timeout ${MASTER_NAME} ${s.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${MASTER_NAME} 1`,
    ...nodes.filter((n) => n !== primary).map((n) => `sentinel known-replica ${MASTER_NAME} ${n.ip} ${PORT}`),
    ...nodes
      .filter((n) => n !== node)
      .map((n) => `sentinel known-sentinel ${MASTER_NAME} ${n.ip} ${SENTINEL_PORT} ${sentinelId(n)}`),
    "",
  ].join("\n");
}

/** The answer most Sentinels give, with how many gave it. */
export function majorityAnswer(answers: (string | undefined)[]): { value: string; votes: number } | undefined {
  const counts = new Map<string, number>();
  for (const a of answers) if (a !== undefined) counts.set(a, (counts.get(a) ?? 0) + 1);
  let best: { value: string; votes: number } | undefined;
  for (const [value, votes] of counts) if (!best || votes > best.votes) best = { value, votes };
  return best;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A short-lived connection for setup and status questions: no retries, no offline queue. */
export function adminConnection(host: string, port: number, timeoutMs = 1000): Redis {
  const r = new Redis({
    host,
    port,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    retryStrategy: () => null,
    enableReadyCheck: false,
  });
  r.on("error", () => undefined);
  return r;
}

async function ask<T>(host: string, port: number, f: (r: Redis) => Promise<T>, timeoutMs = 1000): Promise<T> {
  const r = adminConnection(host, port, timeoutMs);
  try {
    await r.connect();
    return await f(r);
  } finally {
    r.disconnect();
  }
}

export class RedisCluster {
  /** Whether the servers run under the clock shim (known after start() on docker/ssh). */
  clock: boolean;

  constructor(
    readonly rt: Runtime,
    readonly nodes: LabNode[],
    readonly settings: RedisServerSettings,
  ) {
    if (rt.files) {
      this.clock = false;
      return;
    } // node files on the nodes: checked in start()
    if (!existsSync(REDIS_BINARY))
      throw new LabError(
        `redis-server is not installed (${REDIS_BINARY} is missing)`,
        "apt-get install -y redis-server redis-sentinel (or: faultline lab install)",
      );
    this.clock = rt.clockUnsupported(REDIS_BINARY) === undefined;
  }

  node(name: string): LabNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new LabError(`no redis node ${name}`);
    return n;
  }
  byIp(ip: string): LabNode | undefined {
    return this.nodes.find((n) => n.ip === ip);
  }
  get first(): LabNode {
    return this.nodes[0];
  }

  private running(n: LabNode, name: string): boolean {
    return this.rt.processes(n.name).some((p) => p.name === name && p.running);
  }

  private startServer(n: LabNode): Promise<unknown> {
    return this.rt.spawn(n.name, "redis", [REDIS_BINARY, serverConf(n)], { log: serverLog(n), clock: this.clock });
  }
  private startSentinel(n: LabNode): Promise<unknown> {
    return this.rt.spawn(n.name, "sentinel", [REDIS_BINARY, sentinelConf(n), "--sentinel"], {
      log: sentinelLog(n),
      clock: this.clock,
    });
  }

  /** (Re)starts a node's server and Sentinel with the configs they last wrote (after a kill). */
  async startNode(n: LabNode): Promise<void> {
    if (!this.running(n, "redis")) await this.startServer(n);
    if (!this.running(n, "sentinel")) await this.startSentinel(n);
  }

  /** Writes the configs, starts the servers, waits for every replica's link, then the Sentinels, and waits
   *  until each Sentinel sees every replica and every other Sentinel (so a failover can win a majority). */
  async start(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const primary = this.first;
    if (this.rt.files) {
      await checkInstalled(this.rt, this.nodes, "redis", [{ path: REDIS_BINARY, pkg: "redis-server redis-sentinel" }]);
      this.clock = this.rt.clockUnsupported(REDIS_BINARY) === undefined;
    }
    const files = nodeFiles(this.rt);
    for (const n of this.nodes) {
      await files.mkdir(n.name, dataDir(n));
      await files.write(n.name, serverConf(n), serverConfig(n, n === primary ? undefined : primary, this.settings));
      await files.write(n.name, sentinelConf(n), sentinelConfig(n, primary, this.nodes, this.settings));
    }
    await Promise.all(this.nodes.map((n) => this.startServer(n)));
    for (const n of this.nodes)
      await this.until(
        deadline,
        n,
        "redis",
        serverLog(n),
        "accept connections",
        async () => (await ask(n.ip, PORT, (r) => r.ping())) === "PONG",
      );
    for (const n of this.nodes.slice(1))
      await this.until(deadline, n, "redis", serverLog(n), "replicate from the primary", async () =>
        /master_link_status:up/.test(await ask(n.ip, PORT, (r) => r.info("replication"))),
      );
    await Promise.all(this.nodes.map((n) => this.startSentinel(n)));
    const others = this.nodes.length - 1;
    for (const n of this.nodes)
      await this.until(
        deadline,
        n,
        "sentinel",
        sentinelLog(n),
        `see ${others} replica(s) and ${others} other Sentinel(s)`,
        async () => {
          const m = await ask(
            n.ip,
            SENTINEL_PORT,
            (r) => r.call("SENTINEL", "MASTER", MASTER_NAME) as Promise<string[]>,
          );
          const f = Object.fromEntries(Array.from({ length: m.length / 2 }, (_, i) => [m[2 * i], m[2 * i + 1]]));
          return Number(f["num-slaves"]) === others && Number(f["num-other-sentinels"]) === others;
        },
      );
  }

  private async until(
    deadline: number,
    n: LabNode,
    proc: string,
    log: string,
    what: string,
    ready: () => Promise<boolean>,
  ): Promise<void> {
    for (;;) {
      if (await ready().catch(() => false)) return;
      if (!this.running(n, proc))
        throw new LabError(
          `${proc} on ${n.name} exited at start; last lines of ${log}:\n${await tailOf(this.rt, n.name, log)}`,
        );
      if (Date.now() > deadline)
        throw new LabError(
          `${proc} on ${n.name} did not ${what} in time; last lines of ${log}:\n${await tailOf(this.rt, n.name, log)}`,
        );
      await sleep(50);
    }
  }

  /** Each Sentinel's idea of the primary's address (undefined where a Sentinel does not answer). */
  async sentinelViews(timeoutMs = 500): Promise<(string | undefined)[]> {
    return Promise.all(
      this.nodes.map((n) =>
        ask(
          n.ip,
          SENTINEL_PORT,
          (r) => r.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME) as Promise<[string, string] | null>,
          timeoutMs,
        ).then(
          (a) => (a ? a[0] : undefined),
          () => undefined,
        ),
      ),
    );
  }

  /** The primary as most Sentinels see it (ties: the first answer). */
  async primary(timeoutMs = 500): Promise<string | undefined> {
    const m = majorityAnswer(await this.sentinelViews(timeoutMs));
    return m ? this.byIp(m.value)?.name : undefined;
  }

  async version(): Promise<string | undefined> {
    const info = await ask(this.first.ip, PORT, (r) => r.info("server")).catch((): string => "");
    return /redis_version:(\S+)/.exec(info)?.[1];
  }

  removeData(): void {
    if (this.rt.files) return; // on the nodes themselves: the runtime removes them
    for (const n of this.nodes) rmSync(dataDir(n), { recursive: true, force: true });
  }
}
