// The etcd target without etcd: command lines, options, and the client against a fake v3 JSON gateway
// (a local HTTP server that answers like etcd's, or fails the way etcd and the network fail).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EtcdClient, readValue } from "../../targets/etcd/client.ts";
import { etcdArgv, leaderOf } from "../../targets/etcd/cluster.ts";
import { etcdTarget } from "../../targets/etcd/index.ts";
import { EtcdGateway, gatewayError, networkError, prefixEnd } from "../../targets/etcd/gateway.ts";

const nodes = [1, 2, 3].map((i) => ({ name: `n${i}`, ip: `198.18.5.${10 + i}`, dir: `/tmp/x/n${i}` }));
const b64 = (s: string) => Buffer.from(s).toString("base64");
const unb64 = (s: string) => Buffer.from(s, "base64").toString();

describe("etcd configuration", () => {
  it("builds a member's command line naming every peer", () => {
    const argv = etcdArgv(nodes[1], nodes, etcdTarget.parse({}), "tok");
    const flag = (f: string) => argv[argv.indexOf(f) + 1];
    expect(flag("--name")).toBe("n2");
    expect(flag("--listen-client-urls")).toBe("http://198.18.5.12:2379");
    expect(flag("--initial-advertise-peer-urls")).toBe("http://198.18.5.12:2380");
    expect(flag("--initial-cluster")).toBe(
      "n1=http://198.18.5.11:2380,n2=http://198.18.5.12:2380,n3=http://198.18.5.13:2380",
    );
    expect(flag("--initial-cluster-token")).toBe("tok");
    expect(flag("--data-dir")).toBe("/tmp/x/n2/etcd-data");
    expect(argv).toContain("--pre-vote=true");
  });

  it("validates options", () => {
    expect(etcdTarget.parse({ read: "serializable" }).read).toBe("serializable");
    expect(etcdTarget.parse({ prevote: false, election: 500, heartbeat: 50 })).toMatchObject({
      preVote: false,
      electionMs: 500,
      heartbeatMs: 50,
    });
    expect(() => etcdTarget.parse({ read: "stale" })).toThrow(
      'etcd option read must be one of linearizable, serializable, got "stale"',
    );
    expect(() => etcdTarget.parse({ prevote: "maybe" })).toThrow(
      'etcd option prevote must be true or false, got "maybe"',
    );
    expect(() => etcdTarget.parse({ timeout: -1 })).toThrow(
      "etcd option timeout must be a positive number of ms, got -1",
    );
    expect(etcdTarget.parse({ "keep-data": true, slot: 3 })).toMatchObject({
      keepData: true,
      slot: 3,
      timeoutMs: 5000,
    });
    expect(() => etcdTarget.parse({ colour: 1 })).toThrow(/no option "colour"/);
    expect(() => etcdTarget.parse({ election: 100 })).toThrow(/at least 5 × heartbeat/);
    let error: unknown;
    try {
      etcdTarget.parse({ read: 1 });
    } catch (e) {
      error = e;
    }
    expect((error as { exitCode?: number })?.exitCode).toBe(3);
  });

  it("names the leader reported at the highest term", () => {
    expect(leaderOf([undefined, undefined])).toBeUndefined();
    expect(leaderOf([{ leader: "0", raftTerm: 9 }, undefined])).toBeUndefined();
    // an isolated old leader still believing in itself at term 2; the majority elected b at term 3
    expect(
      leaderOf([
        { leader: "a", raftTerm: 2 },
        { leader: "b", raftTerm: 3 },
        { leader: "0", raftTerm: 4 },
      ]),
    ).toBe("b");
  });

  it("computes prefix range ends", () => {
    expect(prefixEnd("k1/").toString()).toBe("k10");
    expect([...prefixEnd("a\xff")]).toEqual([0x61, 0xc3, 0xc0]); // "\xff" is two UTF-8 bytes; the last one is bumped
    expect([...prefixEnd(Buffer.from([0xff]).toString("latin1"))]).toEqual([0xc3, 0xc0]);
  });

  it("reads a register, or a set's elements in creation order", () => {
    const kv = (key: string, value: string, rev: number) => ({
      key,
      value,
      createRevision: rev,
      modRevision: rev,
      version: 1,
    });
    expect(readValue([], [])).toBeNull();
    expect(readValue([kv("k", "3", 5)], [])).toBe(3);
    expect(readValue([], [kv("k/2", "2", 9), kv("k/1", "1", 4)])).toEqual([1, 2]);
  });
});

