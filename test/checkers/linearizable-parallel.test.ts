// The parallel linearizability checker (checkers/linearizable/parallel.ts): the same verdicts (and, with
// allAnomalies, the same anomalies) as the synchronous checker on the corpus and on sim histories; the first
// invalid key cancels the rest; a wall-clock budget and a memory budget end in "unknown" with what was
// explored, never a hang or a crash; and `faultline check --workers/--timeout/--memory`.
import { execa } from "execa";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkLinearizable } from "../../checkers/linearizable/index.ts";
import type { ModelOp } from "../../checkers/linearizable/model.ts";
import { createModel, type ModelSpec } from "../../checkers/linearizable/models/index.ts";
import { checkLinearizableParallel, LinearizablePool, OpInterner } from "../../checkers/linearizable/parallel.ts";
import { demotedHistory } from "../../checkers/linearizable/witness.ts";
import type { Verdict } from "../../checkers/types.ts";
import { FORMATS, inferModel } from "../../src/history/formats/index.ts";
import type { Op } from "../../src/history/op.ts";
import { parseHistory } from "../../src/history/reader.ts";
import { workloads } from "../../src/registry.ts";
import { runCheckersAsync } from "../../src/run/check.ts";
import { resolveConfig } from "../../src/run/config.ts";
import { run } from "../../src/run/runner.ts";
import { CORPUS, corpusCases } from "../corpus/corpus.ts";
import { historyBuilder } from "../helpers.ts";
import { addHardKey, hardAndBad } from "./linearizable-histories.ts";

const CLI = join(import.meta.dirname, "../../bin/faultline.js");
const REGISTER: ModelSpec = { name: "cas-register", keyed: true };
const tmp = () => mkdtempSync(join(tmpdir(), "fl-par-"));

/** A sim history (register workload, sim target), generated without running its checkers. */
async function simHistory(o: {
  mode: string;
  seed: string;
  concurrency?: number;
  keys?: number;
  ops?: number;
  nemesis?: string[];
  timeLimit?: number;
}): Promise<Op[]> {
  const saved = workloads.register;
  const original = await saved();
  workloads.register = async () => ({ ...original, checkers: () => [] });
  try {
    const out = await run(
      await resolveConfig({
        resultsDir: tmp(),
        target: "sim",
        workload: "register",
        mode: o.mode,
        seed: o.seed,
        nemesis: o.nemesis ?? ["partition"],
        concurrency: o.concurrency,
        keys: o.keys,
        ops: o.ops,
        timeLimit: o.timeLimit ?? (o.ops ? 1e7 : 3),
        rate: o.ops ? 0 : undefined,
      }),
    );
    return parseHistory(readFileSync(join(out.dir, "history.jsonl"), "utf8"));
  } finally {
    workloads.register = saved;
  }
}

/** Every `every`-th acknowledged write demoted to a crash (its completion dropped, the process retired). */
function crashWrites(h: Op[], every: number): Op[] {
  const keep = new Set<number>();
  const open = new Map<number, Op>();
  let k = 0;
  for (const o of h) {
    if (o.process === "nemesis") continue;
    if (o.type === "invoke") {
      open.set(o.process, o);
      continue;
    }
    const inv = open.get(o.process)!;
    if (!(o.type === "ok" && o.f === "write" && ++k % every === 0)) keep.add(inv.index);
  }
  return demotedHistory(h, keep).map((o, i) => ({ ...o, index: i }));
}

/** Histories one after the other (indexes and processes shifted; each key's ops stay as they were). */
function concat(...hs: Op[][]): Op[] {
  const out: Op[] = [];
  let procBase = 0;
  for (const h of hs) {
    let maxProc = 0;
    for (const o of h) {
      const process = o.process === "nemesis" ? o.process : o.process + procBase;
      if (typeof o.process === "number") maxProc = Math.max(maxProc, o.process + 1);
      out.push({ ...o, index: out.length, process });
    }
    procBase += maxProc;
  }
  return out;
}

const renameKey = (h: Op[], from: string, to: string): Op[] =>
  h.map((o) => (Array.isArray(o.value) && o.value[0] === from ? { ...o, value: [to, o.value[1]] } : o));

