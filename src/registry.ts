// One line per target, workload and nemesis: adding one touches its own folder and this file.
import { clockNemesis } from "../nemeses/clock.ts";
import { killNemesis } from "../nemeses/kill.ts";
import { lossNemesis } from "../nemeses/loss.ts";
import { partitionNemesis, partitionOneWayNemesis } from "../nemeses/partition.ts";
import { pauseNemesis } from "../nemeses/pause.ts";
import { switchoverNemesis } from "../nemeses/switchover.ts";
import { dcsNemesis } from "../nemeses/dcs.ts";
import type { Nemesis } from "../nemeses/types.ts";
import { etcdTarget } from "../targets/etcd/index.ts";
import { postgresTarget } from "../targets/postgres/index.ts";
import { patroniTarget } from "../targets/patroni/index.ts";
import { redisTarget } from "../targets/redis/index.ts";
import { simTarget } from "../targets/sim/index.ts";
import { registerWorkload } from "../workloads/register.ts";
import { sessionWorkload } from "../workloads/session.ts";
import { chatWorkload } from "../workloads/chat.ts";
import { setWorkload } from "../workloads/set.ts";
import { bankWorkload } from "../workloads/bank.ts";
import { counterWorkload } from "../workloads/counter.ts";
import type { Target, Workload } from "./run/types.ts";
import { UsageError } from "./errors.ts";

export const targets: Record<string, Target> = {
  sim: simTarget,
  etcd: etcdTarget,
  postgres: postgresTarget,
  redis: redisTarget,
  patroni: patroniTarget,
};

export const workloads: Record<string, Workload> = {
  register: registerWorkload,
  session: sessionWorkload,
  chat: chatWorkload,
  set: setWorkload,
  bank: bankWorkload,
  counter: counterWorkload,
};

export const nemeses: Record<string, Nemesis> = {
  partition: partitionNemesis,
  "partition-oneway": partitionOneWayNemesis,
  kill: killNemesis,
  pause: pauseNemesis,
  clock: clockNemesis,
  loss: lossNemesis,
  switchover: switchoverNemesis,
  dcs: dcsNemesis,
};

export function lookup<T>(kind: string, table: Record<string, T>, name: string): T {
  const found = table[name];
  if (!found) throw new UsageError(`unknown ${kind} ${JSON.stringify(name)}; choose one of: ${Object.keys(table).join(", ")}`);
  return found;
}

export { UsageError } from "./errors.ts";
