// The `postgres` target: PostgreSQL primary + N-1 streaming replicas on lab nodes (netns, docker or ssh runtime).
// Options (--opt key=value):
//   replication = async | sync-remote-write | sync-remote-apply   (default async; sync modes wait for every replica)
//   read        = primary | replica | any | sticky                  (default primary)
//     primary: every op on the primary; replica: reads on a replica (the worker's node if it is one);
//     any: reads on the worker's node; sticky: like replica, but a read first waits until that replica has
//     replayed the client's own last write (read-your-writes through WAL positions).
//   isolation   = read-committed | repeatable-read | serializable  (list-append, rw-register transactions;
//                 default serializable; read-only ones on replicas run as repeatable read, read only)
//   subnet = 198.18.x.0/24, slot = n (lab network), keep-data = true (keep data dirs after the run)
// Faults come from the lab runtime (labFaults): partitions, loss, kill -9/restart, pause, clock skew (postgres
// runs under the clock shim, so clock_timestamp() and now() follow the node's offset).
import { UsageError } from "../../src/errors.ts";
import { labFaults, LabError, type LabNode, type Runtime } from "../../src/lab/runtime.ts";
import { createRuntime, setupFailed } from "../../src/lab/runtimes.ts";
import { realScheduler } from "../../src/run/scheduler.ts";
import type { Target, TargetOptions, TargetSession } from "../../src/run/types.ts";
import { PgCluster, REPLICATIONS, type Replication } from "./cluster.ts";
import { PgClient, READ_ROUTES, type ReadRoute } from "./client.ts";
import { ISOLATIONS, TXN_TABLE, type Isolation } from "./txn.ts";

export interface PostgresSettings {
  replication: Replication;
  read: ReadRoute;
  isolation: Isolation;
  subnet?: string;
  slot?: number;
  keepData: boolean;
  opTimeoutMs: number;
}

const KNOWN = ["replication", "read", "isolation", "subnet", "slot", "keep-data", "timeout"];

export function parsePostgresOptions(o: Record<string, unknown>): PostgresSettings {
  for (const k of Object.keys(o)) if (!KNOWN.includes(k)) throw new UsageError(`postgres has no option ${JSON.stringify(k)}; options: ${KNOWN.join(", ")}`);
  const replication = (o.replication ?? "async") as Replication;
  if (!REPLICATIONS.includes(replication)) throw new UsageError(`postgres replication must be one of ${REPLICATIONS.join(", ")}, got ${JSON.stringify(o.replication)}`);
  const read = (o.read ?? "primary") as ReadRoute;
  if (!READ_ROUTES.includes(read)) throw new UsageError(`postgres read must be one of ${READ_ROUTES.join(", ")}, got ${JSON.stringify(o.read)}`);
  const isolation = (o.isolation ?? "serializable") as Isolation;
  if (!ISOLATIONS.includes(isolation)) throw new UsageError(`postgres isolation must be one of ${ISOLATIONS.join(", ")}, got ${JSON.stringify(o.isolation)}`);
  if (o.slot !== undefined && !(Number.isInteger(o.slot) && (o.slot as number) >= 0)) throw new UsageError(`postgres slot must be a non-negative integer, got ${JSON.stringify(o.slot)}`);
  const timeout = o.timeout === undefined ? 5000 : Number(o.timeout);
  if (!(timeout > 0)) throw new UsageError(`postgres timeout must be a positive number of ms, got ${JSON.stringify(o.timeout)}`);
  return { replication, read, isolation, subnet: o.subnet as string | undefined, slot: o.slot as number | undefined, keepData: o["keep-data"] === true || o["keep-data"] === "true", opTimeoutMs: timeout };
}

export interface PostgresSession extends TargetSession {
  cluster: PgCluster;
  runtime: Runtime;
}

export const postgresTarget: Target = {
  options: KNOWN,
  name: "postgres",
  workloads: ["register", "session", "bank", "set", "set-full", "counter", "chat", "list-append", "rw-register"],
  runtimes: ["netns", "docker", "ssh"],
  async setup(o: TargetOptions): Promise<PostgresSession> {
    const settings = parsePostgresOptions(o.options);
    if (o.nodes < 1) throw new UsageError("postgres needs at least 1 node");
    const rt = createRuntime(o.runtime, { subnet: settings.subnet, slot: settings.slot, options: o.runtimeOptions });
    let cluster: PgCluster | undefined;
    try {
      const t0 = performance.now();
      const nodes = await rt.createNodes(o.nodes, o.dir);
      cluster = new PgCluster(rt, nodes, settings.replication, rt.subnets);
      await cluster.start();
      await cluster.query(cluster.primary, "create table if not exists kv (k text primary key, v jsonb)");
      await cluster.query(cluster.primary, TXN_TABLE);
      await cluster.waitReplayed();
      const startMs = performance.now() - t0;
      const [{ version }] = await cluster.query(cluster.primary, "select version()");
      const c = cluster;
      const byName = new Map(nodes.map((n) => [n.name, n]));
      const session: PostgresSession = {
        nodes: nodes.map((n) => n.name),
        scheduler: realScheduler,
        cluster: c,
        runtime: rt,
        faults: labFaults(rt, nodes, {
          start: (n: LabNode) => c.startNode(n),
          processes: () => ["postgres"],
          primary: async () => c.primaryName,
          clockUnsupported: c.clock ? undefined : rt.clockUnsupported(`${c.bin}/postgres`),
        }),
        client: (process, node) => new PgClient(c, process, byName.get(node)!, settings.read, settings.opTimeoutMs, settings.isolation),
        load: async (entries) => {
          const conn = c.primary;
          for (const [k, v] of entries) await c.query(conn, "insert into kv (k, v) values ($1, $2::jsonb) on conflict (k) do update set v = excluded.v", [k, JSON.stringify(v)]);
          await c.waitReplayed();
        },
        info: () => ({
          target: "postgres", runtime: rt.name, version, replication: settings.replication, read: settings.read, isolation: settings.isolation,
          primary: c.primaryName, nodes: nodes.map((n) => ({ name: n.name, ip: n.ip, role: n.name === c.primaryName ? "primary" : "replica", dir: n.dir })),
          clockSkew: c.clock ? "clock shim (LD_PRELOAD)" : "unsupported", startMs: Math.round(startMs),
        }),
        teardown: async () => {
          try { await rt.destroy(); } finally { if (!settings.keepData) c.removeData(); }
        },
      };
      return session;
    } catch (e) {
      return setupFailed("postgres", rt, cluster && !settings.keepData ? () => cluster!.removeData() : undefined, e);
    }
  },
};
