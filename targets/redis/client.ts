// A Redis client for one worker. Writes go to the primary through Sentinel (ioredis' Sentinel mode: it asks
// the Sentinels, its own node's first, for the primary, and re-asks after a failover notice, a READONLY reply
// or a lost connection); reads go where the `read` option routes them:
//   primary: the same Sentinel-resolved connection; any: the worker's own node, whatever its role;
//   replica: the worker's node if it is a replica now, else one of the replicas.
// Ops (values as the workloads define them, stored as JSON strings):
//   read [k, null] → one read-only script: GET for a string, SMEMBERS for a set, null for nothing
//   write [k, v] → SET; cas [k, [old, new]] → a script comparing and setting ("compare-failed" when unequal);
//   add [k, x] → SADD; incr [k, d] → INCRBY; read-all [k…] → MGET.
// With wait=n every write is followed (pipelined) by WAIT n <ms>; fewer acknowledgements than n leaves the
// write indeterminate (info): it happened on the primary but may not survive a failover.
// Errors: a reply error (READONLY, NOREPLICAS, …) means Redis refused the command, and a command never sent
// (no connection yet) certainly did not happen: fail. After a command was sent, a timeout or a lost
// connection may hide a write that happened: info. A read that did not answer is always fail.
import { Redis } from "ioredis";
import type { Completion } from "../../src/history/op.ts";
import type { Client, OpSpec } from "../../src/run/types.ts";
import type { LabNode } from "../../src/lab/runtime.ts";
import { MASTER_NAME, PORT, SENTINEL_PORT } from "./cluster.ts";

export type ReadRoute = "primary" | "replica" | "any";
export const READ_ROUTES: ReadRoute[] = ["primary", "replica", "any"];

const READ_ONLY = new Set(["read", "read-all"]);

export const READ_SCRIPT = `local t = redis.call('TYPE', KEYS[1])['ok']
if t == 'set' then return {'set', redis.call('SMEMBERS', KEYS[1])} end
if t == 'string' then return {'string', redis.call('GET', KEYS[1])} end
return {'none'}`;

