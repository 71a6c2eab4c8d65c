// The ssh runtime's options and nodes files (FAULTLINE_LAB=1 with the other ssh tests; no host needed):
// hosts from --hosts or a nodes file, and the error messages for each mistake.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseHostSpec, parseSshOptions, remoteCommand, shQuote } from "../../src/lab/ssh.ts";
import { resolveConfig } from "../../src/run/config.ts";
import { configFromFlags } from "../../src/cli/commands/run.ts";

const dir = mkdtempSync(join(tmpdir(), "fl-sshopt-"));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe("ssh runtime options", () => {
  it("parses [user@]host[:port] with defaults", () => {
    expect(parseHostSpec("10.0.0.1")).toEqual({ host: "10.0.0.1", user: "root", port: 22, key: undefined });
    expect(parseHostSpec("admin@db2.example.com:2222")).toMatchObject({
      host: "db2.example.com",
      user: "admin",
      port: 2222,
    });
    expect(parseHostSpec("[fd00::1]:22")).toMatchObject({ host: "fd00::1", port: 22 });
    expect(() => parseHostSpec("bad host")).toThrow(/bad ssh host "bad host": expected \[user@\]host\[:port\]/);
    expect(() => parseHostSpec("h:70000")).toThrow(/bad ssh port/);
  });

  it("needs hosts from exactly one place", () => {
    expect(() => parseSshOptions({})).toThrow(
      "the ssh runtime needs its hosts: --hosts [user@]host[:port],… or --nodes-file FILE",
    );
    expect(() => parseSshOptions({ hosts: "a", "nodes-file": "x.yaml" })).toThrow(
      /either with --hosts or with --nodes-file, not both/,
    );
    expect(() => parseSshOptions({ hosts: "a,a" })).toThrow(/root@a:22 is listed twice/);
    expect(() => parseSshOptions({ hosts: "a", clock: "ntp" })).toThrow(/ssh clock must be shim .* or real/);
    expect(() => parseSshOptions({ hosts: "a", key: join(dir, "nokey") })).toThrow(/ssh key .*nokey .* does not exist/);
    expect(() => parseSshOptions({ hosts: "a", password: "x" })).toThrow(/the ssh runtime has no option "password"/);
    expect(
      parseSshOptions({ hosts: "a, b:2200", user: "ops" }).hosts.map((h) => `${h.user}@${h.host}:${h.port}`),
    ).toEqual(["ops@a:22", "ops@b:2200"]);
  });

  it("reads a nodes file; errors name file:line: field", () => {
    const key = file("id", "k");
    const ok = file(
      "nodes.yaml",
      `user: admin\nkey: id\nnodes:\n  - 10.0.0.1\n  - host: db2\n    port: 2200\n    ip: 10.0.1.2\n    user: root\nclock: real\n`,
    );
    const o = parseSshOptions({ "nodes-file": ok });
    expect(o.hosts).toEqual([
      { host: "10.0.0.1", user: "admin", port: 22, key },
      { host: "db2", user: "root", port: 2200, key, ip: "10.0.1.2" },
    ]);
    expect(o.clock).toBe("real");
    expect(parseSshOptions({ "nodes-file": file("list.yaml", "- a\n- b\n") }).hosts.length).toBe(2);
    const bad = (text: string) => () => parseSshOptions({ "nodes-file": file("bad.yaml", text) });
    expect(bad("nodes:\n  - host: a\n    port: 99999\n")).toThrow(
      /bad\.yaml:3: nodes\[0\]\.port: must be a port number 1\.\.65535/,
    );
    expect(bad("nodes:\n  - a\n  - hots: b\n")).toThrow(/bad\.yaml:3: nodes\[1\]\.hots: unknown field/);
    expect(bad("nodes:\n  - a\npasword: x\n")).toThrow(/bad\.yaml:3: pasword: unknown field/);
    expect(bad("nodes: []\n")).toThrow(/bad\.yaml:1: nodes: must be a non-empty list/);
    expect(bad("nodes:\n  - 'x y'\n")).toThrow(/bad\.yaml:2: nodes\[0\]: bad ssh host/);
  });

  it("quotes remote commands and uses sudo -n for a non-root login", () => {
    expect(shQuote("it's")).toBe(`'it'\\''s'`);
    expect(remoteCommand(["sh", "-c", "echo $HOME"], true)).toBe(`sudo -n -- sh -c 'echo $HOME'`);
  });

  it("--runtime and its options in a run configuration", async () => {
    await expect(resolveConfig({ target: "etcd", runtimeOptions: { hosts: "a" } })).rejects.toThrow(
      /--hosts and --nodes-file are for --runtime ssh/,
    );
    await expect(resolveConfig({ target: "sim", runtime: "ssh", runtimeOptions: { hosts: "a" } })).rejects.toThrow(
      /target sim runs in-process and takes no --runtime/,
    );
    await expect(resolveConfig({ target: "etcd", runtime: "vm" })).rejects.toThrow(
      /unknown runtime "vm"; runtimes: netns, docker, ssh/,
    );
    await expect(resolveConfig({ target: "etcd", runtime: "docker", runtimeOptions: { hosts: "a" } })).rejects.toThrow(
      /the docker runtime has no option "hosts"/,
    );
    // --nodes defaults to the number of hosts on ssh.
    const c = await configFromFlags({
      target: "etcd",
      workload: "register",
      nemesis: [],
      runtime: "ssh",
      hosts: "a,b,c,d,e",
      ropt: {},
      opt: {},
      wopt: {},
      seed: "1",
    });
    expect([c.runtime, c.nodes, c.runtimeOptions]).toEqual(["ssh", 5, { hosts: "a,b,c,d,e" }]);
  });
});
