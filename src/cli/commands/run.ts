// `faultline run`: one test against a target, with faults; prints the verdict and where the results are.
import { readFileSync } from "node:fs";
import type { Command, OptionValues } from "commander";
import { parse as parseYaml } from "yaml";
import { resolveConfig, DEFAULTS, type RunConfig } from "../../run/config.ts";
import { run } from "../../run/runner.ts";
import { exitCodeFor } from "../../run/check.ts";
import { clearProgress, progressPrinter } from "../progress.ts";
import { EXIT } from "../errors.ts";
import type { NodeSpec } from "../../../nemeses/types.ts";
import { parseSshOptions } from "../../lab/ssh.ts";
import { UsageError } from "../../errors.ts";

/** A number flag; text that is not a number is kept, so the config check can name it. */
const num = (v: string): number | string => (v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : v);
const list = (v: string) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s && s !== "none");

export { keyValues } from "../key-values.ts";
import { keyValues } from "../key-values.ts";

export function runOptions(cmd: Command): Command {
  return cmd
    .option("--target <name>", "store to test", DEFAULTS.target)
    .option(
      "--mode <mode>",
      "target mode (sim: linearizable, primary-async, sticky-session, causal, eventual-lww, failover-lossy)",
    )
    .option("--workload <name>", "workload", DEFAULTS.workload)
    .option(
      "--nemesis <list>",
      "faults, comma-separated: partition,partition-oneway,kill,pause,clock,loss (or none)",
      list,
      DEFAULTS.nemesis,
    )
    .option(
      "--nemesis-schedule <file>",
      "a fault schedule as data (YAML or JSON list of steps; see README), instead of --nemesis/--nemesis-interval",
    )
    .option("--nemesis-interval <s>", "seconds between faults (and each fault's length)", num, DEFAULTS.nemesisInterval)
    .option(
      "--nemesis-target <spec>",
      "which nodes faults hit: one|minority|majority|primary|replica|all, or a partition shape halves|majorities-ring|bridge (default: seeded choice)",
    )
    .option("--nodes <n>", `number of nodes (default ${DEFAULTS.nodes}; with --runtime ssh: the number of hosts)`, num)
    .option("--concurrency <n>", "concurrent client workers", num, DEFAULTS.concurrency)
    .option("--rate <ops/s>", "target throughput over all workers (0: unlimited)", num, DEFAULTS.rate)
    .option("--time-limit <s>", "seconds of the main phase (simulated seconds on sim)", num, DEFAULTS.timeLimit)
    .option("--ops <n>", "stop the main phase after this many operations", num)
    .option("--keys <n>", "number of keys", num, DEFAULTS.keys)
    .option(
      "--op-timeout <ms>",
      "milliseconds before an op is recorded as indeterminate (info)",
      num,
      DEFAULTS.opTimeout,
    )
    .option("--quiet <s>", "seconds to wait after healing before final reads", num, DEFAULTS.quiet)
    .option("--seed <seed>", "seed for every random choice", DEFAULTS.seed)
    .option("--name <name>", "test name (results/<name>/...)")
    .option("--results <dir>", "results directory", DEFAULTS.resultsDir)
    .option("--opt <key=value>", "target option, repeatable (e.g. --opt read=serializable)", keyValues, {})
    .option("--wopt <key=value>", "workload option, repeatable", keyValues, {})
    .option(
      "--consistency-models <list>",
      "list-append, rw-register: isolation models that decide the verdict, comma-separated (default strict-serializable)",
    )
    .option(
      "--runtime <name>",
      "where a lab target's nodes run: netns (namespaces on this host, default), docker (containers), ssh (real hosts)",
    )
    .option("--hosts <list>", "ssh runtime: the hosts, comma-separated [user@]host[:port]")
    .option("--nodes-file <file>", "ssh runtime: a YAML file of hosts (host, user, port, key, ip; see README)")
    .option("--image <name>", "docker runtime: the node image (default: the one `faultline lab image` builds)")
    .option(
      "--ropt <key=value>",
      "runtime option, repeatable (e.g. --ropt key=~/.ssh/id_ed25519, --ropt clock=real)",
      keyValues,
      {},
    );
}

