// The "done when" on the sim: each mode's place on the consistency spectrum, found by the checkers.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/run/runner.ts";
import { resolveConfig, type RunConfig } from "../../src/run/config.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "fl-spectrum-"));
// rate 0: each worker issues its next op as soon as the last one returns, so a read-back follows its write closely.
const simRun = async (c: Partial<RunConfig>) =>
  run(await resolveConfig({ resultsDir: tmp(), workload: "session", rate: 0, timeLimit: 2, ...c }));
const status = (out: Awaited<ReturnType<typeof simRun>>) =>
  Object.fromEntries(Object.entries(out.results.spectrum!.models).map(([m, r]) => [m, r.status]));

describe("the spectrum on sim modes (session workload)", () => {
  it("primary-async + partition: read-your-writes and linearizable violated", async () => {
    const out = await simRun({ mode: "primary-async", nemesis: ["partition"], seed: "3" });
    const s = status(out);
    expect(s["read-your-writes"]).toBe("violated");
    expect(s.linearizable).toBe("violated");
    expect(s.causal).toBe("violated");
    expect(s.PRAM).toBe("violated");
    const a = out.results.checkers["read-your-writes"].anomalies[0];
    expect(a.explanation).toMatch(
      /^session \d+ wrote k\d=\d+ at [\d.]+ s \(acknowledged at [\d.]+ s\); its read of k\d at [\d.]+ s, [\d.]+ ms after the acknowledgement, returned /,
    );
    // The anomaly's ops are the write and the read that missed it.
    const [w, , r] = a.ops.map((i) => out.history[i]);
    expect(w.f).toBe("write");
    expect(r.f).toBe("read");
    expect(w.process).toBe(r.process);
  });

  it("sticky-session + partition: sequentially consistent (so every session guarantee holds), not linearizable", async () => {
    const out = await simRun({ mode: "sticky-session", nemesis: ["partition"], seed: "1" });
    const s = status(out);
    expect(s["read-your-writes"]).toBe("held");
    expect(s["monotonic-reads"]).toBe("held");
    expect(s.linearizable).toBe("violated");
    expect(s.sequential).toBe("held");
    expect(out.results.checkers.sequential.valid).toBe(true); // searched, not implied
    expect(out.results.spectrum!.strongest).toBe("sequential + convergence");
    expect(out.results.checkers["read-your-writes"].stats!.readsAfterOwnWrite).toBeGreaterThan(100);
  });

  it("causal + partition: causal+ holds, sequential and linearizable violated", async () => {
    const out = await simRun({ mode: "causal", nemesis: ["partition"], seed: "3" });
    const s = status(out);
    expect(s.causal).toBe("held");
    expect(s["causal-convergence"]).toBe("held");
    expect(s["causal-memory"]).toBe("held");
    expect(out.results.checkers["causal-memory"].valid).toBe(true); // checked, not implied
    expect(s.PRAM).toBe("held");
    expect(s.linearizable).toBe("violated");
    expect(s.sequential).toBe("violated");
    expect(out.results.spectrum!.strongest).toMatch(/^causal-convergence \+ causal-memory/);
    // The proof: a handful of ops from several sessions that saw concurrent writes in different orders.
    const a = out.results.checkers.sequential.anomalies[0];
    expect(a.kind).toBe("not-sequential");
    expect(a.ops.length).toBeLessThanOrEqual(32);
    expect(new Set(a.ops.map((i) => out.history[i].process)).size).toBeGreaterThan(1);
  });

  it("eventual-lww + clock skew: acknowledged writes are lost", async () => {
    const out = await simRun({ mode: "eventual-lww", nemesis: ["clock"], seed: "1", timeLimit: 3 });
    const conv = out.results.checkers.convergence;
    expect(conv.anomalies.some((a) => a.kind === "lost-write")).toBe(true);
    expect(status(out).convergence).toBe("violated");
    const set = await run(
      await resolveConfig({
        resultsDir: tmp(),
        workload: "set",
        mode: "eventual-lww",
        nemesis: ["clock"],
        seed: "1",
        timeLimit: 3,
      }),
    );
    expect(set.results.checkers.set.anomalies.some((a) => a.kind === "lost-add")).toBe(true);
  });

  it("linearizable + partitions and crashes: every model holds, and the table is in the summary and results.json", async () => {
    const out = await simRun({ mode: "linearizable", nemesis: ["partition", "kill"], seed: "1" });
    const s = status(out);
    for (const m of Object.keys(s)) expect(s[m], m).toBe("held");
    expect(out.results.spectrum!.strongest).toBe("linearizable + convergence");
    expect(out.summary).toMatch(/spectrum:\n\s+linearizable\s+held/);
    const saved = JSON.parse(readFileSync(join(out.dir, "results.json"), "utf8"));
    expect(saved.spectrum.models["read-your-writes"].status).toBe("held");
  });
});

describe("the other workloads on sim", () => {
  it("chat: causal holds on causal mode; eventual-lww with message loss shows replies without their parents", async () => {
    const ok = await simRun({ workload: "chat", mode: "causal", nemesis: ["loss"], seed: "1" });
    expect(ok.results.valid).toBe(true);
    expect(ok.results.checkers.chat.stats!.views).toBeGreaterThan(500);
    const bad = await simRun({ workload: "chat", mode: "eventual-lww", nemesis: ["loss"], seed: "1", timeLimit: 3 });
    expect(bad.results.checkers.chat.anomalies[0].kind).toBe("reply-without-parent");
    expect(status(bad).causal).toBe("violated");
  });

  it("bank and counter hold their invariants on linearizable and break on eventual-lww", async () => {
    for (const workload of ["bank", "counter"]) {
      const good = await run(
        await resolveConfig({
          resultsDir: tmp(),
          workload,
          mode: "linearizable",
          nemesis: ["partition"],
          seed: "2",
          timeLimit: 3,
        }),
      );
      expect(good.results.valid, workload).toBe(true);
      const bad = await run(
        await resolveConfig({
          resultsDir: tmp(),
          workload,
          mode: "eventual-lww",
          nemesis: ["partition"],
          seed: "2",
          timeLimit: 3,
        }),
      );
      expect(bad.results.valid, workload).toBe(false);
    }
  });

  it("set: no add is lost on linearizable, and time to visibility is measured", async () => {
    const out = await run(
      await resolveConfig({
        resultsDir: tmp(),
        workload: "set",
        mode: "linearizable",
        nemesis: ["partition"],
        seed: "1",
        timeLimit: 3,
      }),
    );
    const v = out.results.checkers.set;
    expect(v.valid).toBe(true);
    expect(v.stats!.visibleAdds).toBeGreaterThan(50);
    expect(v.stats!.visibilityMsMax).toBeGreaterThan(0);
    expect(status(out).convergence).toBe("held");
  });
});
