// One line per target, workload and nemesis: adding one touches its own folder and this file.
// Names are listed here; each module is imported only when it is used, so `faultline check` never loads a
// target's driver (pg, ioredis, dockerode) and a run loads only its own target.
import type { Nemesis } from "../nemeses/types.ts";
import type { Target, Workload } from "./run/types.ts";
import { UsageError } from "./errors.ts";

type Loaders<T> = Record<string, () => Promise<T>>;

export const targets: Loaders<Target> = {
  sim: async () => (await import("../targets/sim/index.ts")).simTarget,
  etcd: async () => (await import("../targets/etcd/index.ts")).etcdTarget,
  postgres: async () => (await import("../targets/postgres/index.ts")).postgresTarget,
  redis: async () => (await import("../targets/redis/index.ts")).redisTarget,
  patroni: async () => (await import("../targets/patroni/index.ts")).patroniTarget,
};

export const workloads: Loaders<Workload> = {
  register: async () => (await import("../workloads/register.ts")).registerWorkload,
  session: async () => (await import("../workloads/session.ts")).sessionWorkload,
  chat: async () => (await import("../workloads/chat.ts")).chatWorkload,
  set: async () => (await import("../workloads/set.ts")).setWorkload,
  bank: async () => (await import("../workloads/bank.ts")).bankWorkload,
  counter: async () => (await import("../workloads/counter.ts")).counterWorkload,
  "set-full": async () => (await import("../workloads/set-full.ts")).setFullWorkload,
  "long-fork": async () => (await import("../workloads/long-fork.ts")).longForkWorkload,
  "list-append": async () => (await import("../workloads/list-append.ts")).listAppendWorkload,
  "rw-register": async () => (await import("../workloads/rw-register.ts")).rwRegisterWorkload,
};

export const nemeses: Loaders<Nemesis> = {
  partition: async () => (await import("../nemeses/partition.ts")).partitionNemesis,
  "partition-oneway": async () => (await import("../nemeses/partition.ts")).partitionOneWayNemesis,
  kill: async () => (await import("../nemeses/kill.ts")).killNemesis,
  pause: async () => (await import("../nemeses/pause.ts")).pauseNemesis,
  clock: async () => (await import("../nemeses/clock.ts")).clockNemesis,
  loss: async () => (await import("../nemeses/loss.ts")).lossNemesis,
  switchover: async () => (await import("../nemeses/switchover.ts")).switchoverNemesis,
  dcs: async () => (await import("../nemeses/dcs.ts")).dcsNemesis,
};

/** Loads the entry `name` of a table, or throws a usage error that lists the names there are. */
export function lookup<T>(kind: string, table: Loaders<T>, name: string): Promise<T> {
  const load = Object.hasOwn(table, name) ? table[name] : undefined;
  if (!load)
    throw new UsageError(`unknown ${kind} ${JSON.stringify(name)}; choose one of: ${Object.keys(table).join(", ")}`);
  return load();
}
