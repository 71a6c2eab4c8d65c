// A PostgreSQL cluster on lab nodes: n1 is the primary (initdb), the others streaming replicas
// (pg_basebackup -R -X stream). Each node has its own data dir, socket dir and log under its node dir;
// servers run as the postgres user, under the clock shim when the runtime supports it.
import { existsSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { tmpdir } from "node:os";
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import pg from "pg";
import { LabError, type LabNode, type Runtime } from "../../src/lab/runtime.ts";
import { postgresBin } from "../../src/lab/doctor.ts";
import { checkInstalled, nodeFiles, postgresBinOn } from "../../src/lab/runtimes.ts";
import type { Json } from "../../src/json.ts";

export type Replication = "async" | "sync-remote-write" | "sync-remote-apply";
export const REPLICATIONS: Replication[] = ["async", "sync-remote-write", "sync-remote-apply"];
export const PORT = 5432;

export class PgCluster {
  /** The server's bin directory and whether it runs under the clock shim (known after start() on docker/ssh). */
  bin: string;
  clock: boolean;
  private uid = -1;
  private gid = -1;
  primaryName: string;
  /** Address ranges trusted in pg_hba.conf: the runtime's (nodes and harness). */
  readonly subnets: string[];

  constructor(
    readonly rt: Runtime,
    readonly nodes: LabNode[],
    readonly replication: Replication,
    subnets: string | string[],
  ) {
    this.subnets = Array.isArray(subnets) ? subnets : [subnets];
    this.primaryName = nodes[0].name;
    if (rt.files) {
      this.bin = "";
      this.clock = false;
      return;
    } // node files on the nodes: looked up in start()
    const bin = postgresBin();
    if (!bin)
      throw new LabError(
        "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin)",
        "install them: apt-get install -y postgresql (or: faultline lab install)",
      );
    this.bin = bin;
    const id = (f: string) => Number(spawnSync("id", [f, "postgres"], { encoding: "utf8" }).stdout.trim());
    this.uid = id("-u");
    this.gid = id("-g");
    if (!Number.isInteger(this.uid) || spawnSync("id", ["postgres"]).status !== 0)
      throw new LabError("no postgres user on this host", "apt-get install -y postgresql");
    this.clock = rt.clockUnsupported(join(bin, "postgres")) === undefined;
  }

  node(name: string): LabNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new LabError(`no postgres node ${name}`);
    return n;
  }
  get primary(): LabNode {
    return this.node(this.primaryName);
  }
  get replicas(): LabNode[] {
    return this.nodes.filter((n) => n.name !== this.primaryName);
  }
  dataDir(n: LabNode) {
    return join(n.dir, "data");
  }
  // A Unix socket path may hold at most 107 bytes: deep results directories get a short one in /tmp instead.
  private sockDir(n: LabNode) {
    const dir = join(n.dir, "sock");
    return dir.length + "/.s.PGSQL.5432".length <= 100
      ? dir
      : join(tmpdir(), `flpg-${createHash("sha1").update(dir).digest("hex").slice(0, 12)}`);
  }

  /** The postgres user must be able to traverse every directory above the node dirs. */
  private checkReachable(dir: string): void {
    for (let d = dirname(resolve(dir)); ; d = dirname(d)) {
      const st = statSync(d);
      const other = (st.mode & 0o001) !== 0;
      const owner = st.uid === this.uid && (st.mode & 0o100) !== 0;
      const group = st.gid === this.gid && (st.mode & 0o010) !== 0;
      if (!other && !owner && !group)
        throw new LabError(
          `the postgres user cannot reach ${dir}: ${d} is not searchable by others (mode ${(st.mode & 0o777).toString(8)})`,
          `chmod o+x ${d}, or use a --results directory the postgres user can reach`,
        );
      if (d === "/") return;
    }
  }

  private async ownedDir(n: LabNode, path: string, mode: number): Promise<void> {
    await nodeFiles(this.rt).mkdir(n.name, path, { user: "postgres", mode });
  }

  /** On docker/ssh: the server binaries on every node, and whether the clock shim reaches them. */
  private async locate(): Promise<void> {
    const bin = await postgresBinOn(this.rt, this.primary.name);
    if (!bin)
      throw new LabError(
        `PostgreSQL server binaries not found on ${this.primary.name} (/usr/lib/postgresql/*/bin)`,
        this.rt.name === "docker"
          ? "use the node image `faultline lab image` builds, or an image with postgresql (--image)"
          : "on the hosts: apt-get install -y postgresql",
      );
    this.bin = bin;
    await checkInstalled(
      this.rt,
      this.nodes,
      "postgresql",
      ["initdb", "pg_basebackup", "postgres"].map((b) => ({ path: join(bin, b), pkg: "postgresql" })),
    );
    const user = await Promise.all(
      this.nodes.map((n) => this.rt.exec(n.name, ["id", "-u", "postgres"], { check: false })),
    );
    const missing = this.nodes.filter((_, i) => user[i].exitCode !== 0).map((n) => n.name);
    if (missing.length)
      throw new LabError(`no postgres user on ${missing.join(", ")}`, "install postgresql there (it creates the user)");
    this.clock = this.rt.clockUnsupported(join(bin, "postgres")) === undefined;
  }

  /** initdb on the primary, base backups on the replicas, everything started and streaming. */
  async start(timeoutMs = 60_000): Promise<void> {
    const p = this.primary;
    if (this.rt.files) await this.locate();
    else this.checkReachable(p.dir);
    for (const n of this.nodes) {
      await this.ownedDir(n, this.dataDir(n), 0o700);
      if (!this.sockDir(n).startsWith(n.dir)) this.rt.claimDir(n.name, this.sockDir(n));
      await this.ownedDir(n, this.sockDir(n), 0o755);
    }
    await this.rt.exec(
      p.name,
      [
        join(this.bin, "initdb"),
        "-D",
        this.dataDir(p),
        "-A",
        "trust",
        "-U",
        "postgres",
        "--no-sync",
        "-E",
        "UTF8",
        "--locale=C",
      ],
      { user: "postgres" },
    );
    const replicas = this.nodes.length - 1;
    const sync =
      this.replication === "async" || replicas === 0
        ? []
        : [
            `synchronous_standby_names = 'ANY ${replicas} (*)'`, // every replica, so any replica read sees the commit
            `synchronous_commit = '${this.replication === "sync-remote-write" ? "remote_write" : "remote_apply"}'`,
          ];
    const conf = [
      "# faultline lab",
      `port = ${PORT}`,
      "wal_level = replica",
      "max_wal_senders = 16",
      "wal_keep_size = '256MB'",
      "hot_standby = on",
      "hot_standby_feedback = on",
      "fsync = off",
      "full_page_writes = off",
      "max_connections = 300",
      "shared_buffers = '32MB'",
      "wal_receiver_status_interval = '1s'",
      "wal_retrieve_retry_interval = '500ms'",
      "log_min_messages = warning",
      "log_line_prefix = '%m [%p] '",
      ...sync,
      "",
    ].join("\n");
    const hba = [
      ...this.subnets.flatMap((s) => [`host all all ${s} trust`, `host replication all ${s} trust`]),
      "",
    ].join("\n");
    await this.append(p, "postgresql.conf", conf);
    await this.append(p, "pg_hba.conf", hba);
    await this.startNode(p, timeoutMs);
    await Promise.all(
      this.replicas.map(async (r) => {
        await this.rt.exec(
          r.name,
          [
            join(this.bin, "pg_basebackup"),
            "-h",
            p.ip,
            "-p",
            String(PORT),
            "-U",
            "postgres",
            "-D",
            this.dataDir(r),
            "-R",
            "-X",
            "stream",
            "--no-sync",
            "-c",
            "fast",
          ],
          { user: "postgres", timeoutMs },
        );
        await this.startNode(r, timeoutMs);
      }),
    );
    await this.waitStreaming(timeoutMs);
  }

  private async append(n: LabNode, file: string, text: string): Promise<void> {
    await nodeFiles(this.rt).write(n.name, join(this.dataDir(n), file), text, { append: true, user: "postgres" });
  }

  /** Starts the node's postmaster (its data kept) and waits until it accepts connections. */
  async startNode(n: LabNode, timeoutMs = 30_000): Promise<void> {
    await this.rt.spawn(
      n.name,
      "postgres",
      [
        join(this.bin, "postgres"),
        "-D",
        this.dataDir(n),
        "-c",
        `listen_addresses=${n.ip}`,
        "-c",
        `unix_socket_directories=${this.sockDir(n)}`,
      ],
      {
        user: "postgres",
        log: join(n.dir, "postgres.log"),
        clock: this.clock,
      },
    );
    await this.waitReady(n, timeoutMs);
  }

  async waitReady(n: LabNode, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      if (!this.rt.processes(n.name).some((p) => p.name === "postgres" && p.running))
        throw new LabError(`postgres on ${n.name} exited at start; see ${join(n.dir, "postgres.log")}`);
      try {
        await this.query(n, "select 1", [], 1000);
        return;
      } catch (e) {
        last = (e as Error).message;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new LabError(
      `postgres on ${n.name} did not accept connections within ${timeoutMs} ms (${last}); see ${join(n.dir, "postgres.log")}`,
    );
  }

  /** Waits until every replica streams from the primary. */
  async waitStreaming(timeoutMs: number): Promise<void> {
    const want = this.replicas.length;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const rows = await this.query(
        this.primary,
        "select count(*)::int as n from pg_stat_replication where state = 'streaming'",
      );
      if (rows[0].n >= want) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new LabError(`postgres replicas did not all stream from ${this.primaryName} within ${timeoutMs} ms`);
  }

  /** Waits until every running replica has replayed the primary's current WAL position. */
  async waitReplayed(timeoutMs = 30_000): Promise<void> {
    const [{ lsn }] = await this.query(this.primary, "select pg_current_wal_lsn()::text as lsn");
    const deadline = Date.now() + timeoutMs;
    for (const r of this.replicas) {
      while (true) {
        const [{ ok }] = await this.query(r, "select coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) as ok", [
          lsn,
        ]);
        if (ok) break;
        if (Date.now() > deadline)
          throw new LabError(`replica ${r.name} did not catch up with the primary within ${timeoutMs} ms`);
        await new Promise((res) => setTimeout(res, 20));
      }
    }
  }

  /** One query on a fresh connection (setup and checks; clients keep their own connections). */
  async query(n: LabNode, sql: string, params: unknown[] = [], timeoutMs = 10_000): Promise<Json[]> {
    const c = new pg.Client({
      host: n.ip,
      port: PORT,
      user: "postgres",
      database: "postgres",
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
    });
    c.on("error", () => undefined);
    await c.connect();
    try {
      return (await c.query(sql, params)).rows;
    } finally {
      c.end().catch(() => undefined);
    }
  }

  removeData(): void {
    if (this.rt.files) return; // on the nodes themselves: the runtime removes them
    for (const n of this.nodes) {
      if (existsSync(this.dataDir(n))) rmSync(this.dataDir(n), { recursive: true, force: true });
      if (!this.sockDir(n).startsWith(n.dir)) rmSync(this.sockDir(n), { recursive: true, force: true });
    }
  }
}
