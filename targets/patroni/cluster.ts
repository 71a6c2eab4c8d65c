// A Patroni cluster on lab nodes: on every node one etcd member (targets/etcd's EtcdCluster), one Patroni and
// the PostgreSQL it manages. Each Patroni is given its own node's etcd member and discovers the others from it
// (Patroni's default); cut off, it is left with what its minority member last knew. Patroni runs as the
// postgres user; it starts PostgreSQL itself, detached (setsid), so the postmaster is not in Patroni's process
// tree: "kill Patroni" and "kill PostgreSQL" are separate faults, and only the namespace's removal (teardown
// or `lab clean`) is sure to end both.
import { createHash } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LabError, type LabNode, type Runtime } from "../../src/lab/runtime.ts";
import { postgresBin } from "../../src/lab/doctor.ts";
import { checkInstalled, nodeFiles, tailOf } from "../../src/lab/runtimes.ts";
import { EtcdCluster } from "../etcd/cluster.ts";
import { PgCluster, PORT } from "../postgres/cluster.ts";

export const REST_PORT = 8008;
export const PATRONI = "/usr/bin/patroni";
export const PATRONICTL = "/usr/bin/patronictl";
const SCOPE = "faultline";

export type SynchronousMode = "off" | "on" | "strict";

/** The HA configuration under test (Patroni's dynamic configuration, kept in etcd). */
export interface HaSettings {
  synchronousMode: SynchronousMode;
  synchronousCommit: string;
  maximumLagOnFailover: number;
  failsafeMode: boolean;
  ttl: number;
  loopWait: number;
  retryTimeout: number;
  usePgRewind: boolean;
}

/** One node's answer to GET /primary when it claims to be the read-write leader. */
export interface Claim {
  node: string;
  timeline: number;
}

/** A leader era as the harness saw it: who claimed to be primary from `at` (ms since start). */
export interface LeaderEra {
  at: number;
  leader: string | undefined;
  timeline?: number;
  primaries: Claim[];
}

export const restUrl = (n: LabNode, path: string) => `http://${n.ip}:${REST_PORT}${path}`;

export class PatroniCluster {
  readonly etcd: EtcdCluster;
  /** Used for its connection helper (query) only: PostgreSQL itself is Patroni's to start and stop. */
  readonly pg: PgCluster;
  readonly bin: string;
  /** Who claimed primary at the last poll (GET /primary = 200), highest timeline first. */
  claims: Claim[] = [];
  /** Every change of the claimers since start, for run.json and the history. */
  readonly eras: LeaderEra[] = [];
  private t0 = Date.now();
  private polling: NodeJS.Timeout | undefined;
  private pollBusy = false;
  private listeners: ((era: LeaderEra) => void)[] = [];
  private paused = new Map<string, string>();
  private silent = new Map<string, number>(); // node → REST polls in a row that timed out   // node → postgres pids stopped by pausePostgres

  constructor(
    readonly rt: Runtime,
    readonly nodes: LabNode[],
    readonly ha: HaSettings,
  ) {
    if (rt.name !== "netns") throw new LabError(`the patroni target runs on the netns runtime only, not ${rt.name}`);
    const bin = postgresBin();
    if (!bin)
      throw new LabError(
        "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin)",
        "apt-get install -y postgresql (or: faultline lab install)",
      );
    this.bin = bin;
    this.etcd = new EtcdCluster(
      rt,
      nodes,
      { heartbeatMs: 100, electionMs: 1000, preVote: true },
      `faultline-patroni-${rt.slot}-${Date.now()}`,
    );
    this.pg = new PgCluster(rt, nodes, "async", rt.subnets);
  }