// ARGV[1]: the expected value's JSON, or "" for "absent (or null)"; ARGV[2]: the new value's JSON.
export const CAS_SCRIPT = `local cur = redis.call('GET', KEYS[1])
local match
if ARGV[1] == '' then match = (cur == false or cur == 'null') else match = (cur == ARGV[1]) end
if not match then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

export const encode = (v: unknown): string => JSON.stringify(v ?? null);
export function decode(s: string | null | undefined): unknown {
  if (s === null || s === undefined) return null;
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** A read script's reply → the op's value: a register's value, a set's sorted elements, or null. */
export function readReply(reply: unknown): unknown {
  const [type, v] = reply as [string, unknown];
  if (type === "set") {
    const xs = (v as string[]).map(decode);
    return xs.sort((a, b) =>
      typeof a === "number" && typeof b === "number"
        ? a - b
        : encode(a) < encode(b)
          ? -1
          : encode(a) > encode(b)
            ? 1
            : 0,
    );
  }
  if (type === "string") return decode(v as string);
  return null;
}

/** Errors Redis itself replied with: the command was refused, nothing happened. */
export const isReplyError = (e: unknown): boolean => (e as Error)?.name === "ReplyError";

/** Turns an error into the op's completion (see the header). `sent`: the command went out on a connection. */
export function completionForError(f: string, e: unknown, sent: boolean): Completion {
  const message = (e as Error)?.message ?? String(e);
  const definite = READ_ONLY.has(f) || !sent || isReplyError(e);
  return { type: definite ? "fail" : "info", error: message };
}

/** Where the session keeps the roles, refreshed from the Sentinels while the run goes. */
export interface Topology {
  nodes: LabNode[];
  /** The primary as most Sentinels see it (the first node until they say otherwise). */
  primary: string;
}

export interface RedisClientSettings {
  read: ReadRoute;
  /** WAIT for this many replicas after each write (0: no WAIT). */
  wait: number;
  waitTimeoutMs: number;
  /** A command's own timeout (the run's --op-timeout usually ends it first). */
  timeoutMs: number;
}

/** ioredis options for every client connection (see the header for why each). */
export const connectionOptions = (timeoutMs: number) => ({
  lazyConnect: true,
  enableOfflineQueue: false, // a command is sent now or fails: never queued to go out later
  maxRetriesPerRequest: 0, // a command in flight when the connection drops is not resent
  autoResendUnfulfilledCommands: false,
  connectTimeout: Math.min(1000, timeoutMs),
  commandTimeout: timeoutMs,
  retryStrategy: () => 100,
  reconnectOnError: (e: Error) => (e.message.startsWith("READONLY") ? 1 : false), // demoted primary: find the new one
});

export class RedisClient implements Client {
  private primaryConn: Redis;
  private direct = new Map<string, Redis>();
  private closed = false;

  constructor(
    private topology: Topology,
    private process: number,
    private home: LabNode,
    private s: RedisClientSettings,
  ) {
    const sentinels = [home, ...topology.nodes.filter((n) => n !== home)].map((n) => ({
      host: n.ip,
      port: SENTINEL_PORT,
    }));
    this.primaryConn = new Redis({
      ...connectionOptions(s.timeoutMs),
      sentinels,
      name: MASTER_NAME,
      role: "master",
      updateSentinels: false,
      failoverDetector: true,
      sentinelRetryStrategy: () => 100,
      sentinelCommandTimeout: 500,
    });
    this.primaryConn.on("error", () => undefined);
  }

  /** The node this client's reads go to, for read=any|replica. */
  readNode(): LabNode {
    if (this.s.read === "any") return this.home;
    const replicas = this.topology.nodes.filter((n) => n.name !== this.topology.primary);
    if (!replicas.length || replicas.includes(this.home)) return this.home;
    return replicas[this.process % replicas.length];
  }

  private directConn(n: LabNode): Redis {
    let c = this.direct.get(n.name);
    if (!c) {
      c = new Redis({ ...connectionOptions(this.s.timeoutMs), host: n.ip, port: PORT });
      c.on("error", () => undefined);
      this.direct.set(n.name, c);
    }
    return c;
  }

  private async ready(c: Redis): Promise<boolean> {
    if (c.status === "wait") await c.connect().catch(() => undefined);
    return c.status === "ready";
  }

  async invoke(op: OpSpec): Promise<Completion> {
    const readOnly = READ_ONLY.has(op.f);
    const c = readOnly && this.s.read !== "primary" ? this.directConn(this.readNode()) : this.primaryConn;
    if (this.closed || !(await this.ready(c))) return { type: "fail", error: `not connected (${c.status})` };
    try {
      return await this.run(c, op);
    } catch (e) {
      return completionForError(op.f, e, true);
    }
  }

  /** A write, pipelined with WAIT when wait=n; returns the write's reply. */
  private async write(c: Redis, args: (string | number)[]): Promise<unknown> {
    if (!this.s.wait) return c.call(...(args as [string, ...(string | number)[]]));
    const results = await c
      .pipeline()
      .call(...(args as [string, ...(string | number)[]]))
      .call("WAIT", this.s.wait, this.s.waitTimeoutMs)
      .exec();
    if (!results) throw new Error("pipeline aborted");
    const [[err, reply], [werr, acks]] = results;
    if (err) throw err;
    if (werr) throw new WaitError(`WAIT failed after the write: ${werr.message}`, reply);
    if (Number(acks) < this.s.wait)
      throw new WaitError(
        `WAIT: ${acks} of ${this.s.wait} replicas acknowledged within ${this.s.waitTimeoutMs} ms`,
        reply,
      );
    return reply;
  }

  private async run(c: Redis, op: OpSpec): Promise<Completion> {
    switch (op.f) {
      case "read": {
        const [k] = op.value as [string, unknown];
        return { type: "ok", value: [k, readReply(await c.call("EVAL_RO", READ_SCRIPT, 1, k))] };
      }
      case "read-all": {
        const keys = op.value as string[];
        const vs = (await c.call("MGET", ...keys)) as (string | null)[];
        return { type: "ok", value: Object.fromEntries(keys.map((k, i) => [k, decode(vs[i])])) };
      }
      case "write": {
        const [k, v] = op.value as [string, unknown];
        await this.write(c, ["SET", k, encode(v)]);
        return { type: "ok", value: op.value };
      }
      case "cas": {
        const [k, [expected, next]] = op.value as [string, [unknown, unknown]];
        const expectedArg = expected === null || expected === undefined ? "" : encode(expected);
        const done = await this.write(c, ["EVAL", CAS_SCRIPT, 1, k, expectedArg, encode(next)]).catch((e) => {
          // A compare that failed wrote nothing, so WAIT's verdict is irrelevant to it.
          if (e instanceof WaitError && e.reply === 0) return 0;
          throw e;
        });
        return Number(done) === 1
          ? { type: "ok", value: op.value }
          : { type: "fail", value: op.value, error: "compare-failed" };
      }
      case "add": {
        const [k, x] = op.value as [string, unknown];
        await this.write(c, ["SADD", k, encode(x)]);
        return { type: "ok", value: op.value };
      }
      case "incr": {
        const [k, d] = op.value as [string, number];
        await this.write(c, ["INCRBY", k, d]);
        return { type: "ok", value: op.value };
      }
      default:
        return { type: "fail", value: op.value, error: `unsupported op ${JSON.stringify(op.f)} on redis` };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.primaryConn.disconnect();
    for (const c of this.direct.values()) c.disconnect();
    this.direct.clear();
  }
}

/** The write happened on the primary, but WAIT did not see enough replicas acknowledge it: indeterminate. */
class WaitError extends Error {
  constructor(
    message: string,
    readonly reply: unknown,
  ) {
    super(message);
    this.name = "WaitError";
  }
}
