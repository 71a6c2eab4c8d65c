// A minimal etcd v3 client over the JSON gRPC gateway that etcd 3.4 serves at http://IP:2379/v3/ (keys and
// values base64), through Node's fetch: range, put, txn, status, member list. No dependency, and every
// request is a plain HTTP POST whose failure can be classified precisely (see classify): was the request
// certainly not applied (connection refused, etcd refused it up front), or may it still take effect?
import type { Json } from "../../src/json.ts";

/** A failed etcd request: `definite` when the request certainly did not take effect. */
export class EtcdError extends Error {
  constructor(
    message: string,
    readonly definite: boolean,
    readonly code?: number,
  ) {
    super(message);
    this.name = "EtcdError";
  }
}

export interface KeyValue {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
  version: number;
}

export interface RangeRequest {
  key: string;
  /** Every key with this prefix instead of `key` alone. */
  prefix?: boolean;
  serializable?: boolean;
}

export type TxnCompare =
  | { key: string; value: string } // the key holds exactly this value
  | { key: string; absent: true } // the key does not exist (version 0)
  | { key: string; modRevision: number }; // the key was last changed at this revision (0: never)

export type TxnOp = { put: { key: string; value: string } } | { range: RangeRequest };

export interface TxnResult {
  succeeded: boolean;
  /** The range results of the branch that ran, in order (puts give undefined). */
  ranges: (KeyValue[] | undefined)[];
  revision: number;
}

export interface Status {
  memberId: string;
  leader: string;
  raftTerm: number;
  raftIndex: number;
  version: string;
}

export interface Member {
  id: string;
  name: string;
  clientURLs: string[];
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string | undefined) => (s ? Buffer.from(s, "base64").toString("utf8") : "");

/** The first key after every key that starts with `prefix` (etcd's range_end for a prefix). */
export function prefixEnd(prefix: string): Buffer {
  const bytes = Buffer.from(prefix, "utf8");
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i] < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end[i]++;
      return end;
    }
  }
  return Buffer.from([0]); // every byte 0xff: to the end of the key space
}

function rangeBody(r: RangeRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { key: b64(r.key) };
  if (r.prefix) body.range_end = prefixEnd(r.key).toString("base64");
  if (r.serializable) body.serializable = true;
  return body;
}

function decodeKvs(kvs: unknown): KeyValue[] {
  if (!Array.isArray(kvs)) return [];
  return kvs.map((kv: Record<string, string>) => ({
    key: unb64(kv.key),
    value: unb64(kv.value),
    createRevision: Number(kv.create_revision ?? 0),
    modRevision: Number(kv.mod_revision ?? 0),
    version: Number(kv.version ?? 0),
  }));
}

/** Builds the gateway's JSON for a txn: compares (all must hold) → success ops, else failure ops. */
export function txnBody(compare: TxnCompare[], success: TxnOp[], failure: TxnOp[] = []): Record<string, unknown> {
  const cmp = compare.map((c) =>
    "absent" in c
      ? { key: b64(c.key), target: "VERSION", result: "EQUAL", version: "0" }
      : "modRevision" in c
        ? { key: b64(c.key), target: "MOD", result: "EQUAL", mod_revision: String(c.modRevision) }
        : { key: b64(c.key), target: "VALUE", result: "EQUAL", value: b64(c.value) },
  );
  const op = (o: TxnOp) =>
    "put" in o
      ? { request_put: { key: b64(o.put.key), value: b64(o.put.value) } }
      : { request_range: rangeBody(o.range) };
  return { compare: cmp, success: success.map(op), failure: failure.map(op) };
}

/** Decodes a txn response (proto3 JSON leaves out `succeeded` when false). */
export function decodeTxn(res: Record<string, Json>): TxnResult {
  const responses: Record<string, Json>[] = Array.isArray(res.responses) ? res.responses : [];
  return {
    succeeded: res.succeeded === true,
    ranges: responses.map((r) => (r.response_range ? decodeKvs(r.response_range.kvs) : undefined)),
    revision: Number(res.header?.revision ?? 0),
  };
}

// etcd errors that are returned before anything is proposed to raft: the request did not take effect.
const DEFINITE_MESSAGES = [
  "etcdserver: too many requests",
  "raft: stopped",
  "etcdserver: not capable",
  "etcdserver: no leader",
  "etcdserver: unhealthy cluster",
  "etcdserver: request is too large",
  "etcdserver: key is not provided",
  "etcdserver: too many operations in txn request",
  "etcdserver: duplicate key given in txn request",
];

