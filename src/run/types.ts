// The small interfaces between the parts of a run. A target never knows which nemesis runs; a nemesis only
// uses FaultControl; the runner never interprets verdicts; checkers see only the history.
import type { Completion, Op } from "../history/op.ts";
import type { Checker, Verdict } from "../../checkers/types.ts";
import type { LinearizablePool } from "../../checkers/linearizable/parallel.ts";
import type { Rng } from "./rng.ts";
import type { ModelName } from "../../checkers/spectrum.ts";
import type { OptionSchema } from "../target/options.ts";
import type { Needs } from "../target/needs.ts";
import type { OpTimeouts } from "./op-timeouts.ts";

/** Time as the run sees it: real for real stores, simulated (and deterministic) for `sim`. In milliseconds. */
export interface Scheduler {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Op timeouts on one timer for the whole run (real time), so finished ops leave no timers behind. Absent
   *  (simulated time, where a sleep is an event of the run): each op races a `sleep` that runs out. */
  timeouts?(ms: number): OpTimeouts;
}

/** What a workload asks a client to do. */
export interface OpSpec {
  f: string;
  value: unknown;
}

/** Talks to one node for one worker. Returns the completion; it may throw, and the runner then records
 *  `info` (indeterminate) unless the error says the op definitely did not happen (DefiniteFailure). */
export interface Client {
  invoke(op: OpSpec): Promise<Completion>;
  close?(): Promise<void>;
}

/** Throw from a client when the op certainly did not take effect (e.g. connection refused before sending). */
export class DefiniteFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DefiniteFailure";
  }
}

/** What a nemesis may do to the nodes. Each target (or runtime) implements what it supports;
 *  absent methods mean the fault is unsupported there, and the nemesis says so at start. */
export interface FaultControl {
  /** Drop traffic from → to for each pair (one-way). Replaces nothing: blocks accumulate until healNetwork. */
  block?(links: [string, string][]): Promise<void>;
  /** Drop a fraction of packets arriving at each node. */
  loss?(nodes: string[], probability: number): Promise<void>;
  healNetwork?(): Promise<void>;
  kill?(node: string): Promise<void>;
  restart?(node: string): Promise<void>;
  pause?(node: string): Promise<void>;
  resume?(node: string): Promise<void>;
  /** Set a node's wall-clock offset from true time, in milliseconds (0 resets). */
  clockOffset?(node: string, ms: number): Promise<void>;
  /** Flip a node's clock between offsets `ms` and `ms + deltaMs` every `periodMs` until the next clockOffset call. */
  clockStrobe?(node: string, ms: number, deltaMs: number, periodMs: number): Promise<void>;
  /** The node currently acting as primary/leader, if the store has one. */
  primary?(): Promise<string | undefined>;
  /** HA targets: cut a node's HA agent from its configuration store (reachable=false), or restore it. */
  dcs?(node: string, reachable: boolean): Promise<void>;
  /** HA targets: a planned switchover from the leader to `candidate` (default: the target's choice). */
  switchover?(candidate?: string): Promise<{ from: string; to: string }>;
  /** Why a fault method is absent here (e.g. clockOffset on etcd: Go reads the clock through the vDSO). */
  unsupported?: Partial<Record<string, string>>;
}

export interface TargetSession {
  nodes: string[];
  scheduler: Scheduler;
  faults: FaultControl;
  client(process: number, node: string): Client | Promise<Client>;
  /** Preloads data before the run (e.g. the bank's opening balances), as if already replicated. */
  load?(entries: [string, unknown][]): Promise<void>;
  /** Runs the whole run on the session's time; only the simulated target needs it. */
  drive?<T>(main: Promise<T>): Promise<T>;
  /** Targets that see the store's own state change (e.g. a new leader): the runner passes a recorder that
   *  appends such events to the history as nemesis-process info ops, until teardown. */
  observe?(record: (e: { f: string; value: unknown; node?: string }) => void): void;
  /** Facts for run.json: versions, settings. */
  info(): Record<string, unknown>;
  teardown(): Promise<void>;
}

export interface TargetOptions {
  nodes: number;
  mode?: string;
  seed: string;
  dir: string; // the run's results directory (data, logs)
  options: Record<string, unknown>; // target-specific settings
  /** Lab targets: where the nodes run (netns, docker, ssh; default netns) and that runtime's options. */
  runtime?: string;
  runtimeOptions?: Record<string, unknown>;
}

export interface Target {
  name: string;
  modes?: string[];
  defaultMode?: string;
  /** Workloads this target can run (their op f's are understood by its client). */
  workloads: string[];
  /** Lab runtimes this target runs on (`--runtime`); absent: none (an in-process target). */
  runtimes?: string[];
  /** The `--opt` keys it takes; others are refused before anything starts. Absent: not checked. */
  options?: readonly string[];
  /** Those options declared: type, default, rule, help (src/target/options.ts). */
  schema?: OptionSchema;
  /** Lab targets: the Debian packages and programs its nodes need (the install script, `lab doctor`, the
   *  docker node image and the ssh host check are generated from these). */
  needs?: Needs;
  setup(options: TargetOptions): Promise<TargetSession>;
}

export interface WorkloadOptions {
  keys: number;
  seed: string;
  [k: string]: unknown;
}

export interface NamedChecker {
  name: string;
  check: Checker;
  /** The consistency models its verdict decides, for the spectrum (e.g. ["causal"]); none: it stands alone. */
  decides?: readonly ModelName[];
  /** Optional: the same check on worker threads within a budget (used by `faultline check`; the runner
   *  calls `check`). Must give the verdict `check` gives, or "unknown" when the budget runs out. */
  checkAsync?: (history: readonly Op[], budget: CheckBudget) => Promise<Verdict>;
}

/** How much machine an asynchronous checker may use: worker threads (0: this thread), wall-clock
 *  seconds, heap MB for its workers. Absent fields: the checker's defaults. */
export interface CheckBudget {
  workers?: number;
  timeoutMs?: number;
  memoryMb?: number;
  /** Worker threads kept across checks (`check` of many histories starts them once). */
  pool?: LinearizablePool;
}

export interface Workload {
  name: string;
  description: string;
  /** Throws a UsageError for bad workload options, before the run starts. */
  validate?(options: WorkloadOptions): void;
  /** Ops for one worker in the main phase; called each time the worker is ready for another op. */
  generator(rng: Rng, options: WorkloadOptions, worker: number): () => OpSpec;
  /** After healing and the quiet period: ops to issue once on each node (e.g. read every key). */
  final?(options: WorkloadOptions): OpSpec[];
  /** Data that must exist before the first op (written through TargetSession.load). */
  initialData?(options: WorkloadOptions): [string, unknown][];
  checkers(options: WorkloadOptions): NamedChecker[];
  /** Only for `check`: no target runs it (`run` refuses it with a clear message). */
  checkOnly?: boolean;
  /** The `--wopt` keys it takes; others are refused. Absent: not checked. */
  options?: readonly string[];
}