describe("etcd error classification", () => {
  it("treats refusals before raft as definite and timeouts as indefinite", () => {
    expect(gatewayError(503, { error: "etcdserver: request timed out", code: 14 }).definite).toBe(false);
    expect(gatewayError(500, { error: "etcdserver: leader changed", code: 2 }).definite).toBe(false);
    expect(gatewayError(429, { error: "etcdserver: too many requests", code: 14 }).definite).toBe(true);
    expect(gatewayError(400, { error: "etcdserver: key is not provided", code: 3 }).definite).toBe(true);
    expect(
      networkError(Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } })).definite,
    ).toBe(true);
    expect(
      networkError(Object.assign(new TypeError("fetch failed"), { cause: { code: "UND_ERR_SOCKET" } })).definite,
    ).toBe(false);
    expect(networkError(Object.assign(new Error("aborted"), { name: "AbortError" })).definite).toBe(false);
  });
});

// A fake gateway: a map of keys with revisions, and switches to make it fail.
interface Fake {
  data: Map<string, { value: string; create: number; mod: number }>;
  rev: number;
  requests: { path: string; body: any }[];
  failWith?: { status: number; body: unknown };
  resetAfterRead?: boolean;
}

function handle(fake: Fake, path: string, body: any, res: ServerResponse): void {
  const header = { cluster_id: "1", member_id: "7", revision: String(fake.rev), raft_term: "2" };
  const range = (r: any) => {
    const key = unb64(r.key);
    const end = r.range_end ? Buffer.from(r.range_end, "base64").toString("latin1") : undefined;
    const kvs = [...fake.data]
      .filter(([k]) =>
        end ? Buffer.from(k).toString("latin1") >= key && Buffer.from(k).toString("latin1") < end : k === key,
      )
      .map(([k, v]) => ({
        key: b64(k),
        value: b64(v.value),
        create_revision: String(v.create),
        mod_revision: String(v.mod),
        version: "1",
      }));
    return kvs.length ? { header, kvs, count: String(kvs.length) } : { header };
  };
  const put = (p: any) => {
    const k = unb64(p.key);
    fake.rev++;
    fake.data.set(k, { value: unb64(p.value), create: fake.data.get(k)?.create ?? fake.rev, mod: fake.rev });
    return { header };
  };
  const send = (x: unknown) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(x));
  };
  if (path === "/v3/kv/range") return send(range(body));
  if (path === "/v3/kv/put") return send(put(body));
  if (path === "/v3/kv/txn") {
    const ok = (body.compare ?? []).every((c: any) => {
      const cur = fake.data.get(unb64(c.key));
      return c.target === "VERSION" ? !cur : cur?.value === unb64(c.value);
    });
    const ops = (ok ? body.success : body.failure) ?? [];
    const responses = ops.map((o: any) =>
      o.request_put ? { response_put: put(o.request_put) } : { response_range: range(o.request_range) },
    );
    return send(ok ? { header, succeeded: true, responses } : { header, responses });
  }
  res.statusCode = 404;
  res.end("not found");
}