/** Classifies an error body returned by the gateway ({error, message, code}) into an EtcdError. */
export function gatewayError(httpStatus: number, body: unknown): EtcdError {
  const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const message = String(b.error ?? b.message ?? `HTTP ${httpStatus}`);
  const code = typeof b.code === "number" ? b.code : undefined;
  // gRPC InvalidArgument (3), NotFound (5), PermissionDenied (7), Unauthenticated (16), ResourceExhausted (8):
  // rejected before being applied. Unavailable (14), DeadlineExceeded (4), Unknown (2): may have happened.
  const definite = DEFINITE_MESSAGES.some((m) => message.includes(m)) || [3, 5, 7, 8, 16].includes(code ?? -1);
  return new EtcdError(message, definite, code);
}

// Socket-level failures that happen before the request is written: the server never saw it.
const CONNECT_CODES = [
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  "ENOTFOUND",
];

/** Classifies a fetch failure (TypeError "fetch failed" with a cause, or an abort) into an EtcdError. */
export function networkError(e: unknown): EtcdError {
  const err = e as Error & { cause?: { code?: string; message?: string; name?: string }; code?: string };
  if (err?.name === "AbortError" || err?.name === "TimeoutError") return new EtcdError("timeout", false);
  const cause = err?.cause;
  const code = cause?.code ?? err?.code;
  if (code && CONNECT_CODES.includes(code)) return new EtcdError(`connect: ${code}`, true);
  return new EtcdError(code ? `network: ${code}` : `network: ${cause?.message ?? err?.message ?? String(e)}`, false);
}

export interface GatewayOptions {
  /** Give up on a request after this many ms (default 10 s). */
  timeoutMs?: number;
}

/** One etcd member's gateway: `http://IP:2379`. close() aborts every request in flight. */
export class EtcdGateway {
  private readonly inflight = new Set<AbortController>();
  private readonly timeoutMs: number;

  constructor(
    readonly endpoint: string,
    options: GatewayOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async call(path: string, body: unknown, timeoutMs = this.timeoutMs): Promise<Record<string, Json>> {
    const ac = new AbortController();
    this.inflight.add(ac);
    const timer = setTimeout(() => ac.abort(), timeoutMs);
    try {
      let res: Response;
      try {
        res = await fetch(`${this.endpoint}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: ac.signal,
        });
      } catch (e) {
        throw networkError(e);
      }
      let text: string;
      try {
        text = await res.text();
      } catch (e) {
        throw networkError(e);
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = { error: text.slice(0, 200) };
      }
      if (!res.ok || (typeof json === "object" && json !== null && "error" in json && !("header" in json)))
        throw gatewayError(res.status, json);
      return json as Record<string, Json>;
    } finally {
      clearTimeout(timer);
      this.inflight.delete(ac);
    }
  }

  async range(r: RangeRequest): Promise<KeyValue[]> {
    return decodeKvs((await this.call("/v3/kv/range", rangeBody(r))).kvs);
  }

  async put(key: string, value: string): Promise<number> {
    const res = await this.call("/v3/kv/put", { key: b64(key), value: b64(value) });
    return Number(res.header?.revision ?? 0);
  }

  async txn(compare: TxnCompare[], success: TxnOp[], failure: TxnOp[] = []): Promise<TxnResult> {
    return decodeTxn(await this.call("/v3/kv/txn", txnBody(compare, success, failure)));
  }

  async status(timeoutMs?: number): Promise<Status> {
    const res = await this.call("/v3/maintenance/status", {}, timeoutMs);
    return {
      memberId: String(res.header?.member_id ?? ""),
      leader: String(res.leader ?? "0"),
      raftTerm: Number(res.raftTerm ?? 0),
      raftIndex: Number(res.raftIndex ?? 0),
      version: String(res.version ?? ""),
    };
  }

  async members(timeoutMs?: number): Promise<Member[]> {
    const res = await this.call("/v3/cluster/member/list", {}, timeoutMs);
    return (Array.isArray(res.members) ? res.members : []).map((m: Record<string, Json>) => ({
      id: String(m.ID ?? m.id ?? ""),
      name: String(m.name ?? ""),
      clientURLs: Array.isArray(m.clientURLs) ? m.clientURLs : [],
    }));
  }

  /** GET /health: true when the member has a leader and answers. */
  async healthy(timeoutMs = 1000): Promise<boolean> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), timeoutMs);
    try {
      const res = await fetch(`${this.endpoint}/health`, { signal: ac.signal });
      const json = (await res.json()) as { health?: string };
      return json.health === "true";
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    for (const ac of this.inflight) ac.abort();
    this.inflight.clear();
  }
}