const sameVerdict = (par: Verdict, sync: Verdict) => {
  expect(par.valid).toBe(sync.valid);
  expect(par.anomalies).toEqual(sync.anomalies);
  expect(par.reason).toBe(sync.reason);
  expect(par.stats?.steps).toBe(sync.stats?.steps);
};

let pool: LinearizablePool;
/** One key, 100 concurrent processes, a fifth of the acknowledged writes crashed: tens of millions of
 *  search steps and millions of cached configurations (about 13 s on 2 shared cores), linearizable. */
let pathological: Op[];

beforeAll(async () => {
  pool = new LinearizablePool({ workers: 2 });
  pathological = crashWrites(
    await simHistory({
      mode: "linearizable",
      seed: "bench-1000-100-1-0",
      concurrency: 100,
      keys: 1,
      ops: 1000,
      nemesis: [],
    }),
    5,
  );
});
afterAll(async () => {
  await pool?.close();
});

describe("same verdicts as the synchronous checker", () => {
  const cases = corpusCases();
  it(`on the corpus (${cases.length} histories, valid and invalid), every anomaly identical with allAnomalies`, async () => {
    let invalid = 0;
    for (const c of cases) {
      const fmt = FORMATS[c.format];
      const file = join(CORPUS, c.file);
      const history = fmt.parse(readFileSync(file, "utf8"), file);
      const spec: ModelSpec = {
        name: c.model,
        initial: c.initial,
        nilReadIsUnknown: fmt.nilRead === "unknown",
        keyed: inferModel(history).keyed,
      };
      const sync = checkLinearizable(history, { model: createModel(spec), allAnomalies: true, shrinkSteps: 2_000_000 });
      const par = await pool.check(history, { spec, allAnomalies: true, shrinkSteps: 2_000_000 });
      expect(par.valid, c.file).toBe(c.expected);
      sameVerdict(par, sync);
      if (!c.expected) invalid++;
    }
    expect(invalid).toBe(10);
  });

  it("on sim histories: linearizable mode valid, primary-async invalid (every key's anomaly, in key order)", async () => {
    const good = await simHistory({ mode: "linearizable", seed: "3", keys: 8, concurrency: 10 });
    const bad = await simHistory({ mode: "primary-async", seed: "7", keys: 8, concurrency: 10 });
    const model = createModel(REGISTER);
    const syncGood = checkLinearizable(good, { model, allAnomalies: true });
    const syncBad = checkLinearizable(bad, { model, allAnomalies: true });
    expect(syncGood.valid).toBe(true);
    expect(syncBad.valid).toBe(false);
    expect(syncBad.anomalies.length).toBeGreaterThan(1);
    sameVerdict(await pool.check(good, { spec: REGISTER, allAnomalies: true }), syncGood);
    sameVerdict(await pool.check(bad, { spec: REGISTER, allAnomalies: true }), syncBad);
    // Without allAnomalies: invalid, with one of the same anomalies.
    const first = await pool.check(bad, { spec: REGISTER });
    expect(first.valid).toBe(false);
    expect(first.anomalies).toHaveLength(1);
    expect(syncBad.anomalies).toContainEqual(first.anomalies[0]);
    // workers: 0 is the synchronous checker itself.
    sameVerdict(await checkLinearizableParallel(bad, { spec: REGISTER, allAnomalies: true, workers: 0 }), syncBad);
    // A private pool (started and closed by the call) gives the same.
    sameVerdict(await checkLinearizableParallel(bad, { spec: REGISTER, allAnomalies: true, workers: 2 }), syncBad);
  });

  it("an empty history and a history without client ops are valid", async () => {
    expect((await pool.check([], { spec: REGISTER })).valid).toBe(true);
    const h = historyBuilder();
    h.info("nemesis", "partition", { nodes: ["n1"] });
    expect((await pool.check(h.ops, { spec: REGISTER })).valid).toBe(true);
  });
});

