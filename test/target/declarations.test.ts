// Targets as declarations: one option parser for every target, and the install script, `lab doctor`'s checks,
// the docker node image's packages and the ssh host check generated from the declared needs.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.ts";
import { needsChecks, report, type Probe } from "../../src/lab/doctor.ts";
import { IMAGE_PACKAGES } from "../../src/lab/image/index.ts";
import { labTargets, localNeeds, remoteNeeds } from "../../src/target/all.ts";
import { installScript } from "../../src/target/install-script.ts";
import { mergeNeeds, missingScript, packagesOf } from "../../src/target/needs.ts";
import { option, parseOptions, suggestion } from "../../src/target/options.ts";
import { resolveConfig } from "../../src/run/config.ts";
import { etcdTarget } from "../../targets/etcd/index.ts";
import { postgresTarget } from "../../targets/postgres/index.ts";
import { redisTarget } from "../../targets/redis/index.ts";

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), "utf8");
const thrown = (f: () => unknown): UsageError | undefined => {
  try {
    f();
  } catch (e) {
    return e as UsageError;
  }
  return undefined;
};

describe("option schema", () => {
  const schema = {
    mode: option.choice(["off", "on", "strict"], "off", "a choice"),
    ttl: option.integer({ min: 1, default: 10, unit: "s" }, "an integer"),
    slot: option.integer({ min: 0, default: undefined }, "no default"),
    fast: option.boolean(false, "a flag"),
    timeout: option.ms(5000, "milliseconds"),
    latency: option.number({ min: 0, default: 1 }, "a number"),
    subnet: option.string("a string"),
  };

  it("fills defaults and converts strings the way --opt and YAML give them", () => {
    expect(parseOptions("t", schema, {})).toEqual({
      mode: "off",
      ttl: 10,
      slot: undefined,
      fast: false,
      timeout: 5000,
      latency: 1,
      subnet: undefined,
    });
    expect(
      parseOptions("t", schema, {
        mode: true,
        ttl: "30",
        slot: 0,
        fast: "on",
        timeout: 0.5,
        latency: "0",
        subnet: "198.18.9.0/24",
      }),
    ).toEqual({ mode: "on", ttl: 30, slot: 0, fast: true, timeout: 0.5, latency: 0, subnet: "198.18.9.0/24" });
  });

  it("refuses a value of the wrong type or range, naming the owner, the option, the rule and the value", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ mode: "maybe" }, 't option mode must be one of off, on, strict, got "maybe"'],
      [{ mode: 1 }, "t option mode must be one of off, on, strict, got 1"],
      [{ ttl: 0 }, "t option ttl must be an integer ≥ 1 (s), got 0"],
      [{ ttl: 2.5 }, "t option ttl must be an integer ≥ 1 (s), got 2.5"],
      [{ ttl: "" }, 't option ttl must be an integer ≥ 1 (s), got ""'],
      [{ ttl: true }, "t option ttl must be an integer ≥ 1 (s), got true"],
      [{ slot: -1 }, "t option slot must be an integer ≥ 0, got -1"],
      [{ fast: "yes" }, 't option fast must be true or false, got "yes"'],
      [{ timeout: 0 }, "t option timeout must be a positive number of ms, got 0"],
      [{ timeout: "soon" }, 't option timeout must be a positive number of ms, got "soon"'],
      [{ latency: -1 }, "t option latency must be a number ≥ 0, got -1"],
      [{ subnet: 5 }, "t option subnet must be a string, got 5"],
    ];
    for (const [given, message] of cases) {
      const e = thrown(() => parseOptions("t", schema, given));
      expect(e, JSON.stringify(given)).toBeInstanceOf(UsageError);
      expect(e!.message).toBe(message);
      expect(e!.exitCode).toBe(3);
    }
  });

  it("refuses an unknown option, suggesting the one meant when it is a slip away", () => {
    expect(thrown(() => parseOptions("t", schema, { tll: 3 }))!.message).toBe(
      't has no option "tll" (did you mean "ttl"?); options: mode, ttl, slot, fast, timeout, latency, subnet',
    );
    expect(thrown(() => parseOptions("t", schema, { colour: 1 }))!.message).toBe(
      't has no option "colour"; options: mode, ttl, slot, fast, timeout, latency, subnet',
    );
    expect(suggestion("elcetion", ["heartbeat", "election"])).toBe("election");
    expect(suggestion("wait_timeout", ["wait", "wait-timeout"])).toBe("wait-timeout");
    expect(suggestion("sync", ["synchronous_mode", "ttl"])).toBeUndefined();
  });

  it("every lab target's options include the shared ones, and a slip in a real target's option is caught with a suggestion", () => {
    for (const t of [etcdTarget, postgresTarget, redisTarget])
      expect(t.options).toEqual(expect.arrayContaining(["subnet", "slot", "keep-data", "timeout"]));
    expect(() => etcdTarget.parse({ elcetion: 500 })).toThrow(
      'etcd has no option "elcetion" (did you mean "election"?)',
    );
    expect(() => postgresTarget.parse({ isolation: "snapshot" })).toThrow(
      'postgres option isolation must be one of read-committed, repeatable-read, serializable, got "snapshot"',
    );
  });

  it("a bad node count is a usage error before anything is created", async () => {
    await expect(etcdTarget.setup({ nodes: 0, seed: "1", dir: "/nonexistent", options: {} })).rejects.toThrow(
      "etcd runs 1 to 9 nodes (one etcd member each; 3 or 5 are usual), got --nodes 0",
    );
    await expect(postgresTarget.setup({ nodes: 0, seed: "1", dir: "/nonexistent", options: {} })).rejects.toMatchObject(
      { exitCode: 3, message: "postgres runs at least 1 node, got --nodes 0" },
    );
    await expect(
      redisTarget.setup({ nodes: 3, seed: "1", dir: "/nonexistent", options: { "min-replicas": 3 } }),
    ).rejects.toMatchObject({
      exitCode: 3,
      message: "redis min-replicas=3 asks for more replicas than the 2 there are",
    });
  });

  it("the run configuration checks option values against the declared schema before anything starts", async () => {
    await expect(resolveConfig({ target: "etcd", targetOptions: { read: "stale" } })).rejects.toMatchObject({
      exitCode: 3,
      message: 'etcd option read must be one of linearizable, serializable, got "stale"',
    });
    await expect(resolveConfig({ target: "sim", targetOptions: { latency: "slow" } })).rejects.toThrow(
      'sim option latency must be a number ≥ 0 (ms), got "slow"',
    );
    await expect(
      resolveConfig({ target: "etcd", targetOptions: { read: "serializable", heartbeat: 50 } }),
    ).resolves.toBeDefined();
  });

  it("the sim declares its options too", async () => {
    await expect(resolveConfig({ target: "sim", targetOptions: { latency: 5 } })).resolves.toBeDefined();
    const { simTarget } = await import("../../targets/sim/index.ts");
    expect(simTarget.schema).toHaveProperty("latency");
    await expect(
      simTarget.setup({ nodes: 3, seed: "1", dir: "/nonexistent", options: { latency: -2 } }),
    ).rejects.toThrow("sim option latency must be a number ≥ 0 (ms), got -2");
  });
});

