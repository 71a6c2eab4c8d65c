// The embedded default target: an in-process replicated store on a simulated network. No server, no root,
// no network; simulated time, so a 10,000-op run takes seconds and the same seed gives the same history.
import { UsageError } from "../../src/errors.ts";
import { rng } from "../../src/run/rng.ts";
import { option, parseOptions } from "../../src/target/options.ts";
import type { Target, TargetOptions, TargetSession } from "../../src/run/types.ts";
import { SimClock } from "./clock.ts";
import { SimCluster } from "./cluster.ts";
import { isSimMode, SIM_MODES } from "./modes.ts";
import { SimNetwork } from "./network.ts";
import { isTxnMode, SimTxnCluster } from "./txn-cluster.ts";

export interface SimSession extends TargetSession {
  /** Runs `main` on simulated time. */
  drive<T>(main: Promise<T>): Promise<T>;
  cluster: SimCluster | SimTxnCluster;
}

const OPTIONS = {
  latency: option.number({ min: 0, default: 1, unit: "ms" }, "one message's delay on the simulated network"),
  "step-ms": option.number(
    { min: 0, default: 1, unit: "ms" },
    "txn-snapshot, txn-read-committed: mean time per micro-op, so transactions overlap",
  ),
  "stale-ms": option.number(
    { min: 0, default: 50, unit: "ms" },
    "txn-serializable: how old a read-only transaction's prefix may be",
  ),
  "replica-delay-ms": option.number(
    { min: 0, default: 50, unit: "ms" },
    "txn-replica-snapshot: a replica's delay in applying commits",
  ),
};

export const simTarget: Target = {
  options: Object.keys(OPTIONS),
  schema: OPTIONS,
  name: "sim",
  modes: Object.keys(SIM_MODES),
  defaultMode: "linearizable",
  workloads: ["register", "session", "chat", "set", "set-full", "bank", "counter", "list-append", "rw-register"],
  async setup(o: TargetOptions): Promise<SimSession> {
    const mode = o.mode ?? "linearizable";
    if (!isSimMode(mode))
      throw new UsageError(`unknown sim mode ${JSON.stringify(mode)}; modes: ${Object.keys(SIM_MODES).join(", ")}`);
    const names = Array.from({ length: o.nodes }, (_, i) => `n${i + 1}`);
    const clock = new SimClock();
    const settings = parseOptions("sim", OPTIONS, o.options);
    const latency = settings.latency;
    const net = new SimNetwork(clock, rng(o.seed, "sim-network"), latency);
    // The txn-* modes run transactions on their own store; the others replicate single-key ops.
    const cluster = isTxnMode(mode)
      ? new SimTxnCluster(names, mode, net, clock, rng(o.seed, "sim-cluster"), settings)
      : new SimCluster(names, mode, net, clock, rng(o.seed, "sim-cluster"));
    return {
      nodes: names,
      scheduler: clock,
      cluster,
      drive: (main) => clock.drive(main),
      ...(cluster instanceof SimCluster ? { load: async (entries: [string, unknown][]) => cluster.load(entries) } : {}),
      client: (process, node) => ({ invoke: (op) => cluster.call(`c${process}`, node, op.f, op.value) }),
      faults: {
        block: async (links) => net.block(links),
        loss: async (nodes, p) => {
          for (const n of nodes) net.setLoss(n, p);
        },
        healNetwork: async () => net.heal(),
        kill: async (n) => {
          if (cluster instanceof SimCluster) cluster.crash(n);
          else net.down.add(n);
        },
        restart: async (n) => {
          if (cluster instanceof SimCluster) cluster.restart(n);
          else net.down.delete(n);
        },
        pause: async (n) => net.pause(n),
        resume: async (n) => net.resume(n),
        clockOffset: async (n, ms) => {
          if (cluster instanceof SimCluster) cluster.setClockOffset(n, ms);
        },
        primary: async () => cluster.primaryName(),
      },
      info: () => ({ target: "sim", mode, description: SIM_MODES[mode], nodes: names, latencyMs: latency }),
      teardown: async () => {
        cluster.running = false;
      },
    };
  },
};
