// The `postgres` target: PostgreSQL primary + N-1 streaming replicas on lab nodes (netns, docker or ssh runtime).
// read=sticky is like replica, but a read first waits until that replica has replayed the client's own last
// write (read-your-writes through WAL positions). Faults come from the lab runtime (labFaults): partitions,
// loss, kill -9/restart, pause, clock skew (postgres runs under the clock shim, so clock_timestamp() and now()
// follow the node's offset).
import { option } from "../../src/target/options.ts";
import { labTarget } from "../../src/target/lab-target.ts";
import { PgCluster, REPLICATIONS } from "./cluster.ts";
import { PgClient, READ_ROUTES } from "./client.ts";
import { ISOLATIONS, TXN_TABLE } from "./txn.ts";

const pgBinary = (name: string) => ({ name, pkg: "postgresql", path: `/usr/lib/postgresql/*/bin/${name}` });

export const postgresTarget = labTarget({
  name: "postgres",
  workloads: ["register", "session", "bank", "set", "set-full", "counter", "chat", "list-append", "rw-register"],
  runtimes: ["netns", "docker", "ssh"],
  nodes: { min: 1 },
  options: {
    replication: option.choice(REPLICATIONS, "async", "sync modes wait for every replica"),
    read: option.choice(
      READ_ROUTES,
      "primary",
      "primary: every op on the primary; replica: reads on a replica (the worker's node if it is one); any: reads on the worker's node; sticky: replica reads that wait for the client's own last write",
    ),
    isolation: option.choice(
      ISOLATIONS,
      "serializable",
      "list-append and rw-register transactions (read-only ones on replicas run as repeatable read, read only)",
    ),
    timeout: option.ms(5000, "an op's own timeout"),
  },
  settings: (v) => ({ replication: v.replication, read: v.read, isolation: v.isolation, opTimeoutMs: v.timeout }),
  needs: {
    packages: ["postgresql"],
    imagePackages: ["postgresql-15"],
    services: ["postgresql"],
    binaries: ["initdb", "pg_basebackup", "postgres", "pg_ctl"].map(pgBinary),
    users: [{ name: "postgres", pkg: "postgresql" }],
  },
  processes: ["postgres"],
  cluster: (rt, nodes, s) => new PgCluster(rt, nodes, s.replication, rt.subnets),
  async start(c) {
    await c.start();
    await c.query(c.primary, "create table if not exists kv (k text primary key, v jsonb)");
    await c.query(c.primary, TXN_TABLE);
    await c.waitReplayed();
  },
  removeData: (c) => c.removeData(),
  async session({ rt, nodes, cluster: c, settings, startMs, faults }) {
    const [{ version }] = await c.query(c.primary, "select version()");
    const byName = new Map(nodes.map((n) => [n.name, n]));
    return {
      faults: faults({
        start: (n) => c.startNode(n),
        primary: async () => c.primaryName,
        clockUnsupported: c.clock ? undefined : rt.clockUnsupported(`${c.bin}/postgres`),
      }),
      client: (process: number, node: string) =>
        new PgClient(c, process, byName.get(node)!, settings.read, settings.opTimeoutMs, settings.isolation),
      load: async (entries: [string, unknown][]) => {
        const conn = c.primary;
        for (const [k, v] of entries)
          await c.query(
            conn,
            "insert into kv (k, v) values ($1, $2::jsonb) on conflict (k) do update set v = excluded.v",
            [k, JSON.stringify(v)],
          );
        await c.waitReplayed();
      },
      info: () => ({
        target: "postgres",
        runtime: rt.name,
        version,
        replication: settings.replication,
        read: settings.read,
        isolation: settings.isolation,
        primary: c.primaryName,
        nodes: nodes.map((n) => ({
          name: n.name,
          ip: n.ip,
          role: n.name === c.primaryName ? "primary" : "replica",
          dir: n.dir,
        })),
        clockSkew: c.clock ? "clock shim (LD_PRELOAD)" : "unsupported",
        startMs,
      }),
    };
  },
});

export type PostgresSession = Awaited<ReturnType<typeof postgresTarget.setup>>;
