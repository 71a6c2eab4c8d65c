// A postgres client for one worker: writes go to the primary, reads where the `read` option routes them.
// Data lives in one table `kv (k text primary key, v jsonb)`; each op is one statement (autocommit) except
// transfer, which is a transaction locking both rows. Errors: `fail` only when the op certainly did not
// happen (no connection, an SQL error that rolled the statement back, or any error on a read-only op);
// anything that may have committed (connection lost mid-statement, timeouts, shutdown while waiting for a
// synchronous standby) is left to the runner as indeterminate (`info`).
import pg from "pg";
import type { Completion } from "../../src/history/op.ts";
import { DefiniteFailure, type Client, type OpSpec } from "../../src/run/types.ts";
import type { LabNode } from "../../src/lab/runtime.ts";
import { PORT, type PgCluster } from "./cluster.ts";
import { isReadOnlyTxn, rolledBack, runTxn, type Isolation } from "./txn.ts";

export type ReadRoute = "primary" | "replica" | "any" | "sticky";
export const READ_ROUTES: ReadRoute[] = ["primary", "replica", "any", "sticky"];

const READ_ONLY = new Set(["read", "read-all"]);

/** SQLSTATEs after which a statement may still have committed: connection exceptions (class 08) and
 *  shutdowns (57P01/57P02: e.g. terminated while waiting for a synchronous standby, after the local commit). */
const maybeCommitted = (code: string | undefined) =>
  code === undefined || code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03";

class ConnectError extends Error {}

export class PgClient implements Client {
  private conns = new Map<string, pg.Client>();
  private lastLsn: string | undefined; // sticky: the WAL position after this client's last write

  constructor(
    private cluster: PgCluster,
    private process: number,
    private home: LabNode,
    private route: ReadRoute,
    private timeoutMs: number,
    private isolation: Isolation = "serializable",
  ) {}

  /** Where this client's reads go. */
  readNode(): LabNode {
    const replicas = this.cluster.replicas;
    switch (this.route) {
      case "primary":
        return this.cluster.primary;
      case "any":
        return this.home;
      case "replica":
      case "sticky":
        if (!replicas.length) return this.cluster.primary;
        return replicas.some((r) => r.name === this.home.name) ? this.home : replicas[this.process % replicas.length];
    }
  }

  private async conn(n: LabNode): Promise<pg.Client> {
    const have = this.conns.get(n.name);
    if (have) return have;
    const c = new pg.Client({
      host: n.ip,
      port: PORT,
      user: "postgres",
      database: "postgres",
      connectionTimeoutMillis: Math.min(2000, this.timeoutMs),
      query_timeout: this.timeoutMs,
      application_name: `faultline-${this.process}`,
    });
    c.on("error", () => this.drop(n.name, c));
    try {
      await c.connect();
    } catch (e) {
      this.drop(n.name, c);
      throw new ConnectError((e as Error).message);
    }
    this.conns.set(n.name, c);
    return c;
  }

  private drop(name: string, c: pg.Client): void {
    if (this.conns.get(name) === c) this.conns.delete(name);
    destroy(c);
  }

  async invoke(op: OpSpec): Promise<Completion> {
    const readOnly = READ_ONLY.has(op.f) || (op.f === "txn" && isReadOnlyTxn(op.value));
    const node = readOnly ? this.readNode() : this.cluster.primary;
    let c: pg.Client;
    try {
      c = await this.conn(node);
    } catch (e) {
      throw new DefiniteFailure(`connect ${node.name}: ${(e as Error).message}`);
    }
    let phase: "before" | "commit" = "before";
    try {
      if (readOnly && this.route === "sticky" && this.lastLsn && node !== this.cluster.primary)
        await this.waitFor(c, this.lastLsn);
      const out = await this.run(c, op, () => {
        phase = "commit";
      });
      if (!readOnly && this.route === "sticky" && out.type === "ok")
        this.lastLsn = (await c.query("select pg_current_wal_insert_lsn()::text as l")).rows[0].l;
      return out;
    } catch (e) {
      const err = e as Error & { code?: string };
      if (err.code === undefined || err.code.startsWith("08") || err.code.startsWith("57")) this.drop(node.name, c);
      if (readOnly) throw new DefiniteFailure(err.message);
      if (phase === "before") throw new DefiniteFailure(err.message); // nothing that could commit was sent
      if (!maybeCommitted(err.code) || rolledBack(err.code)) throw new DefiniteFailure(`${err.code}: ${err.message}`);
      throw err; // indeterminate: the runner records info
    }
  }

