// Lab benchmark rows for the patroni target (root, Debian's patroni): cluster start, failover time (leader
// isolated → a new leader accepts a write), the isolated old leader's demotion, and rejoin time (heal, 45 s after the
// isolation → the old leader streams from the new one). Part of `npm run bench:lab`; alone: npx tsx test/bench/patroni-bench.ts
import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { patroniTarget, type PatroniSession } from "../../targets/patroni/index.ts";

const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  chmodSync(d, 0o755);
  return d;
};
const fmt = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${(s[Math.floor(s.length / 2)] / 1000).toFixed(1)} s, range ${(s[0] / 1000).toFixed(1)}–${(s.at(-1)! / 1000).toFixed(1)} s (n=${s.length})`;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => Promise<boolean>, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await cond().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error("no effect within the deadline");
}

const starts: number[] = [];
for (let i = 0; i < 2; i++) {
  const t0 = performance.now();
  const st = await patroniTarget.setup({ nodes: 3, seed: "1", dir: tmp("fl-bench-patroni-"), options: {} });
  starts.push(performance.now() - t0);
  await st.teardown();
}
console.log(
  `patroni 3-node cluster start (etcd + Patroni + PostgreSQL, leader and 2 streaming replicas): ${fmt(starts)}`,
);

const s = (await patroniTarget.setup({
  nodes: 3,
  seed: "1",
  dir: tmp("fl-bench-patroni-"),
  options: {},
})) as PatroniSession;
const failover: number[] = [],
  demote: number[] = [],
  rejoin: number[] = [];
try {
  const c = s.cluster;
  for (let i = 0; i < 2; i++) {
    const old = (await s.faults.primary!())!;
    const rest = s.nodes.filter((n) => n !== old);
    const t0 = performance.now();
    await s.faults.block!(
      rest.flatMap(
        (n) =>
          [
            [n, old],
            [old, n],
          ] as [string, string][],
      ),
    );
    await until(async () => {
      for (const n of rest) {
        const ok = await c.pg
          .query(
            c.node(n),
            "insert into kv (k, v) values ('bench', '1') on conflict (k) do update set v = excluded.v returning k",
            [],
            500,
          )
          .then(
            () => true,
            () => false,
          );
        if (ok) return true;
      }
      return false;
    });
    failover.push(performance.now() - t0);
    await until(async () => !(await c.ask()).some((x) => x.node === old));
    demote.push(performance.now() - t0);
    // Heal only well after the demotion began: a heal while the old leader is still demoting can hit Patroni
    // 3.0.2's leader-key bug (it takes the key back; the followers are left on a wrong timeline), seen here.
    await sleep(Math.max(0, 45_000 - (performance.now() - t0)));
    const t1 = performance.now();
    await s.faults.healNetwork!();
    await until(async () => {
      const l = await s.faults.primary!();
      return (
        !!l &&
        l !== old &&
        (
          await c.pg.query(
            c.node(l),
            "select count(*)::int as n from pg_stat_replication where application_name = $1 and state = 'streaming'",
            [old],
            1000,
          )
        )[0].n === 1
      );
    });
    rejoin.push(performance.now() - t1);
    await until(async () => (await c.streaming(c.node((await s.faults.primary!())!))) === 2);
  }
} finally {
  await s.teardown();
}
console.log(
  `patroni failover (leader isolated → a new leader accepts a write; ttl 10, loop_wait 2, retry_timeout 5): ${fmt(failover)}`,
);
console.log(`patroni isolated old leader stops claiming primary (from isolation): ${fmt(demote)}`);
console.log(
  `patroni rejoin (heal 45 s after isolation → old leader streams from the new one, pg_rewind): ${fmt(rejoin)}`,
);
