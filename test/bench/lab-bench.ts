// Lab benchmark (root, real PostgreSQL, Redis, etcd): the harness's cost per store (recorded run against a bare
// client loop), cluster start time, and the delay between a fault's scheduled time and its effect (p50/p99).
// Run: npm run bench:lab (BENCH_LAB=harness: the harness-cost table alone, about 3 minutes)
import { chmodSync, mkdtempSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { targets } from "../../src/registry.ts";
import { postgresTarget, type PostgresSession } from "../../targets/postgres/index.ts";
import { resolveConfig } from "../../src/run/config.ts";
import { run } from "../../src/run/runner.ts";
import { rng } from "../../src/run/rng.ts";
import { registerWorkload } from "../../workloads/register.ts";
import type { OpSpec, Target, WorkloadOptions } from "../../src/run/types.ts";
import type { Completion } from "../../src/history/op.ts";
import { realScheduler } from "../../src/run/scheduler.ts";
import { etcdTarget } from "../../targets/etcd/index.ts";
import { redisTarget } from "../../targets/redis/index.ts";

const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  chmodSync(d, 0o755);
  return d;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms (n=${xs.length})`;
const median = (xs: number[]) => pct(xs, 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CLIENTS ?? 10);

// 1. The harness's cost on each store: a recorded run (runner, history written as it happens) against a bare
// loop of the same target session's own clients (same workload generator and seeds, same clients and nodes,
// no runner, no history), on one cluster per store. Bare and recorded runs alternate and the medians are
// compared, so load from elsewhere on the machine falls on both alike. Both count the ops invoked within the
// window, over the window. BENCH_LAB=harness stops after this table; BENCH_STORES picks its rows.
const harnessRow = async (name: string, target: Target, seconds = SECONDS) => {
  const session = await target.setup({ nodes: 3, seed: "1", dir: tmp("fl-bench-"), options: {} });
  // The recorded run drives this session (and leaves its teardown to the bench).
  const key = `bench-${name}`;
  targets[key] = async () => ({
    ...target,
    name: key,
    setup: async () => ({ ...session, teardown: async () => undefined }),
  });
  const config = await resolveConfig({
    target: key,
    workload: "register",
    nemesis: [],
    timeLimit: seconds,
    rate: 0,
    concurrency: CONCURRENCY,
    quiet: 0,
    resultsDir: tmp("fl-bench-run-"),
  });
  const wopts: WorkloadOptions = {
    keys: config.keys,
    seed: config.seed,
    nodes: session.nodes,
    ...config.workloadOptions,
  };
  const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
  const bare = async () => {
    let done = 0;
    const c0 = process.cpuUsage();
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, w) => {
        const client = await session.client(w, session.nodes[w % session.nodes.length]);
        const gen = registerWorkload.generator(rng(config.seed, `worker-${w}`), wopts, w);
        while (performance.now() < until) {
          await client.invoke(gen());
          done++;
        }
        await client.close?.();
      }),
    );
    bareCpu.push((cpuMs(process.cpuUsage(c0)) * 1000) / done);
    return done / seconds;
  };
  const recorded = async () => {
    // This process's CPU time over the main phase (not the check and report after it).
    const c0 = process.cpuUsage();
    let cpu = 0;
    const mark = setTimeout(() => {
      cpu = cpuMs(process.cpuUsage(c0));
    }, seconds * 1000);
    const out = await run(config);
    clearTimeout(mark);
    // Main-phase ops: invoked within the time limit (the final reads come after it).
    const horizon = seconds * 1e9;
    const ops = out.history.filter((o) => o.type === "invoke" && o.process !== "nemesis" && o.time < horizon).length;
    recCpu.push((cpu * 1000) / ops);
    return ops / seconds;
  };
  const bares: number[] = [],
    recs: number[] = [],
    bareCpu: number[] = [],
    recCpu: number[] = [];
  try {
    for (let i = 0; i < REPEATS; i++) {
      bares.push(await bare());
      recs.push(await recorded());
    }
  } finally {
    delete targets[key];
    await session.teardown();
  }
  return { bares, recs, bareCpu, recCpu };
};
const harnessTable = async (name: string, target: Target) => {
  const { bares, recs } = await harnessRow(name, target);
  const b = median(bares),
    r = median(recs);
  // Each recorded run against the bare run just before it, which ran under much the same load.
  const paired = median(recs.map((x, i) => x / bares[i]));
  console.log(
    `| ${name} | ${b.toFixed(0)} | ${r.toFixed(0)} | ${((r / b) * 100).toFixed(0)}% | ${(paired * 100).toFixed(0)}% | ${bares.map((x) => x.toFixed(0)).join(" ")} | ${recs.map((x) => x.toFixed(0)).join(" ")} |`,
  );
};
// The harness's own time per op, apart from any store: clients that answer on the next turn of the event loop,
// so a recorded run's time is nearly all the harness's (JSON lines, the file's writes, op objects, timeouts).
const instant: Target = {
  name: "instant",
  workloads: ["register"],
  setup: async () => ({
    nodes: ["n1", "n2", "n3"],
    scheduler: realScheduler,
    faults: {},
    info: () => ({}),
    teardown: async () => undefined,
    client: () => ({
      invoke: (op: OpSpec) =>
        new Promise<Completion>((r) =>
          setImmediate(r, { type: "ok", value: op.f === "read" ? [(op.value as unknown[])[0], null] : op.value }),
        ),
    }),
  }),
};
console.log(
  `harness cost: ${CONCURRENCY} clients, register workload, ${REPEATS} × (${SECONDS} s bare, ${SECONDS} s recorded) interleaved, medians; load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
console.log(
  "| store | bare ops/s | recorded ops/s | recorded / bare | median of pairs | bare runs | recorded runs |\n|---|---|---|---|---|---|---|",
);
// BENCH_STORES=redis,etcd: those rows only ("none": only the in-process line).
const stores = (process.env.BENCH_STORES ?? "postgres,redis,etcd").split(",");
for (const [name, target] of [
  ["postgres", postgresTarget],
  ["redis", redisTarget],
  ["etcd", etcdTarget],
] as const)
  if (stores.includes(name)) await harnessTable(name, target);
{
  // Short runs: at this rate a recorded run's check of its history takes longer than the run.
  const { bareCpu, recCpu } = await harnessRow("instant", instant, 1);
  const b = median(bareCpu),
    r = median(recCpu);
  console.log(
    `harness CPU time per op (in-process clients answering on the next turn, medians): ${(r - b).toFixed(2)} µs (recorded ${r.toFixed(2)} µs/op, bare loop ${b.toFixed(2)} µs/op)`,
  );
}
if (process.env.BENCH_LAB === "harness") process.exit(0);

// 2. cluster start
const starts: number[] = [];
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const s = await postgresTarget.setup({ nodes: 3, seed: "1", dir: tmp("fl-bench-"), options: {} });
  starts.push(performance.now() - t0);
  await s.teardown();
}
console.log(`postgres 3-node cluster start: ${fmt(starts)}`);
for (const [name, t] of [
  ["etcd 3-member cluster start", etcdTarget],
  ["redis 1 primary + 2 replicas + 3 Sentinels start", redisTarget],
] as const) {
  const xs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const st = await t.setup({ nodes: 3, seed: "1", dir: tmp("fl-bench-"), options: {} });
    xs.push(performance.now() - t0);
    await st.teardown();
  }
  console.log(`${name}: ${fmt(xs)}`);
}