describe("etcd client against a fake gateway", () => {
  let server: Server;
  let url: string;
  const fake: Fake = { data: new Map(), rev: 1, requests: [] };

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let raw = "";
      req.on("data", (c) => (raw += c));
      req.on("end", () => {
        const body = JSON.parse(raw || "{}");
        fake.requests.push({ path: req.url!, body });
        if (fake.resetAfterRead) {
          req.socket.destroy();
          return;
        }
        if (fake.failWith) {
          res.statusCode = fake.failWith.status;
          res.end(JSON.stringify(fake.failWith.body));
          return;
        }
        handle(fake, req.url!, body, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const client = (read: "linearizable" | "serializable" = "linearizable") => new EtcdClient(new EtcdGateway(url), read);
  const reset = () => {
    fake.data.clear();
    fake.requests.length = 0;
    fake.failWith = undefined;
    fake.resetAfterRead = false;
  };

  it("maps register ops to put, range and txn", async () => {
    reset();
    const c = client();
    expect(await c.invoke({ f: "read", value: ["k1", null] })).toEqual({ type: "ok", value: ["k1", null] });
    expect(await c.invoke({ f: "write", value: ["k1", 3] })).toEqual({ type: "ok", value: ["k1", 3] });
    expect(fake.data.get("k1")?.value).toBe("3");
    expect(await c.invoke({ f: "read", value: ["k1", null] })).toEqual({ type: "ok", value: ["k1", 3] });
    expect(await c.invoke({ f: "cas", value: ["k1", [2, 4]] })).toEqual({
      type: "fail",
      value: ["k1", [2, 4]],
      error: "compare-failed",
    });
    expect(await c.invoke({ f: "cas", value: ["k1", [3, 4]] })).toEqual({ type: "ok", value: ["k1", [3, 4]] });
    expect(await c.invoke({ f: "read", value: ["k1", null] })).toEqual({ type: "ok", value: ["k1", 4] });
    expect(await c.invoke({ f: "cas", value: ["k2", [null, 1]] })).toEqual({ type: "ok", value: ["k2", [null, 1]] });
    expect(await c.invoke({ f: "cas", value: ["k2", [null, 2]] })).toMatchObject({
      type: "fail",
      error: "compare-failed",
    });
    expect(await c.invoke({ f: "read-all", value: ["k1", "k2", "k3"] })).toEqual({
      type: "ok",
      value: { k1: 4, k2: 1, k3: null },
    });
    expect(await c.invoke({ f: "frobnicate", value: null })).toMatchObject({ type: "fail" });
    // linearizable reads never ask for serializable ranges
    expect(
      fake.requests
        .filter((r) => r.path === "/v3/kv/txn")
        .every((r) => JSON.stringify(r.body).includes("serializable") === false),
    ).toBe(true);
  });

  it("asks for serializable ranges with read=serializable", async () => {
    reset();
    await client("serializable").invoke({ f: "read", value: ["k1", null] });
    const ranges = fake.requests[0].body.success.map((o: any) => o.request_range);
    expect(ranges).toHaveLength(2);
    expect(ranges.every((r: any) => r.serializable === true)).toBe(true);
  });

  it("adds set elements as keys and reads them back in order", async () => {
    reset();
    const c = client();
    for (const x of [5, 1, 9]) expect((await c.invoke({ f: "add", value: ["s", x] })).type).toBe("ok");
    expect(await c.invoke({ f: "read", value: ["s", null] })).toEqual({ type: "ok", value: ["s", [5, 1, 9]] });
    expect([...fake.data.keys()].sort()).toEqual(["s/1", "s/5", "s/9"]);
  });

  it("records a write that may have happened as info, a read or a refused write as fail", async () => {
    reset();
    fake.failWith = { status: 503, body: { error: "etcdserver: request timed out", code: 14 } };
    expect(await client().invoke({ f: "write", value: ["k", 1] })).toEqual({
      type: "info",
      error: "etcdserver: request timed out",
    });
    expect(await client().invoke({ f: "cas", value: ["k", [1, 2]] })).toMatchObject({ type: "info" });
    expect(await client().invoke({ f: "read", value: ["k", null] })).toMatchObject({ type: "fail" });
    fake.failWith = { status: 429, body: { error: "etcdserver: too many requests", code: 14 } };
    expect(await client().invoke({ f: "write", value: ["k", 1] })).toEqual({
      type: "fail",
      error: "etcdserver: too many requests",
    });
    fake.failWith = undefined;
    fake.resetAfterRead = true; // the server got the request, then the connection died: it may have been applied
    expect(await client().invoke({ f: "write", value: ["k", 1] })).toMatchObject({ type: "info" });
    fake.resetAfterRead = false;
  });

  it("fails definitely when nothing listens", async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const c = new EtcdClient(new EtcdGateway(`http://127.0.0.1:${port}`));
    expect(await c.invoke({ f: "write", value: ["k", 1] })).toEqual({ type: "fail", error: "connect: ECONNREFUSED" });
  });

  it("gives up after its timeout and close() aborts requests in flight", async () => {
    const hang = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => hang.listen(0, "127.0.0.1", r));
    const hurl = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
    const quick = new EtcdClient(new EtcdGateway(hurl, { timeoutMs: 100 }));
    expect(await quick.invoke({ f: "write", value: ["k", 1] })).toEqual({ type: "info", error: "timeout" });
    const c = new EtcdClient(new EtcdGateway(hurl));
    const pending = c.invoke({ f: "write", value: ["k", 1] });
    await new Promise((r) => setTimeout(r, 50));
    await c.close();
    expect(await pending).toMatchObject({ type: "info" });
    hang.closeAllConnections();
    await new Promise<void>((r) => hang.close(() => r()));
  });
});
