// Lab benchmark (root, real PostgreSQL): cluster start time, recorded-run throughput against a raw client loop,
// and the delay between a fault's scheduled time and its effect (p50/p99). Run: npm run bench:lab
import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import "../../src/registry.ts";
import { postgresTarget, type PostgresSession } from "../../targets/postgres/index.ts";
import { resolveConfig } from "../../src/run/config.ts";
import { run } from "../../src/run/runner.ts";
import { rng } from "../../src/run/rng.ts";
import { registerWorkload } from "../../workloads/register.ts";
import { etcdTarget } from "../../targets/etcd/index.ts";
import { redisTarget } from "../../targets/redis/index.ts";

const tmp = (p: string) => { const d = mkdtempSync(join(tmpdir(), p)); chmodSync(d, 0o755); return d; };
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms (n=${xs.length})`;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = 4;

// 1. cluster start
const starts: number[] = [];
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const s = await postgresTarget.setup({ nodes: 3, seed: "1", dir: tmp("fl-bench-"), options: {} });
  starts.push(performance.now() - t0);
  await s.teardown();
}
console.log(`postgres 3-node cluster start: ${fmt(starts)}`);
for (const [name, t] of [["etcd 3-member cluster start", etcdTarget], ["redis 1 primary + 2 replicas + 3 Sentinels start", redisTarget]] as const) {
  const xs: number[] = [];
  for (let i = 0; i < 3; i++) { const t0 = performance.now(); const st = await t.setup({ nodes: 3, seed: "1", dir: tmp("fl-bench-"), options: {} }); xs.push(performance.now() - t0); await st.teardown(); }
  console.log(`${name}: ${fmt(xs)}`);
}

// 2. recorded run vs raw client loop (register workload, reads on the primary, no faults)
const out = await run(await resolveConfig({ target: "postgres", workload: "register", nemesis: [], timeLimit: SECONDS, rate: 0, concurrency: CONCURRENCY, quiet: 0, resultsDir: tmp("fl-bench-run-") }));
const recorded = out.history.filter((o) => o.type !== "invoke" && o.process !== "nemesis").length / SECONDS;

// 2b. the harness's cost on each store: a recorded run against the target's own client in a bare loop (same
// workload generator, same clients and nodes, no runner, no history), one fresh cluster each.
for (const [name, target] of [["postgres", postgresTarget], ["redis", redisTarget], ["etcd", etcdTarget]] as const) {
  const rec = await run(await resolveConfig({ target: name, workload: "register", nemesis: [], timeLimit: SECONDS, rate: 0, concurrency: CONCURRENCY, quiet: 0, resultsDir: tmp("fl-bench-run-") }));
  const recOps = rec.history.filter((o) => o.type !== "invoke" && o.process !== "nemesis").length / SECONDS;
  const session = await target.setup({ nodes: 3, seed: "1", dir: tmp("fl-bench-"), options: {} });
  let done = 0;
  try {
    const until = performance.now() + SECONDS * 1000;
    await Promise.all(Array.from({ length: CONCURRENCY }, async (_, w) => {
      const client = await session.client(w, session.nodes[w % session.nodes.length]);
      const gen = registerWorkload.generator(rng("1", `loop-${w}`), { keys: 3, seed: "1" }, w);
      while (performance.now() < until) { await client.invoke(gen()); done++; }
      await client.close?.();
    }));
  } finally {
    await session.teardown();
  }
  const loop = done / SECONDS;
  console.log(`harness cost, ${name} (${CONCURRENCY} clients, ${SECONDS} s): recorded run ${recOps.toFixed(0)} ops/s, bare client loop ${loop.toFixed(0)} ops/s (${((recOps / loop) * 100).toFixed(0)}%)`);
}

const s = await postgresTarget.setup({ nodes: 3, seed: "1", dir: tmp("fl-bench-"), options: {} }) as PostgresSession;
try {
  let done = 0;
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async (_, w) => {
    const c = new pg.Client({ host: s.cluster.primary.ip, port: 5432, user: "postgres", database: "postgres" });
    await c.connect();
    const gen = registerWorkload.generator(rng("1", `raw-${w}`), { keys: 3, seed: "1" }, w);
    while (performance.now() < until) {
      const op = gen() as { f: string; value: any };
      const [k, v] = op.value;
      if (op.f === "read") await c.query("select v from kv where k = $1", [k]);
      else if (op.f === "write") await c.query("insert into kv (k, v) values ($1, $2::jsonb) on conflict (k) do update set v = excluded.v", [k, JSON.stringify(v)]);
      else await c.query("update kv set v = $3::jsonb where k = $1 and v = $2::jsonb", [k, JSON.stringify(v[0]), JSON.stringify(v[1])]);
      done++;
    }
    await c.end();
  }));
  const raw = done / SECONDS;
  console.log(`throughput (${CONCURRENCY} clients, ${SECONDS} s): recorded run ${recorded.toFixed(0)} ops/s, raw pg loop ${raw.toFixed(0)} ops/s (${((recorded / raw) * 100).toFixed(0)}%)`);

  // 3. fault scheduled → effect
  const f = s.faults;
  const probe = async (node: string, sql: string, timeoutMs = 200) => {
    const c = new pg.Client({ host: s.cluster.node(node).ip, port: 5432, user: "postgres", database: "postgres", connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
    c.on("error", () => undefined);
    try { await c.connect(); return (await c.query(sql)).rows; } finally { c.end().catch(() => undefined); }
  };
  const until2 = async (cond: () => Promise<boolean>) => { for (let i = 0; i < 2000; i++) { if (await cond().catch(() => false)) return; } throw new Error("no effect"); };
  const delays: Record<string, number[]> = { "partition (rules applied)": [], "loss (rules applied)": [], "heal": [], "clock bump (seen in clock_timestamp)": [], "pause (SIGSTOP delivered)": [], "kill (port refuses)": [] };
  for (let i = 0; i < 20; i++) {
    let t = performance.now(); await f.block!([["n1", "n3"], ["n3", "n1"]]); delays["partition (rules applied)"].push(performance.now() - t);
    t = performance.now(); await f.healNetwork!(); delays.heal.push(performance.now() - t);
    t = performance.now(); await f.loss!(["n2"], 0.3); delays["loss (rules applied)"].push(performance.now() - t);
    await f.healNetwork!();
    const off = (i % 2 ? 1 : -1) * 5000;
    t = performance.now();
    await f.clockOffset!("n2", off);
    await until2(async () => Math.abs((await probe("n2", "select extract(epoch from clock_timestamp())::float8 as t"))[0].t * 1000 - Date.now() - off) < 1000);
    delays["clock bump (seen in clock_timestamp)"].push(performance.now() - t);
    await f.clockOffset!("n2", 0);
    t = performance.now(); await f.pause!("n3"); delays["pause (SIGSTOP delivered)"].push(performance.now() - t);
    await f.resume!("n3");
  }
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await f.kill!("n3");
    await until2(async () => { try { await probe("n3", "select 1", 100); return false; } catch (e) { return /ECONNREFUSED/.test(String(e)); } });
    delays["kill (port refuses)"].push(performance.now() - t);
    await f.restart!("n3");
  }
  for (const [k, v] of Object.entries(delays)) console.log(`fault → effect, ${k}: ${fmt(v)}`);
} finally {
  await s.teardown();
}
await import("./patroni-bench.ts");