  /** Waits until this replica has replayed up to `lsn` (sticky sessions read their own writes). */
  private async waitFor(c: pg.Client, lsn: string): Promise<void> {
    for (;;) {
      const { rows } = await c.query("select coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, true) as ok", [lsn]);
      if (rows[0].ok) return;
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  private async run(c: pg.Client, op: OpSpec, committing: () => void): Promise<Completion> {
    switch (op.f) {
      case "read": {
        const [k] = op.value as [string, unknown];
        const { rows } = await c.query("select v from kv where k = $1", [k]);
        return { type: "ok", value: [k, rows.length ? rows[0].v : null] };
      }
      case "read-all": {
        const keys = op.value as string[];
        const { rows } = await c.query("select k, v from kv where k = any($1::text[])", [keys]);
        const got = new Map(rows.map((r) => [r.k as string, r.v]));
        return { type: "ok", value: Object.fromEntries(keys.map((k) => [k, got.has(k) ? got.get(k) : null])) };
      }
      case "write": {
        const [k, v] = op.value as [string, unknown];
        committing();
        await c.query("insert into kv (k, v) values ($1, $2::jsonb) on conflict (k) do update set v = excluded.v", [
          k,
          JSON.stringify(v),
        ]);
        return { type: "ok", value: op.value };
      }
      case "cas": {
        const [k, [expected, next]] = op.value as [string, [unknown, unknown]];
        committing();
        const r =
          expected === null
            ? await c.query(
                "insert into kv (k, v) values ($1, $2::jsonb) on conflict (k) do update set v = excluded.v where kv.v is null or kv.v = 'null'::jsonb",
                [k, JSON.stringify(next)],
              )
            : await c.query("update kv set v = $3::jsonb where k = $1 and v = $2::jsonb", [
                k,
                JSON.stringify(expected),
                JSON.stringify(next),
              ]);
        return r.rowCount === 1
          ? { type: "ok", value: op.value }
          : { type: "fail", value: op.value, error: "compare-failed" };
      }
      case "append":
      case "add": {
        const [k, x] = op.value as [string, unknown];
        committing();
        await c.query(
          "insert into kv (k, v) values ($1, jsonb_build_array($2::jsonb)) on conflict (k) do update set v = coalesce(kv.v, '[]'::jsonb) || jsonb_build_array($2::jsonb)",
          [k, JSON.stringify(x)],
        );
        return { type: "ok", value: op.value };
      }
      case "incr": {
        const [k, delta] = op.value as [string, number];
        committing();
        await c.query(
          "insert into kv (k, v) values ($1, to_jsonb($2::numeric)) on conflict (k) do update set v = to_jsonb(coalesce((kv.v #>> '{}')::numeric, 0) + $2::numeric)",
          [k, delta],
        );
        return { type: "ok", value: op.value };
      }
      case "transfer": {
        const { from, to, amount } = op.value as { from: string; to: string; amount: number };
        await c.query("begin");
        try {
          const { rows } = await c.query("select k, v from kv where k = any($1::text[]) order by k for update", [
            [from, to],
          ]);
          const bal = new Map(rows.map((r) => [r.k as string, Number(r.v ?? 0)]));
          const a = bal.get(from) ?? 0;
          const b = bal.get(to) ?? 0;
          if (a < amount) {
            await c.query("rollback");
            return { type: "fail", value: op.value, error: "insufficient-funds" };
          }
          const upsert =
            "insert into kv (k, v) values ($1, to_jsonb($2::numeric)) on conflict (k) do update set v = excluded.v";
          await c.query(upsert, [from, a - amount]);
          await c.query(upsert, [to, b + amount]);
        } catch (e) {
          await c.query("rollback").catch(() => undefined);
          throw e;
        }
        committing();
        await c.query("commit");
        return { type: "ok", value: op.value };
      }
      case "txn":
        return runTxn(
          c,
          op.value,
          this.isolation,
          isReadOnlyTxn(op.value) && this.readNode() !== this.cluster.primary,
          committing,
        );
      default:
        return { type: "fail", value: op.value, error: `unsupported op ${JSON.stringify(op.f)}` };
    }
  }

  async close(): Promise<void> {
    for (const c of this.conns.values()) destroy(c);
    this.conns.clear();
  }
}

/** Closes a connection without waiting on a server that may be paused or partitioned. */
function destroy(c: pg.Client): void {
  const stream = (c as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  try {
    stream?.destroy();
  } catch {
    /* already closed */
  }
  c.end().catch(() => undefined);
}