describe("cancellation and budgets", () => {
  /** Key "bad" is invalid at once; key "k0" is the pathological one. */
  const mixed = () => {
    const b = historyBuilder();
    b.invoke(0, "write", ["bad", 1]);
    b.ok(0, "write", ["bad", 1]);
    b.invoke(0, "read", ["bad", null]);
    b.ok(0, "read", ["bad", 2]);
    return concat(pathological, b.ops);
  };

  it("the first invalid key cancels the others: invalid at once, the pathological key unchecked", async () => {
    const v = await pool.check(mixed(), { spec: REGISTER, timeoutMs: 60_000 });
    expect(v.valid).toBe(false);
    expect(v.anomalies).toHaveLength(1);
    expect(v.anomalies[0].key).toBe("bad");
    expect(v.stats).toMatchObject({ partitions: 2, checked: 1, unchecked: 1 });
    // The cancelled worker was replaced: the pool still checks.
    expect(
      (
        await pool.check(
          mixed()
            .slice(-4)
            .map((o, index) => ({ ...o, index })),
          { spec: REGISTER },
        )
      ).valid,
    ).toBe(false);
  });

  it("one key undecidable within the step budget, another refuted cheaply: invalid, naming the undecided key", async () => {
    const ops = hardAndBad();
    for (const allAnomalies of [false, true]) {
      const v = await pool.check(ops, { spec: REGISTER, maxSteps: 200_000, allAnomalies });
      expect(v.valid).toBe(false);
      expect(v.anomalies.map((a) => a.key)).toEqual(["bad"]);
      expect(v.undecided).toEqual(["hard"]);
      expect(v.stats).toMatchObject({ partitions: 2, checked: 1, unchecked: 1, undecided: 1 });
      expect(v.stats!.steps).toBeLessThanOrEqual(200_000);
    }
    // On one worker too: the hard key's search pauses there while the other key is searched.
    const one = await checkLinearizableParallel(ops, {
      spec: REGISTER,
      workers: 1,
      maxSteps: 200_000,
      allAnomalies: true,
    });
    expect(one.valid).toBe(false);
    expect(one.undecided).toEqual(["hard"]);
  });

  it("timeout: unknown, naming the keys checked and not, in about the time given", async () => {
    const easy = renameKey(
      await simHistory({ mode: "linearizable", seed: "4", keys: 3, concurrency: 5, timeLimit: 1 }),
      "k0",
      "e0",
    );
    // Warm the workers first (an earlier test's cancellation replaced them): on a loaded machine a cold worker
    // thread can take longer to start than the 1.5 s budget, which is not what this test is about.
    await pool.check(easy, { spec: REGISTER });
    const t0 = performance.now();
    const v = await pool.check(concat(pathological, easy), { spec: REGISTER, timeoutMs: 1500 });
    const took = performance.now() - t0;
    expect(v.valid).toBe("unknown");
    expect(v.reason).toMatch(
      /^time budget of 1\.5 s exhausted: 3 of 4 keys checked \("(e0|k1|k2)", "(e0|k1|k2)", "(e0|k1|k2)"\), 1 not \("k0"\)$/,
    );
    expect(v.stats).toMatchObject({ partitions: 4, checked: 3, unchecked: 1 });
    expect(took).toBeLessThan(30_000); // ended by the budget, not by the search (~13 s here)
    // With allAnomalies an anomaly found before the time ran out still makes it invalid.
    await pool.check(easy, { spec: REGISTER });
    const w = await pool.check(mixed(), { spec: REGISTER, allAnomalies: true, timeoutMs: 1500 });
    expect(w.valid).toBe(false);
    expect(w.anomalies.map((a) => a.key)).toEqual(["bad"]);
    // Whichever ends first — the time budget or the bounded budget the other keys get once the history is
    // known to be invalid — the verdict names "k0" as not decided.
    expect(w.reason).toMatch(
      /time budget of 1\.5 s exhausted: 1 of 2 keys checked \("bad"\), 1 not \("k0"\)|1 key not decided \(.*\): "k0"/,
    );
  });

  it("memory budget: the search's estimate gives unknown with the configurations explored", async () => {
    const v = await checkLinearizableParallel(pathological, {
      spec: REGISTER,
      workers: 1,
      memoryMb: 64,
      timeoutMs: 60_000,
    });
    expect(v.valid).toBe("unknown");
    expect(v.reason).toMatch(/^key "k0": memory budget exhausted after \d+ cached configurations \(~\d+ MB\)$/);
    expect(v.stats?.maxCacheEntries).toBeGreaterThan(1000);
  });

  it("memory limit: a worker that runs out of heap makes its key unknown, not the process crash; the other keys are still checked", async () => {
    // Set states live on the heap (the search's cache is typed arrays off it): 40 crashed adds and a read of
    // an element never added make the search visit subset after subset of the adds, each a new state.
    const SET = { name: "set", keyed: true };
    const b = historyBuilder();
    for (let p = 0; p < 40; p++) b.invoke(p, "add", ["k0", p]);
    b.invoke(100, "read", ["k0", null]);
    b.ok(100, "read", ["k0", [999]]);
    for (let p = 0; p < 40; p++) b.info(p, "add", ["k0", p]);
    const sets = b.ops;
    const bad = historyBuilder();
    bad.invoke(0, "add", ["bad", 1]);
    bad.ok(0, "add", ["bad", 1]);
    bad.invoke(0, "read", ["bad", null]);
    bad.ok(0, "read", ["bad", [2]]);
    // A 32 MB heap and the search's own estimate switched off (8 GiB): only the heap limit stops it.
    const v = await checkLinearizableParallel(concat(sets, bad.ops), {
      spec: SET,
      workers: 1,
      memoryMb: 32,
      maxCacheBytes: 8 * 2 ** 30,
      allAnomalies: true,
      timeoutMs: 60_000,
    });
    expect(v.valid).toBe(false); // key "bad", checked on a fresh worker after the first one died
    expect(v.anomalies.map((a) => a.key)).toEqual(["bad"]);
    const u = await checkLinearizableParallel(sets, {
      spec: SET,
      workers: 1,
      memoryMb: 32,
      maxCacheBytes: 8 * 2 ** 30,
      timeoutMs: 60_000,
    });
    expect(u.valid).toBe("unknown");
    expect(u.reason).toBe(`key "k0": the worker ran out of memory (heap limit 32 MB) during the search`);
    expect(u.stats).toMatchObject({ checked: 1, unchecked: 0 });
  }, 180_000); // filling a 32 MB heap took 40–52 s on the shared 2 cores

  it("a model that throws rejects the check (runCheckersAsync turns it into unknown)", async () => {
    await expect(pool.check([], { spec: { name: "no-such-model" } })).rejects.toThrow(/unknown model/);
    const r = await runCheckersAsync(
      [],
      [
        {
          name: "linearizable",
          check: () => {
            throw new Error("sync");
          },
          checkAsync: () => checkLinearizableParallel([], { spec: { name: "no-such-model" }, workers: 1 }),
        },
      ],
    );
    expect(r.valid).toBe("unknown");
    expect(r.checkers.linearizable.reason).toMatch(/^checker failed: unknown model/);
  });
});