// 3. a recorded run against a raw pg loop (no target client at all: the pg library alone)
const out = await run(
  await resolveConfig({
    target: "postgres",
    workload: "register",
    nemesis: [],
    timeLimit: SECONDS,
    rate: 0,
    concurrency: CONCURRENCY,
    quiet: 0,
    resultsDir: tmp("fl-bench-run-"),
  }),
);
const recorded =
  out.history.filter((o) => o.type === "invoke" && o.process !== "nemesis" && o.time < SECONDS * 1e9).length / SECONDS;

const s = (await postgresTarget.setup({ nodes: 3, seed: "1", dir: tmp("fl-bench-"), options: {} })) as PostgresSession;
try {
  let done = 0;
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      const c = new pg.Client({ host: s.cluster.primary.ip, port: 5432, user: "postgres", database: "postgres" });
      await c.connect();
      const gen = registerWorkload.generator(rng("1", `raw-${w}`), { keys: 3, seed: "1" }, w);
      while (performance.now() < until) {
        const op = gen() as { f: string; value: any };
        const [k, v] = op.value;
        if (op.f === "read") await c.query("select v from kv where k = $1", [k]);
        else if (op.f === "write")
          await c.query("insert into kv (k, v) values ($1, $2::jsonb) on conflict (k) do update set v = excluded.v", [
            k,
            JSON.stringify(v),
          ]);
        else
          await c.query("update kv set v = $3::jsonb where k = $1 and v = $2::jsonb", [
            k,
            JSON.stringify(v[0]),
            JSON.stringify(v[1]),
          ]);
        done++;
      }
      await c.end();
    }),
  );
  const raw = done / SECONDS;
  console.log(
    `throughput (${CONCURRENCY} clients, ${SECONDS} s): recorded run ${recorded.toFixed(0)} ops/s, raw pg loop ${raw.toFixed(0)} ops/s (${((recorded / raw) * 100).toFixed(0)}%)`,
  );

  // 4. fault scheduled → effect
  const f = s.faults;
  const probe = async (node: string, sql: string, timeoutMs = 200) => {
    const c = new pg.Client({
      host: s.cluster.node(node).ip,
      port: 5432,
      user: "postgres",
      database: "postgres",
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
    });
    c.on("error", () => undefined);
    try {
      await c.connect();
      return (await c.query(sql)).rows;
    } finally {
      c.end().catch(() => undefined);
    }
  };
  const until2 = async (cond: () => Promise<boolean>) => {
    for (let i = 0; i < 2000; i++) {
      if (await cond().catch(() => false)) return;
    }
    throw new Error("no effect");
  };
  const delays: Record<string, number[]> = {
    "partition (rules applied)": [],
    "loss (rules applied)": [],
    heal: [],
    "clock bump (seen in clock_timestamp)": [],
    "pause (SIGSTOP delivered)": [],
    "kill (port refuses)": [],
  };
  for (let i = 0; i < 20; i++) {
    let t = performance.now();
    await f.block!([
      ["n1", "n3"],
      ["n3", "n1"],
    ]);
    delays["partition (rules applied)"].push(performance.now() - t);
    t = performance.now();
    await f.healNetwork!();
    delays.heal.push(performance.now() - t);
    t = performance.now();
    await f.loss!(["n2"], 0.3);
    delays["loss (rules applied)"].push(performance.now() - t);
    await f.healNetwork!();
    const off = (i % 2 ? 1 : -1) * 5000;
    t = performance.now();
    await f.clockOffset!("n2", off);
    await until2(
      async () =>
        Math.abs(
          (await probe("n2", "select extract(epoch from clock_timestamp())::float8 as t"))[0].t * 1000 -
            Date.now() -
            off,
        ) < 1000,
    );
    delays["clock bump (seen in clock_timestamp)"].push(performance.now() - t);
    await f.clockOffset!("n2", 0);
    t = performance.now();
    await f.pause!("n3");
    delays["pause (SIGSTOP delivered)"].push(performance.now() - t);
    await f.resume!("n3");
  }
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await f.kill!("n3");
    await until2(async () => {
      try {
        await probe("n3", "select 1", 100);
        return false;
      } catch (e) {
        return /ECONNREFUSED/.test(String(e));
      }
    });
    delays["kill (port refuses)"].push(performance.now() - t);
    await f.restart!("n3");
  }
  for (const [k, v] of Object.entries(delays)) console.log(`fault → effect, ${k}: ${fmt(v)}`);
} finally {
  await s.teardown();
}
await import("./patroni-bench.ts");