  node(name: string): LabNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new LabError(`no patroni node ${name}`);
    return n;
  }
  dataDir(n: LabNode) {
    return join(n.dir, "data");
  }
  configFile(n: LabNode) {
    return join(n.dir, "patroni.yml");
  }
  logFile(n: LabNode) {
    return join(n.dir, "patroni.log");
  }
  // A Unix socket path may hold at most 107 bytes: one short directory per node in /tmp.
  sockDir(n: LabNode) {
    return join(tmpdir(), `flpt-${createHash("sha1").update(n.dir).digest("hex").slice(0, 12)}`);
  }

  /** Patroni's configuration for one node (JSON is YAML). */
  config(n: LabNode): Record<string, unknown> {
    const h = this.ha;
    const subnets = this.rt.subnets;
    const hba = [
      "local all all trust",
      "local replication all trust",
      "host all all 127.0.0.1/32 trust",
      "host replication all 127.0.0.1/32 trust", // Patroni reads the local timeline over replication
      ...subnets.flatMap((s) => [`host all all ${s} trust`, `host replication all ${s} trust`]),
    ];
    return {
      scope: SCOPE,
      namespace: "/faultline/",
      name: n.name,
      log: { level: "INFO" },
      restapi: { listen: `${n.ip}:${REST_PORT}`, connect_address: `${n.ip}:${REST_PORT}` },
      etcd3: { hosts: [`${n.ip}:2379`] },
      bootstrap: {
        dcs: {
          ttl: h.ttl,
          loop_wait: h.loopWait,
          retry_timeout: h.retryTimeout,
          maximum_lag_on_failover: h.maximumLagOnFailover,
          synchronous_mode: h.synchronousMode !== "off",
          synchronous_mode_strict: h.synchronousMode === "strict",
          failsafe_mode: h.failsafeMode,
          postgresql: {
            use_pg_rewind: h.usePgRewind,
            use_slots: true,
            parameters: {
              synchronous_commit: h.synchronousCommit,
              wal_level: "replica",
              hot_standby: "on",
              wal_log_hints: "on",
              max_wal_senders: 16,
              max_replication_slots: 16,
              wal_keep_size: "256MB",
              max_connections: 300,
              shared_buffers: "32MB",
              fsync: "off",
              full_page_writes: "on",
              wal_receiver_status_interval: "1s",
              wal_retrieve_retry_interval: "500ms",
            },
          },
        },
        initdb: [{ encoding: "UTF8" }, { locale: "C" }],
      },
      postgresql: {
        listen: `${n.ip},127.0.0.1:${PORT}`,
        connect_address: `${n.ip}:${PORT}`,
        data_dir: this.dataDir(n),
        bin_dir: this.bin,
        pgpass: join(n.dir, "patroni", "pgpass"),
        authentication: {
          superuser: { username: "postgres", password: "faultline" },
          replication: { username: "replicator", password: "faultline" },
          rewind: { username: "postgres", password: "faultline" },
        },
        parameters: {
          unix_socket_directories: this.sockDir(n),
          log_min_messages: "warning",
          log_line_prefix: "%m [%p] ",
        },
        pg_hba: hba,
      },
      watchdog: { mode: "off" },
      tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
    };
  }

  /** Starts (or restarts, its data kept) Patroni on a node; Patroni starts PostgreSQL. */
  async startPatroni(n: LabNode): Promise<void> {
    await this.rt.spawn(n.name, "patroni", [PATRONI, this.configFile(n)], {
      user: "postgres",
      log: this.logFile(n),
      cwd: join(n.dir, "patroni"),
    });
  }

  /** etcd members, then Patroni everywhere; waits for a leader and every replica streaming from it. */
  async start(timeoutMs = 60_000): Promise<void> {
    await checkInstalled(this.rt, this.nodes, "patroni", [
      { path: PATRONI, pkg: "patroni" },
      { path: PATRONICTL, pkg: "patroni" },
      { path: join(this.bin, "postgres"), pkg: "postgresql" },
    ]);
    await this.etcd.start();
    const files = nodeFiles(this.rt);
    for (const n of this.nodes) {
      await files.mkdir(n.name, join(n.dir, "patroni"), { user: "postgres", mode: 0o700 });
      await files.mkdir(n.name, this.dataDir(n), { user: "postgres", mode: 0o700 });
      this.rt.claimDir(n.name, this.sockDir(n));
      await files.mkdir(n.name, this.sockDir(n), { user: "postgres", mode: 0o755 });
      await files.write(n.name, this.configFile(n), JSON.stringify(this.config(n), null, 2) + "\n", {
        user: "postgres",
      });
    }
    this.t0 = Date.now();
    await Promise.all(this.nodes.map((n) => this.startPatroni(n)));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const n of this.nodes)
        if (!this.rt.processes(n.name).some((p) => p.name === "patroni" && p.running))
          throw new LabError(
            `patroni on ${n.name} exited at start; last lines of ${this.logFile(n)}:\n${await tailOf(this.rt, n.name, this.logFile(n))}`,
          );
      const claims = await this.ask();
      if (claims.length === 1 && (await this.streaming(this.node(claims[0].node))) >= this.nodes.length - 1) return;
      if (Date.now() > deadline) {
        const n = this.nodes[0];
        throw new LabError(
          `patroni: no leader with ${this.nodes.length - 1} streaming replicas within ${timeoutMs} ms (claims: ${JSON.stringify(claims)}); last lines of ${this.logFile(n)}:\n${await tailOf(this.rt, n.name, this.logFile(n))}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Replicas streaming from `leader` (Patroni's own application_name is the member name). */
  async streaming(leader: LabNode): Promise<number> {
    const names = this.nodes.map((n) => n.name);
    const rows = await this.pg
      .query(
        leader,
        "select count(*)::int as n from pg_stat_replication where state = 'streaming' and application_name = any($1)",
        [names],
        2000,
      )
      .catch(() => [{ n: 0 }]);
    return rows[0].n;
  }

  /** Asks every node's REST API who claims to be primary (GET /primary: 200 only on a read-write leader). A node
   *  that does not answer in time (busy, paused) keeps its last answer for a few polls: silence is not a demotion. */
  async ask(timeoutMs = 500): Promise<Claim[]> {
    const answers = await Promise.all(
      this.nodes.map(async (n): Promise<Claim | undefined> => {
        const last = this.claims.find((c) => c.node === n.name);
        try {
          const r = await fetch(restUrl(n, "/primary"), { signal: AbortSignal.timeout(timeoutMs) });
          this.silent.delete(n.name);
          if (r.status !== 200) {
            await r.body?.cancel();
            return undefined;
          }
          const body = (await r.json()) as { timeline?: number };
          return { node: n.name, timeline: body.timeline || last?.timeline || 0 }; // no timeline while Patroni cannot query PostgreSQL
        } catch (e) {
          const timedOut = (e as Error).name === "TimeoutError" || (e as Error).name === "AbortError";
          const misses = (this.silent.get(n.name) ?? 0) + 1;
          this.silent.set(n.name, misses);
          return timedOut && misses <= 5 ? last : undefined;
        }
      }),
    );
    const claims = answers
      .filter((a): a is Claim => !!a)
      .sort((a, b) => b.timeline - a.timeline || a.node.localeCompare(b.node));
    this.record(claims);
    return claims;
  }

  /** The leader now: the claimer on the newest timeline. */
  async leader(): Promise<string | undefined> {
    return (await this.ask())[0]?.node;
  }

  private record(claims: Claim[]): void {
    this.claims = claims;
    const key = (c: Claim[]) => c.map((x) => `${x.node}@${x.timeline}`).join(",");
    const last = this.eras.at(-1);
    if (last && key(last.primaries) === key(claims)) return;
    const era: LeaderEra = {
      at: Date.now() - this.t0,
      leader: claims[0]?.node,
      ...(claims[0] ? { timeline: claims[0].timeline } : {}),
      primaries: claims,
    };
    this.eras.push(era);
    for (const l of this.listeners) l(era);
  }

  /** Polls the REST APIs every `everyMs` until stopWatching; `onChange` hears each new set of claimers. */
  watch(onChange: (era: LeaderEra) => void, everyMs = 200): void {
    this.listeners.push(onChange);
    if (this.polling) return;
    this.polling = setInterval(() => {
      if (this.pollBusy) return;
      this.pollBusy = true;
      this.ask(Math.min(everyMs * 2, 500))
        .catch(() => undefined)
        .finally(() => {
          this.pollBusy = false;
        });
    }, everyMs);
  }

  stopWatching(): void {
    clearInterval(this.polling);
    this.polling = undefined;
    this.listeners = [];
  }

  /** Runs a shell snippet on a node with the postmaster's pid and its children's in $pids (empty if none). */
  private async onPostgres(n: LabNode, snippet: string): Promise<string> {
    const pidFile = join(this.dataDir(n), "postmaster.pid");
    const script = `p=$(head -n1 ${pidFile} 2>/dev/null); pids=""; if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then pids="$p $(pgrep -P "$p" | tr '\\n' ' ')"; fi; ${snippet}`;
    return (await this.rt.exec(n.name, ["sh", "-c", script], { check: false })).stdout.trim();
  }

  /** SIGKILL to the node's postmaster and its backends (Patroni stays up and will start it again). */
  async killPostgres(n: LabNode): Promise<void> {
    await this.onPostgres(n, `[ -n "$pids" ] && kill -KILL $pids; exit 0`);
  }

  async pausePostgres(n: LabNode): Promise<void> {
    const pids = await this.onPostgres(n, `[ -n "$pids" ] && kill -STOP $pids; echo $pids`);
    if (pids) this.paused.set(n.name, pids);
  }

  async resumePostgres(n: LabNode): Promise<void> {
    const pids = this.paused.get(n.name);
    this.paused.delete(n.name);
    await this.onPostgres(n, `kill -CONT $pids ${pids ?? ""} 2>/dev/null; exit 0`);
  }

  /** Cuts (or restores) the node's Patroni from etcd: its DCS requests (to any member: Patroni discovers them
   *  all) are dropped on the way out, while etcd itself, PostgreSQL and the node's network keep working. The rule
   *  goes with the namespace (teardown, `lab clean`). */
  async dcs(n: LabNode, reachable: boolean): Promise<void> {
    const rule = ["OUTPUT", "-p", "tcp", "--dport", "2379", "-m", "owner", "--uid-owner", "postgres", "-j", "DROP"];
    if (reachable) {
      while ((await this.rt.exec(n.name, ["iptables", "-D", ...rule], { check: false })).exitCode === 0);
      return;
    }
    await this.rt.exec(n.name, ["iptables", "-A", ...rule]);
  }

  /** A planned switchover (patronictl) from the current leader to `candidate` (default: a streaming replica). */
  async switchover(candidate?: string): Promise<{ from: string; to: string }> {
    const from = await this.leader();
    if (!from) throw new LabError("switchover: no leader to switch over from");
    const to = candidate ?? this.nodes.find((n) => n.name !== from)!.name;
    const r = await this.rt.exec(
      from,
      [
        PATRONICTL,
        "-c",
        this.configFile(this.node(from)),
        "switchover",
        "--leader",
        from,
        "--candidate",
        to,
        "--force",
      ],
      { user: "postgres", check: false, timeoutMs: 60_000 },
    );
    if (r.exitCode !== 0)
      throw new LabError(`patronictl switchover ${from} → ${to} failed: ${(r.stderr || r.stdout).trim().slice(-400)}`);
    return { from, to };
  }

  /** Versions for run.json. */
  async versions(): Promise<Record<string, string | undefined>> {
    const leader = this.claims[0] ? this.node(this.claims[0].node) : this.nodes[0];
    const patroni = await fetch(restUrl(leader, "/patroni"), { signal: AbortSignal.timeout(1000) })
      .then((r) => r.json() as Promise<{ patroni?: { version?: string } }>)
      .catch(() => undefined);
    const pg = await this.pg.query(leader, "select version()", [], 2000).catch(() => [{ version: undefined }]);
    return { patroni: patroni?.patroni?.version, postgresql: pg[0].version, etcd: await this.etcd.version() };
  }

  /** Removes the data directories and socket dirs (logs stay in the node directories). */
  removeData(): void {
    this.etcd.removeData();
    for (const n of this.nodes) {
      if (existsSync(this.dataDir(n))) rmSync(this.dataDir(n), { recursive: true, force: true });
      rmSync(this.sockDir(n), { recursive: true, force: true });
    }
  }
}
