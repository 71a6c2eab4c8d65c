// Fault schedules as data, in the spirit of Jepsen's generators: a schedule is a lazy sequence of actions
// (sleep, inject a fault, heal), built from small combinators (phases, cycle, repeat, mix, time limit), and
// read from plain data in a suite case. Actions are pulled one at a time and each is carried out before the
// next is pulled, so every random draw happens in the same order on every run: same seed, same schedule.
import type { NodeSpec } from "../../nemeses/types.ts";
import { NODE_SPECS } from "../../nemeses/types.ts";
import type { Rng } from "./rng.ts";

export type Action =
  { kind: "sleep"; ms: number } | { kind: "inject"; nemesis: string; spec?: NodeSpec } | { kind: "heal" };

/** What a schedule may consult while it unfolds: its random stream and the run's clock (milliseconds). */
export interface ScheduleContext {
  rng: Rng;
  now(): number;
}

export type Schedule = (ctx: ScheduleContext) => Iterator<Action>;

const once = (a: Action | ((ctx: ScheduleContext) => Action)): Schedule =>
  function* (ctx) {
    yield typeof a === "function" ? a(ctx) : a;
  };

/** Sleep a fixed time, or a uniform time in [min, max). */
export const sleep = (ms: number, maxMs?: number): Schedule =>
  once((ctx) => ({ kind: "sleep", ms: maxMs === undefined ? ms : ms + ctx.rng.next() * (maxMs - ms) }));

export const inject = (nemesis: string, spec?: NodeSpec): Schedule =>
  once({ kind: "inject", nemesis, ...(spec ? { spec } : {}) });

/** Heals every fault in effect. */
export const heal = (): Schedule => once({ kind: "heal" });

/** One schedule after another. */
export const phases = (...parts: Schedule[]): Schedule =>
  function* (ctx) {
    for (const p of parts) yield* iterate(p, ctx);
  };

export const repeat = (times: number, s: Schedule): Schedule =>
  function* (ctx) {
    for (let i = 0; i < times; i++) yield* iterate(s, ctx);
  };

/** The schedule again and again, until something outside (a time limit, the end of the run) stops it. */
export const cycle = (s: Schedule): Schedule =>
  function* (ctx) {
    for (;;) {
      let any = false;
      for (const a of iterate(s, ctx)) {
        any = true;
        yield a;
      }
      if (!any) return; // an empty body would spin forever
    }
  };

/** Each time it runs, one of the schedules, chosen at random. */
export const mix = (...choices: Schedule[]): Schedule =>
  function* (ctx) {
    yield* iterate(ctx.rng.pick(choices), ctx);
  };

/** Stops pulling actions once `ms` have passed since it began; faults still in effect are healed by the runner. */
export const timeLimit = (ms: number, s: Schedule): Schedule =>
  function* (ctx) {
    const end = ctx.now() + ms;
    for (const a of iterate(s, ctx)) {
      if (ctx.now() >= end) return;
      yield a.kind === "sleep" ? { kind: "sleep", ms: Math.min(a.ms, Math.max(0, end - ctx.now())) } : a;
    }
  };

/** A fault held for a while, then healed. */
export const fault = (nemesis: string, spec: NodeSpec | undefined, holdMs: number, holdMaxMs?: number): Schedule =>
  phases(inject(nemesis, spec), sleep(holdMs, holdMaxMs), heal());

function iterate(s: Schedule, ctx: ScheduleContext): Iterable<Action> {
  return { [Symbol.iterator]: () => s(ctx) };
}

/** The schedule `faultline run` uses unless told otherwise: wait interval·(0.5..1.5), pick one of the chosen
 *  faults, hold it interval·(0.5..1.5), heal, forever. */
export function defaultSchedule(nemeses: string[], intervalMs: number, spec?: NodeSpec): Schedule {
  if (!nemeses.length) return phases();
  const lo = intervalMs * 0.5,
    hi = intervalMs * 1.5;
  return cycle(phases(sleep(lo, hi), mix(...nemeses.map((n) => inject(n, spec))), sleep(lo, hi), heal()));
}

// ---- Schedules as data (a suite case's `nemesis-schedule:`), seconds throughout ----------------------------

/** One step of a schedule written as data:
 *  `{sleep: 5}` or `{sleep: [5, 15]}` (uniform) · `{fault: partition, target: primary, for: 10}` (`for` may be
 *  `[a, b]`; without `for` the fault stays until a `heal`) · `{heal: all}` · `{repeat: 3, do: [...]}` ·
 *  `{cycle: [...]}` · `{mix: [...]}` (one step of the list, chosen at random) · `{time-limit: 60, do: [...]}`. */