describe("runCheckersAsync", () => {
  it("uses checkAsync with the budget where a checker has one, check otherwise", async () => {
    const seen: unknown[] = [];
    const r = await runCheckersAsync(
      [],
      [
        { name: "a", check: () => ({ checker: "a", valid: true, anomalies: [] }) },
        {
          name: "b",
          check: () => ({ checker: "b", valid: true, anomalies: [] }),
          checkAsync: async (_h, budget) => {
            seen.push(budget);
            return { checker: "b", valid: false, anomalies: [] };
          },
        },
      ],
      { workers: 3, timeoutMs: 5 },
    );
    expect(r.checkers.a.valid).toBe(true);
    expect(r.checkers.b.valid).toBe(false);
    expect(r.valid).toBe(false);
    expect(seen).toEqual([{ workers: 3, timeoutMs: 5 }]);
  });
});

describe("OpInterner: equal model ops share a code, different ones never do", () => {
  it("distinguishes types, values and shapes", () => {
    const table: ModelOp[] = [];
    const it = new OpInterner();
    const op = (f: string, input: unknown, output: unknown, type: ModelOp["type"] = "ok"): ModelOp => ({
      f,
      input,
      output,
      type,
    });
    const ops = [
      op("write", 1, 1),
      op("write", "1", "1"),
      op("write", null, null),
      op("write", null, undefined, "info"),
      op("write", undefined, undefined, "info"),
      op("cas", [1, 2], [1, 2]),
      op("cas", [1, 2], [1, 2], "fail"),
      op("cas", [12], [12]),
      op("cas", [1, [2]], [1, [2]]),
      op("read", null, 1),
      op("read", null, true),
      op("read", null, "a|b"),
      op("read", null, ["a", "b"]),
      op("read", null, ["a|b"]),
    ];
    const codes = ops.map((o) => it.code(o, table));
    expect(new Set(codes).size).toBe(ops.length);
    expect(
      ops.map((o) => it.code({ ...o, input: structuredClone(o.input), output: structuredClone(o.output) }, table)),
    ).toEqual(codes);
    // Objects are never shared (each gets its own code).
    const a = it.code(op("txn", { x: 1 }, { x: 1 }), table),
      b = it.code(op("txn", { x: 1 }, { x: 1 }), table);
    expect(a).not.toBe(b);
  });
});

