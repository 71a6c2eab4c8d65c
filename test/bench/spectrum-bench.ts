// `npm run bench` (second table): the session workload's spectrum checkers — sequential consistency, causal
// (CC, CCv), the four session guarantees, convergence — on seeded sim histories, one row per history and
// checker. Histories come from the sim with a partition nemesis (--rate 0) in the modes that place them at
// different points of the spectrum; the run's own checkers are off, so each checker is timed alone.
// Flags: --quick (10k ops only).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { workloads } from "../../src/registry.ts";
import { resolveConfig } from "../../src/run/config.ts";
import { run } from "../../src/run/runner.ts";
import type { Op } from "../../src/history/op.ts";

const quick = process.argv.includes("--quick");
const session = workloads.session;
const checkers = session.checkers({ keys: 3 } as never).filter((c) => c.name !== "linearizable");   // its own table above
workloads.session = { ...session, checkers: () => [] };

console.log("\nfaultline spectrum checkers — session workload on the sim (partition nemesis, --rate 0)");
const cols = ["history", "ops", "sessions", "checker", "verdict", "check-ms", "steps"];
const widths = [28, 8, 9, 20, 8, 9, 10];
const row = (xs: (string | number)[]) => console.log(xs.map((x, i) => (i === 0 || i === 3 ? String(x).padEnd(widths[i]) : String(x).padStart(widths[i]))).join(" "));
row(cols);
for (const ops of quick ? [10_000] : [10_000, 28_000]) for (const mode of ["sticky-session", "causal", "primary-async"]) {
  const dir = mkdtempSync(join(tmpdir(), "fl-spectrum-bench-"));
  const out = await run(resolveConfig({ name: "bench", target: "sim", mode, workload: "session", nemesis: ["partition"], rate: 0, ops, timeLimit: 1e7, concurrency: 10, seed: `spectrum-${ops}`, resultsDir: dir }));
  const history: readonly Op[] = out.history;
  const sessions = new Set(history.map((o) => o.process).filter((p) => p !== "nemesis")).size;
  for (const c of checkers) {
    const t = performance.now();
    const v = c.check(history);
    const ms = performance.now() - t;
    const verdict = v.valid === true ? "valid" : v.valid === false ? "INVALID" : "unknown";
    row([`${mode} ${ops / 1000}k`, history.length / 2, sessions, c.name, verdict, Math.round(ms), v.stats?.steps ?? "-"]);
  }
  rmSync(dir, { recursive: true, force: true });
}
