// The shrunk witness: it must be a proof (the history with every other op demoted is not linearizable,
// and the witness alone is not), 1-minimal (demoting any one of its ops as well makes it linearizable),
// and small (≤ 10 ops) on typical anomalies.
import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkLinearizable } from "../../checkers/linearizable/index.ts";
import { demotedHistory } from "../../checkers/linearizable/witness.ts";
import { casRegister } from "../../checkers/linearizable/models/cas-register.ts";
import { keyed } from "../../checkers/linearizable/models/keyed.ts";
import type { Model } from "../../checkers/linearizable/model.ts";
import type { Op } from "../../src/history/op.ts";
import { parseHistory } from "../../src/history/reader.ts";
import { historyBuilder } from "../helpers.ts";
import { corpusCases, loadCase } from "../corpus/corpus.ts";

interface Witness {
  ops: number[];
  operations: { index: number; complete: number | null }[];
  minimal: boolean;
}

function assertWitness(history: Op[], model: Model, w: Witness) {
  const keep = new Set(w.operations.map((o) => o.index));
  const check = (h: Op[]) => checkLinearizable(h, { model, shrink: false }).valid;
  expect(check(demotedHistory(history, keep))).toBe(false); // a proof...
  const alone = history.filter((o) => w.ops.includes(o.index));
  expect(check(alone)).toBe(false); // ...and invalid on its own
  for (const o of w.operations) {
    // 1-minimal
    const fewer = new Set(keep);
    fewer.delete(o.index);
    expect(check(demotedHistory(history, fewer)), `without op ${o.index}`).toBe(true);
  }
}

describe("shrunk witnesses", () => {
  it("a stale read in a long history shrinks to the write, the overwrite and the read", () => {
    const h = historyBuilder();
    for (let i = 0; i < 200; i++) {
      h.invoke(i % 5, "write", i % 4);
      h.ok(i % 5, "write", i % 4);
      h.invoke(9, "read", null);
      h.ok(9, "read", i % 4);
    }
    h.invoke(1, "write", 7);
    h.ok(1, "write", 7);
    h.invoke(2, "write", 8);
    h.ok(2, "write", 8);
    h.invoke(3, "read", null);
    h.ok(3, "read", 7); // stale: 8 was written after 7 and completed
    for (let i = 0; i < 50; i++) {
      h.invoke(4, "read", null);
      h.ok(4, "read", 8);
    }
    const model = casRegister({ initial: 0 });
    const v = checkLinearizable(h.ops, { model });
    expect(v.valid).toBe(false);
    const w = (v.anomalies[0].details as { witness: Witness }).witness;
    expect(w.minimal).toBe(true);
    expect(w.operations).toHaveLength(3);
    assertWitness(h.ops, model, w);
    expect(v.anomalies[0].explanation).toContain("write 7");
  });

  it("sim primary-async anomalies shrink to at most 10 ops, each a 1-minimal proof", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fl-witness-"));
    const r = await execa(
      "node",
      [
        join(import.meta.dirname, "../../bin/faultline.js"),
        "run",
        "--mode",
        "primary-async",
        "--nemesis",
        "partition",
        "--seed",
        "7",
        "--results",
        dir,
      ],
      { reject: false },
    );
    expect(r.exitCode).toBe(1);
    const history = parseHistory(
      readFileSync(join(dir, "sim-primary-async-register", "latest", "history.jsonl"), "utf8"),
    );
    const model = keyed(casRegister());
    const v = checkLinearizable(history, { model, allAnomalies: true });
    expect(v.valid).toBe(false);
    expect(v.anomalies.length).toBeGreaterThan(0);
    for (const a of v.anomalies) {
      const w = (a.details as { witness: Witness }).witness;
      expect(w.minimal).toBe(true);
      expect(w.operations.length).toBeLessThanOrEqual(10);
      const keyOps = history.filter((o) => o.process === "nemesis" || (Array.isArray(o.value) && o.value[0] === a.key));
      assertWitness(keyOps, model, w);
    }
  }, 60_000);

  it("corpus failures: every minimal witness is a 1-minimal proof", () => {
    for (const c of corpusCases().filter((x) => !x.expected)) {
      const { history, model } = loadCase(c);
      const v = checkLinearizable(history, { model });
      const w = (v.anomalies[0].details as { witness: Witness }).witness;
      if (!w.minimal || w.operations.length > 40) continue;
      assertWitness(history, model, w);
    }
  });
});