describe("faultline check --workers / --timeout / --memory", () => {
  it("the --format path: the same verdict and anomalies with 2 workers and with 0", async () => {
    const file = join(CORPUS, "knossos/cas-register/bad/cas-failure.edn");
    const args = ["check", "--format", "jepsen-edn", "--initial", "0", file, "--json"];
    const par = await execa("node", [CLI, ...args, "--workers", "2"], { reject: false });
    const seq = await execa("node", [CLI, ...args, "--workers", "0"], { reject: false });
    expect(par.exitCode).toBe(1);
    expect(seq.exitCode).toBe(1);
    const a = JSON.parse(par.stdout).checkers.linearizable,
      b = JSON.parse(seq.stdout).checkers.linearizable;
    expect(a.anomalies).toEqual(b.anomalies);
    expect(a.stats.workers).toBe(1); // one key: one worker
  });

  it("the default workload path: --timeout on the pathological history is unknown (exit 2); a run dir's verdict is kept", async () => {
    const dir = tmp();
    const file = join(dir, "history.jsonl");
    writeFileSync(file, pathological.map((o) => JSON.stringify(o)).join("\n") + "\n");
    const r = await execa("node", [CLI, "check", file, "--timeout", "1", "--workers", "2"], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toContain(
      `linearizable: UNKNOWN — time budget of 1 s exhausted: 0 of 1 keys checked, 1 not ("k0")`,
    );
    const bad = await execa(
      "node",
      [CLI, "run", "--mode", "primary-async", "--seed", "7", "--time-limit", "2", "--results", dir],
      { reject: false },
    );
    expect(bad.exitCode).toBe(1);
    const runDir = join(dir, "sim-primary-async-register", "latest");
    const checked = await execa("node", [CLI, "check", runDir, "--workers", "2", "--json"], { reject: false });
    expect(checked.exitCode).toBe(1);
    const stored = JSON.parse(readFileSync(join(runDir, "results.json"), "utf8"));
    expect(JSON.parse(checked.stdout).checkers.linearizable.anomalies).toEqual(stored.checkers.linearizable.anomalies);
  });

  it("exits (code 2) when a key exhausts a worker's memory budget, with every worker terminated", async () => {
    // One key whose search outgrows a worker's cache budget (4 MB of a 16 MB heap), in a history long enough
    // (nemesis events) that both workers are started before partitioning: one of them is never used.
    const b = historyBuilder();
    addHardKey(b, "h1", 16, 0);
    for (let i = 0; i < 20_000; i++) b.info("nemesis", "partition", { nodes: ["n1"] });
    const file = join(tmp(), "history.jsonl");
    writeFileSync(file, b.ops.map((o) => JSON.stringify(o)).join("\n") + "\n");
    const r = await execa("node", [CLI, "check", file, "--workers", "2", "--memory", "32"], {
      reject: false,
      timeout: 60_000,
    });
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(
      /linearizable: UNKNOWN — key "h1": memory budget exhausted after \d+ cached configurations/,
    );
  });

  it("rejects bad budgets (exit 3)", async () => {
    for (const bad of [
      ["--workers", "-1"],
      ["--workers", "1.5"],
      ["--timeout", "0"],
      ["--memory", "8"],
      ["--workers", "0", "--timeout", "5"],
    ]) {
      const r = await execa(
        "node",
        [CLI, "check", join(CORPUS, "porcupine/jepsen/etcd_005.log"), "--format", "porcupine-etcd", ...bad],
        { reject: false },
      );
      expect(r.exitCode, bad.join(" ")).toBe(3);
    }
  });
});