export type StepData = Record<string, unknown>;

/** A problem at a path inside the schedule data, e.g. `[1].do[0].for`. */
export class ScheduleError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`nemesis-schedule${path}: ${problem}`);
    this.name = "ScheduleError";
  }
}

export interface ParsedSchedule {
  schedule: Schedule;
  /** Every fault the schedule can inject, so the run can check the target supports them before it starts. */
  nemeses: string[];
}

const MAX_SECONDS = 86_400;

export function parseSchedule(data: unknown, knownNemeses: readonly string[]): ParsedSchedule {
  const used = new Set<string>();
  const seconds = (v: unknown, path: string): [number, number | undefined] => {
    const ok = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x) && x >= 0 && x <= MAX_SECONDS;
    if (ok(v)) return [v * 1000, undefined];
    if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1]) && v[0] <= v[1]) return [v[0] * 1000, v[1] * 1000];
    throw new ScheduleError(path, `must be seconds (0–${MAX_SECONDS}) or a range [min, max], got ${JSON.stringify(v)}`);
  };
  const list = (v: unknown, path: string): Schedule[] => {
    if (!Array.isArray(v) || v.length === 0) throw new ScheduleError(path, "must be a non-empty list of steps");
    return v.map((s, i) => step(s, `${path}[${i}]`));
  };
  const only = (o: StepData, keys: string[], path: string) => {
    for (const k of Object.keys(o))
      if (!keys.includes(k)) throw new ScheduleError(`${path}.${k}`, `unknown field here; expected ${keys.join(", ")}`);
  };
  const step = (s: unknown, path: string): Schedule => {
    if (typeof s !== "object" || s === null || Array.isArray(s))
      throw new ScheduleError(
        path,
        "each step must be a mapping: sleep, fault, heal, repeat, cycle, mix or time-limit",
      );
    const o = s as StepData;
    if ("sleep" in o) {
      only(o, ["sleep"], path);
      return sleep(...seconds(o.sleep, `${path}.sleep`));
    }
    if ("heal" in o) {
      only(o, ["heal"], path);
      return heal();
    }
    if ("fault" in o) {
      only(o, ["fault", "target", "for"], path);
      const name = o.fault;
      if (typeof name !== "string" || !knownNemeses.includes(name))
        throw new ScheduleError(
          `${path}.fault`,
          `unknown fault ${JSON.stringify(name)}; choose one of: ${knownNemeses.join(", ")}`,
        );
      used.add(name);
      let spec: NodeSpec | undefined;
      if (o.target !== undefined) {
        if (!NODE_SPECS.includes(o.target as NodeSpec))
          throw new ScheduleError(
            `${path}.target`,
            `must be one of ${NODE_SPECS.join(", ")}, got ${JSON.stringify(o.target)}`,
          );
        spec = o.target as NodeSpec;
      }
      if (o.for === undefined) return inject(name, spec);
      return fault(name, spec, ...seconds(o.for, `${path}.for`));
    }
    if ("repeat" in o) {
      only(o, ["repeat", "do"], path);
      if (!Number.isInteger(o.repeat) || (o.repeat as number) < 1 || (o.repeat as number) > 1_000_000)
        throw new ScheduleError(
          `${path}.repeat`,
          `must be a whole number of times (1–1000000), got ${JSON.stringify(o.repeat)}`,
        );
      return repeat(o.repeat as number, phases(...list(o.do, `${path}.do`)));
    }
    if ("cycle" in o) {
      only(o, ["cycle"], path);
      return cycle(phases(...list(o.cycle, `${path}.cycle`)));
    }
    if ("mix" in o) {
      only(o, ["mix"], path);
      return mix(...list(o.mix, `${path}.mix`));
    }
    if ("time-limit" in o) {
      only(o, ["time-limit", "do"], path);
      const [ms, max] = seconds(o["time-limit"], `${path}.time-limit`);
      if (max !== undefined) throw new ScheduleError(`${path}.time-limit`, "must be a number of seconds");
      return timeLimit(ms, phases(...list(o.do, `${path}.do`)));
    }
    throw new ScheduleError(
      path,
      `unknown step ${JSON.stringify(Object.keys(o))}; expected sleep, fault, heal, repeat, cycle, mix or time-limit`,
    );
  };
  const schedule = phases(...list(data, ""));
  return { schedule, nemeses: [...used] };
}