/** Runtime options from --hosts, --nodes-file, --image and --ropt. */
export function runtimeOptionsFromFlags(o: OptionValues): Record<string, unknown> {
  const out: Record<string, unknown> = { ...o.ropt };
  if (o.hosts !== undefined) out.hosts = o.hosts;
  if (o.nodesFile !== undefined) out["nodes-file"] = o.nodesFile;
  if (o.image !== undefined) out.image = o.image;
  return out;
}

export async function configFromFlags(o: OptionValues): Promise<RunConfig> {
  const runtimeOptions = runtimeOptionsFromFlags(o);
  let nodes: number | undefined = o.nodes;
  if (nodes === undefined && o.runtime === "ssh") {
    try {
      nodes = parseSshOptions(runtimeOptions).hosts.length;
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  return resolveConfig({
    runtime: o.runtime,
    runtimeOptions: Object.keys(runtimeOptions).length ? runtimeOptions : undefined,
    target: o.target,
    mode: o.mode,
    workload: o.workload,
    nemesis: o.nemesis,
    nemesisInterval: o.nemesisInterval,
    nemesisSchedule: o.nemesisSchedule === undefined ? undefined : readScheduleFile(o.nemesisSchedule),
    nemesisTarget: o.nemesisTarget as NodeSpec | undefined,
    nodes,
    concurrency: o.concurrency,
    rate: o.rate,
    timeLimit: o.timeLimit,
    ops: o.ops,
    keys: o.keys,
    opTimeout: o.opTimeout,
    quiet: o.quiet,
    seed: String(o.seed),
    name: o.name,
    resultsDir: o.results,
    targetOptions: o.opt,
    workloadOptions: o.consistencyModels ? { ...o.wopt, "consistency-models": o.consistencyModels } : o.wopt,
  });
}

/** A schedule file: a YAML (or JSON) list of steps. */
function readScheduleFile(file: string): unknown[] {
  let data: unknown;
  try {
    data = parseYaml(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UsageError(`--nemesis-schedule ${file}: ${(e as Error).message.split("\n")[0]}`);
  }
  if (!Array.isArray(data))
    throw new UsageError(
      `--nemesis-schedule ${file}: must be a list of steps (sleep, fault, heal, repeat, cycle, mix, time-limit)`,
    );
  return data;
}

export function register(program: Command): void {
  runOptions(
    program
      .command("run")
      .description("run a test: drive a workload against a target under faults, record and check the history"),
  ).action(async (o) => {
    const config = await configFromFlags(o);
    let abort!: () => void;
    const aborted = new Promise<void>((r) => (abort = r));
    let signals = 0,
      checking = false;
    const onSignal = (sig: string) => {
      signals++;
      if (signals > 1) {
        process.stderr.write(`\nfaultline: second ${sig}, exiting now\n`);
        process.exit(EXIT.interrupted);
      }
      process.stderr.write(
        checking
          ? `\nfaultline: ${sig}: stopping the check; the history is kept, the verdict is unknown\n`
          : `\nfaultline: ${sig}: healing faults, stopping the target and checking what was recorded (again to force)\n`,
      );
      abort();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    process.stderr.write(
      `faultline: ${config.target}${config.mode ? `/${config.mode}` : ""}${config.runtime ? ` on ${config.runtime}` : ""} · ${config.workload} · nemesis ${config.nemesis.join(",") || "none"} · ${config.nodes} nodes · seed ${config.seed}\n`,
    );
    const out = await run(config, {
      progress: progressPrinter(),
      abort: aborted,
      onChecking: (n) => {
        checking = true;
        clearProgress();
        process.stderr.write(`faultline: checking ${n} events${signals ? "" : " (Ctrl-C stops the check)"}\n`);
      },
    });
    clearProgress();
    process.stdout.write(out.summary);
    process.stdout.write(`results: ${out.dir}\n`);
    process.exitCode = out.interrupted ? EXIT.interrupted : exitCodeFor(out.results.valid);
  });
}
