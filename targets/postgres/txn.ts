// Elle-style transactions on PostgreSQL: one table `txn (k int primary key, list text, reg int)` holds both
// workloads' keys. Micro-ops:
//   ["r", k, _]       select list, reg from txn where k = $1   → the list as numbers ("1,2,3" → [1, 2, 3]),
//                     else the register, else null (a key never written, as Jepsen's client reads it)
//   ["append", k, v]  insert … on conflict (k) do update set list = txn.list || ',' || v
//   ["w", k, v]       insert … on conflict (k) do update set reg = v
// in one transaction at the chosen isolation level (read-only ones on a replica: repeatable read, read only,
// since a hot standby has no serializable). A serialization failure or deadlock (40001, 40P01) rolls the
// transaction back: a definite fail.
import type pg from "pg";
import type { Completion } from "../../src/history/op.ts";

export type Isolation = "read-committed" | "repeatable-read" | "serializable";
export const ISOLATIONS: Isolation[] = ["read-committed", "repeatable-read", "serializable"];

export const TXN_TABLE = "create table if not exists txn (k int primary key, list text, reg int)";

type MicroOp = [string, unknown, unknown];

export const isReadOnlyTxn = (value: unknown) =>
  Array.isArray(value) && value.every((m) => Array.isArray(m) && m[0] === "r");

/** SQLSTATEs of a transaction the server rolled back: serialization failure, deadlock. */
export const rolledBack = (code: string | undefined) => code === "40001" || code === "40P01";

const readValue = (row: { list: string | null; reg: number | null } | undefined): unknown => {
  if (!row) return null;
  if (row.list !== null) return row.list.split(",").map(Number);
  return row.reg;
};

/** Runs one transaction; `committing` is called just before COMMIT is sent (after it, a lost connection is info). */
export async function runTxn(
  c: pg.Client,
  value: unknown,
  isolation: Isolation,
  onReplica: boolean,
  committing: () => void,
): Promise<Completion> {
  const ops = value as MicroOp[];
  const level = onReplica ? "repeatable read read only" : isolation.replace("-", " ");
  await c.query(`begin isolation level ${level}`);
  // Transactions that lock each other's rows in opposite orders deadlock; find out in 50 ms, not the default 1 s.
  if (!onReplica) await c.query("set local deadlock_timeout = '50ms'");
  const out: MicroOp[] = [];
  try {
    for (const [f, k, v] of ops) {
      if (f === "r") {
        const { rows } = await c.query("select list, reg from txn where k = $1", [k]);
        out.push([f, k, readValue(rows[0])]);
      } else if (f === "append") {
        await c.query(
          "insert into txn (k, list) values ($1, $2::text) on conflict (k) do update set list = coalesce(txn.list || ',', '') || $2::text",
          [k, String(v)],
        );
        out.push([f, k, v]);
      } else if (f === "w") {
        await c.query("insert into txn (k, reg) values ($1, $2) on conflict (k) do update set reg = excluded.reg", [
          k,
          v,
        ]);
        out.push([f, k, v]);
      } else {
        await c.query("rollback");
        return { type: "fail", value, error: `unsupported micro-op ${JSON.stringify(f)}` };
      }
    }
  } catch (e) {
    await c.query("rollback").catch(() => undefined);
    throw e;
  }
  committing();
  await c.query("commit");
  return { type: "ok", value: out };
}
