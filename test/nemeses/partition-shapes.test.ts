// Partition shapes and one-way partitions: the links they drop, and that they run on the sim target.
import { describe, expect, it } from "vitest";
import { shapeLinks, partitionOneWayNemesis, partitionNemesis } from "../../nemeses/partition.ts";
import { rng } from "../../src/run/rng.ts";
import type { FaultControl } from "../../src/run/types.ts";
import { resolveConfig } from "../../src/run/config.ts";
import { run } from "../../src/run/runner.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const nodes = ["n1", "n2", "n3", "n4", "n5"];
const reach = (links: [string, string][], from: string, to: string) =>
  from === to || !links.some(([a, b]) => a === from && b === to);

describe("partition shapes", () => {
  it("halves cut two groups from each other and nothing inside them", () => {
    const { links, value } = shapeLinks("halves", nodes);
    const [a, b] = value.groups as string[][];
    expect(a.length + b.length).toBe(5);
    for (const x of a)
      for (const y of b) {
        expect(reach(links, x, y)).toBe(false);
        expect(reach(links, y, x)).toBe(false);
      }
    for (const g of [a, b]) for (const x of g) for (const y of g) expect(reach(links, x, y)).toBe(true);
  });

  it("majorities-ring: every node hears a majority, no two hear the same one", () => {
    for (const n of [3, 4, 5, 7]) {
      const ns = nodes.concat(["n6", "n7"]).slice(0, n);
      const { links } = shapeLinks("majorities-ring", ns);
      const heard = ns.map((to) =>
        ns
          .filter((from) => reach(links, from, to))
          .sort()
          .join(","),
      );
      for (const h of heard) expect(h.split(",").length).toBe(Math.floor(n / 2) + 1);
      expect(new Set(heard).size).toBe(n);
    }
  });

  it("bridge: the middle node hears both sides, the sides do not hear each other", () => {
    const { links, value } = shapeLinks("bridge", nodes);
    const middle = value.bridge as string;
    for (const x of nodes) {
      expect(reach(links, x, middle)).toBe(true);
      expect(reach(links, middle, x)).toBe(true);
    }
    const [a, b] = (value.groups as string[][]).map((g) => g.filter((x) => x !== middle));
    for (const x of a) for (const y of b) expect(reach(links, x, y)).toBe(false);
  });

  it("one-way drops only inbound links to the chosen nodes", async () => {
    let blocked: [string, string][] = [];
    const faults: FaultControl = {
      block: async (l) => {
        blocked = l;
      },
      healNetwork: async () => {
        blocked = [];
      },
    };
    const got = await partitionOneWayNemesis.inject({ faults, nodes, rng: rng("1", "t"), spec: "one" });
    const [deaf] = got.nodes;
    expect(blocked.length).toBe(4);
    for (const [from, to] of blocked) {
      expect(to).toBe(deaf);
      expect(from).not.toBe(deaf);
    }
  });

  it("the partition nemesis accepts a shape as --nemesis-target and the same seed gives the same shape", async () => {
    const mk = async () => {
      let l: [string, string][] = [];
      await partitionNemesis.inject({
        faults: {
          block: async (x) => {
            l = x;
          },
        },
        nodes,
        rng: rng("7", "n"),
        spec: "bridge",
      });
      return l;
    };
    expect(await mk()).toEqual(await mk());
  });

  it("sim runs with partition-oneway and a shape target", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fl-shapes-"));
    for (const [nemesis, nemesisTarget, f] of [
      ["partition-oneway", undefined, "partition-oneway"],
      ["partition", "majorities-ring", "partition"],
    ] as const) {
      const out = await run(
        await resolveConfig({
          target: "sim",
          mode: "linearizable",
          nemesis: [nemesis],
          nemesisTarget,
          timeLimit: 4,
          resultsDir: dir,
          nodes: 5,
        }),
      );
      expect(out.summary).toMatch(/verdict: VALID/);
      expect(out.history.filter((o) => o.process === "nemesis" && o.f === f).length).toBeGreaterThan(0);
    }
  });
});