describe("generated from the declarations", () => {
  it("src/lab/install.sh is exactly the script the declarations generate", async () => {
    const script = installScript(localNeeds(await labTargets()));
    expect(read("src/lab/install.sh"), "regenerate: faultline lab install-script > src/lab/install.sh").toBe(script);
    // and it installs every lab target's packages and stops their services
    for (const p of [
      "postgresql",
      "redis-server",
      "redis-sentinel",
      "etcd-server",
      "etcd-client",
      "patroni",
      "iptables",
      "gcc",
      "faketime",
    ])
      expect(script).toMatch(new RegExp(`^PACKAGES=".*\\b${p}\\b`, "m"));
    expect(script).toContain("for svc in etcd postgresql redis-server redis-sentinel patroni; do");
  });

  it("the docker node image holds the runtime's and every docker target's packages, and the Dockerfile the same", async () => {
    const ts = await labTargets();
    const generated = remoteNeeds(ts, "docker").imagePackages;
    expect(new Set(IMAGE_PACKAGES), `IMAGE_PACKAGES (src/lab/image/index.ts) must be: ${generated.join(", ")}`).toEqual(
      new Set(generated),
    );
    expect(IMAGE_PACKAGES.length).toBe(generated.length);
    expect(generated).not.toContain("patroni"); // patroni runs on netns only
    const dockerfile = /apt-get install -y --no-install-recommends \\\n\s+([^\n]+) \\\n/
      .exec(read("src/lab/image/Dockerfile"))?.[1]
      .trim()
      .split(/\s+/);
    expect(new Set(dockerfile)).toEqual(new Set(generated));
  });

  it("lab doctor names a missing program with the package that provides it", async () => {
    const needs = localNeeds(await labTargets());
    const gone = new Set(["etcdctl", "initdb", "redis-sentinel"]);
    const probe: Probe = { locate: (b) => (gone.has(b.name) ? undefined : `/usr/bin/${b.name}`), user: () => true };
    const r = report(needsChecks(needs, probe), []);
    expect(r.missing).toEqual(["etcdctl", "initdb", "redis-sentinel"]);
    expect(r.checks.find((c) => c.name === "initdb")).toMatchObject({
      ok: false,
      pkg: "postgresql",
      detail: "not found (/usr/lib/postgresql/*/bin/initdb); package postgresql",
    });
    expect(r.installCommand).toBe("apt-get install -y etcd-client postgresql redis-sentinel");
    // every declared program is checked, patroni's included
    expect(r.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        "iproute2 (ip)",
        "clock shim compiler (gcc)",
        "libfaketime",
        "etcd",
        "postgres",
        "redis-server",
        "patroni",
        "patronictl",
        "postgres user",
      ]),
    );
    expect(report(needsChecks(needs, { locate: (b) => b.name, user: () => false }), []).installCommand).toBe(
      "apt-get install -y postgresql",
    );
  });

  it("the ssh host check looks for every ssh target's programs and names their packages", async () => {
    const binaries = remoteNeeds(await labTargets(), "ssh").binaries;
    const script = missingScript(binaries);
    for (const c of [
      "iptables",
      "setpriv",
      "setsid",
      "tar",
      "awk",
      "timeout",
      "etcd",
      "redis-server",
      "redis-sentinel",
    ])
      expect(script).toMatch(new RegExp(`for c in [^;]*\\b${c}\\b`));
    expect(script).toContain('ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || echo "missing initdb"');
    expect(script).not.toContain("patroni");
    expect(packagesOf(binaries, ["awk", "initdb", "etcd", "postgres"])).toEqual(["mawk", "postgresql", "etcd-server"]);
  });

  it("merging needs keeps the first of each package, program, service and user", () => {
    const m = mergeNeeds([
      { packages: ["a", "b"], binaries: [{ name: "x", pkg: "a" }], services: ["s"] },
      {
        packages: ["b", "c"],
        imagePackages: ["c-15"],
        binaries: [
          { name: "x", pkg: "a" },
          { name: "y", pkg: "c" },
        ],
        users: [{ name: "u", pkg: "c" }],
      },
    ]);
    expect(m).toEqual({
      packages: ["a", "b", "c"],
      imagePackages: ["a", "b", "c-15"],
      binaries: [
        { name: "x", pkg: "a" },
        { name: "y", pkg: "c" },
      ],
      services: ["s"],
      users: [{ name: "u", pkg: "c" }],
    });
  });
});
