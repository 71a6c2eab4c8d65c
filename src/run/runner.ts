// Runs one test: target setup → concurrent clients driven by the workload generator, with the nemesis
// schedule alongside → heal → quiet period → final reads → teardown → checkers → results.
// Every invocation, completion and fault is appended to history.jsonl as it happens.
import { join } from "node:path";
import { hostname } from "node:os";
import { writeFileSync } from "node:fs";
import { HistoryWriter } from "../history/writer.ts";
import type { Completion, Op } from "../history/op.ts";
import { lookup, nemeses as nemesisTable, workloads, targets } from "../registry.ts";
import { UsageError } from "../errors.ts";
import { packageVersion } from "../version.ts";
import { createRunDir, FILES, writeJson } from "../results/store.ts";
import type { Injected, Nemesis, NemesisContext } from "../../nemeses/types.ts";
import { runCheckers, summarize, type Results } from "./check.ts";
import { CheckThread } from "./check-thread.ts";
import type { RunConfig } from "./config.ts";
import { rng } from "./rng.ts";
import { TIMED_OUT, type Wait } from "./op-timeouts.ts";
import { defaultSchedule, parseSchedule } from "./schedule.ts";
import { DefiniteFailure, type Client, type OpSpec, type TargetSession, type WorkloadOptions } from "./types.ts";

const TIMED_OUT_COMPLETION: Completion = { type: "info", error: "timeout" };

export interface RunProgress {
  elapsed: number;
  ok: number;
  fail: number;
  info: number;
  fault?: string;
}

export interface RunOutcome {
  dir: string;
  history: Op[];
  results: Results;
  summary: string;
  interrupted: boolean;
}

export interface RunHooks {
  progress?: (p: RunProgress) => void;
  /** Resolves when the run should stop early (Ctrl-C): the runner heals, tears down and checks what it has. */
  abort?: Promise<unknown>;
  /** Called as the check starts (with the number of events), when it runs on a thread (with `abort`). */
  onChecking?: (events: number) => void;
  argv?: string[];
}

export async function run(config: RunConfig, hooks: RunHooks = {}): Promise<RunOutcome> {
  const dir = createRunDir(config.resultsDir, config.name);
  const started = new Date().toISOString();
  const runInfo: Record<string, unknown> = {
    name: config.name,
    started,
    status: "running",
    pid: process.pid,
    host: hostname(),
    argv: hooks.argv ?? process.argv.slice(2),
    seed: config.seed,
    config,
    versions: { faultline: packageVersion(), node: process.version },
  };
  writeJson(join(dir, FILES.run), runInfo);
  // A forced exit (a second Ctrl-C) must not leave run.json saying `running`.
  const markExited = () => {
    if (runInfo.status === "running")
      writeJson(join(dir, FILES.run), { ...runInfo, status: "interrupted", finished: new Date().toISOString() });
  };
  process.on("exit", markExited);
  // With an abort hook (the CLI) the check runs on a thread, so a Ctrl-C during it is heard and stops it.
  const thread = hooks.abort ? new CheckThread(config.workload) : undefined;
  try {
    return await runIn(dir, runInfo, config, hooks, thread);
  } finally {
    process.off("exit", markExited);
    await thread?.close();
  }
}

async function runIn(
  dir: string,
  runInfo: Record<string, unknown>,
  config: RunConfig,
  hooks: RunHooks,
  thread?: CheckThread,
): Promise<RunOutcome> {
  const target = await lookup("target", targets, config.target);
  const workload = await lookup("workload", workloads, config.workload);
  const chosen: Nemesis[] = await Promise.all(config.nemesis.map((n) => lookup("nemesis", nemesisTable, n)));
  const byName = new Map(config.nemesis.map((n, i) => [n, chosen[i]]));
  // Each fault's look as its nemesis declares it, so the report draws any nemesis without knowing it.
  runInfo.nemeses = Object.fromEntries(chosen.map((n) => [n.name, { description: n.description, colour: n.colour }]));
  const schedule =
    config.nemesisSchedule !== undefined
      ? parseSchedule(config.nemesisSchedule, Object.keys(nemesisTable)).schedule
      : defaultSchedule(config.nemesis, config.nemesisInterval * 1000, config.nemesisTarget);
  let session: TargetSession;
  try {
    session = await target.setup({
      nodes: config.nodes,
      mode: config.mode,
      seed: config.seed,
      dir,
      options: config.targetOptions,
      ...(config.runtime ? { runtime: config.runtime, runtimeOptions: config.runtimeOptions } : {}),
    });
  } catch (e) {
    // The run directory says what happened, so `faultline list` and `serve` show the failed attempt.
    writeJson(join(dir, FILES.run), {
      ...runInfo,
      status: "failed",
      error: (e as Error).message ?? String(e),
      finished: new Date().toISOString(),
    });
    throw e;
  }
  runInfo.nodes = session.nodes;
  runInfo.target = session.info();
  writeJson(join(dir, FILES.run), runInfo);

  for (const n of chosen) {
    const missing = n.requires
      .filter((m) => !session.faults[m])
      .map((m) => (session.faults.unsupported?.[m] ? `${m} (${session.faults.unsupported[m]})` : m));
    if (missing.length) {
      await session.teardown();
      throw new UsageError(
        `nemesis ${n.name} is unsupported on target ${config.target}${config.mode ? ` (${config.mode})` : ""}: it needs ${missing.join(", ")}`,
      );
    }
  }

  const clock = session.scheduler;
  const t0 = clock.now();
  // The ops are not kept in memory while the run goes on: the check reads the file back (src/history/writer.ts).
  const writer = new HistoryWriter(join(dir, FILES.history), () => Math.round((clock.now() - t0) * 1e6), {
    keep: false,
  });
  let observing = true; // until the last heal: checkers take the last nemesis op as the start of the final phase
  session.observe?.((e) => {
    if (observing) writer.append({ process: "nemesis", type: "info", ...e });
  });
  const wopts: WorkloadOptions = {
    keys: config.keys,
    seed: config.seed,
    nodes: session.nodes,
    ...config.workloadOptions,
  };
  const counts = { ok: 0, fail: 0, info: 0 };
  const active: { nemesis: Nemesis; injected: Injected; ctx: NemesisContext }[] = [];
  let interrupted = false;
  let stopMain = false;
  let wakeNemesis!: () => void;
  const mainOver = new Promise<void>((r) => (wakeNemesis = r));
  // The nemesis waits for its next step or for the main phase to end, whichever comes first.
  const nemesisSleep = (ms: number) => Promise.race([clock.sleep(ms), mainOver]);
  let invoked = 0;
  const mainDeadline = t0 + config.timeLimit * 1000;

  // Real time: op timeouts share one timer (src/run/op-timeouts.ts). Simulated time: each op races a sleep, as
  // it always has, so seeded histories stay the same.
  const timeouts = clock.timeouts?.(config.opTimeout);
  /** `wait`: the worker's wait on `timeouts` (spent after a timeout: the caller takes a new one). */
  const invoke = async (
    client: Client,
    process: number,
    node: string,
    op: OpSpec,
    wait: Wait | undefined,
  ): Promise<Completion> => {
    writer.record(process, "invoke", op.f, op.value, node);
    let c: Completion;
    try {
      if (wait) {
        const answer = await wait.for(client.invoke(op));
        c = answer === TIMED_OUT ? TIMED_OUT_COMPLETION : answer;
      } else {
        const timeout = clock.sleep(config.opTimeout);
        c = await Promise.race([client.invoke(op), timeout.then((): Completion => TIMED_OUT_COMPLETION)]);
      }
    } catch (e) {
      c =
        e instanceof DefiniteFailure
          ? { type: "fail", error: e.message }
          : { type: "info", error: (e as Error).message ?? String(e) };
    }
    writer.record(process, c.type, op.f, c.value ?? op.value, node, c.error ? c.error : undefined);
    counts[c.type]++;
    return c;
  };

  let nextProcess = config.concurrency;
  const worker = async (w: number) => {
    const node = session.nodes[w % session.nodes.length];
    const r = rng(config.seed, `worker-${w}`);
    const gen = workload.generator(r, wopts, w);
    let process = w;
    let client = await session.client(process, node);
    let wait = timeouts?.wait();
    while (!stopMain && !interrupted) {
      if (clock.now() >= mainDeadline || (config.ops !== undefined && invoked >= config.ops)) break;
      invoked++;
      const c = await invoke(client, process, node, gen(), wait);
      if (wait?.spent) wait = timeouts!.wait();
      if (c.type === "info") {
        // The process may still be blocked in that op: retire it, as Jepsen does, and continue as a new one.
        process = nextProcess++;
        await client.close?.();
        client = await session.client(process, node);
      }
      if (config.rate > 0) await clock.sleep(r.exp((config.concurrency / config.rate) * 1000));
    }
    await client.close?.();
  };

  const healAll = async () => {
    while (active.length) {
      const a = active.pop()!;
      await a.nemesis.heal(a.ctx, a.injected);
      writer.append({
        process: "nemesis",
        type: "info",
        f: `heal-${a.nemesis.name}`,
        value: { nodes: a.injected.nodes },
        node: a.injected.nodes.join(","),
      });
    }
  };

  // The fault schedule is data (src/run/schedule.ts): pull an action, carry it out, pull the next.
  const nemesisLoop = async () => {
    if (!chosen.length) return;
    const nr = rng(config.seed, "nemesis");
    const steps = schedule({ rng: nr, now: () => clock.now() });
    while (!stopMain && !interrupted) {
      const next = steps.next();
      if (next.done) break;
      const a = next.value;
      if (a.kind === "sleep") {
        await nemesisSleep(a.ms);
        continue;
      }
      if (a.kind === "heal") {
        await healAll();
        continue;
      }
      if (clock.now() >= mainDeadline) break;
      const nemesis = byName.get(a.nemesis)!;
      const ctx: NemesisContext = {
        faults: session.faults,
        nodes: session.nodes,
        rng: nr,
        spec: a.spec ?? config.nemesisTarget,
      };
      const injected = await nemesis.inject(ctx);
      active.push({ nemesis, injected, ctx });
      writer.append({
        process: "nemesis",
        type: "info",
        f: nemesis.name,
        value: { nodes: injected.nodes, ...injected.value },
        node: injected.nodes.join(","),
      });
    }
  };

  const phases = async () => {
    if (workload.initialData && session.load) await session.load(workload.initialData(wopts));
    const workers = Array.from({ length: config.concurrency }, (_, w) => worker(w));
    const nem = nemesisLoop();
    await Promise.all(workers);
    stopMain = true;
    wakeNemesis();
    await nem;
    await healAll();
    observing = false;
    if (!interrupted && workload.final) {
      await clock.sleep(config.quiet * 1000);
      const finals = workload.final(wopts);
      await Promise.all(
        session.nodes.map(async (node) => {
          const process = nextProcess++;
          const client = await session.client(process, node);
          const wait = timeouts?.wait();
          for (const op of finals) if ((await invoke(client, process, node, op, wait)).type === "info") break;
          await client.close?.();
        }),
      );
    }
  };

  let ticker: NodeJS.Timeout | undefined;
  if (hooks.progress) {
    const report = () =>
      hooks.progress!({
        elapsed: (clock.now() - t0) / 1000,
        ...counts,
        fault: active.map((a) => `${a.nemesis.name} ${a.injected.nodes.join(",")}`).join("; ") || undefined,
      });
    ticker = setInterval(report, 250);
  }
  hooks.abort?.then(() => {
    interrupted = true;
    wakeNemesis();
  });
  try {
    const main = phases();
    await (session.drive ? session.drive(main) : main);
  } finally {
    if (ticker) clearInterval(ticker);
    timeouts?.close();
    try {
      await healAll();
    } finally {
      await session.teardown();
      writer.close();
    }
  }

  const history = writer.history();
  let results: Results | undefined;
  if (thread) {
    hooks.onChecking?.(history.length);
    try {
      results = await thread.check({ options: wopts, history }, interrupted ? undefined : hooks.abort);
    } catch (e) {
      // The thread itself failed (not a checker: those answer unknown): check here, uninterruptibly, rather than lose the verdict.
      process.stderr.write(
        `faultline: the check's thread failed (${(e as Error).message}); checking in the main thread\n`,
      );
      results = runCheckers(history, workload.checkers(wopts));
    }
  } else results = runCheckers(history, workload.checkers(wopts));
  const checkInterrupted = results === undefined;
  results ??= {
    valid: "unknown",
    checkers: Object.fromEntries(
      workload.checkers(wopts).map((c) => [
        c.name,
        {
          checker: c.name,
          valid: "unknown" as const,
          anomalies: [],
          reason: "interrupted before the check finished",
        },
      ]),
    ),
  };
  interrupted ||= checkInterrupted;
  const summary = summarize(results, counts);
  runInfo.status = interrupted ? "interrupted" : "complete";
  runInfo.finished = new Date().toISOString();
  runInfo.simulatedSeconds = (clock.now() - t0) / 1000;
  writeJson(join(dir, FILES.run), runInfo);
  writeJson(join(dir, FILES.results), results);
  writeFileSync(join(dir, FILES.summary), summary);
  if (!checkInterrupted)
    await import("../report/index.ts").then(
      (r) => r.reportAfterRun(dir, { dir, history, run: runInfo, results }),
      (e) => process.stderr.write(`faultline: report.html not written: ${(e as Error).message}\n`),
    );
  return { dir, history, results, summary, interrupted };
}
