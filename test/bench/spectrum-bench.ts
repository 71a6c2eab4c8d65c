// `npm run bench` (second table): the spectrum checkers — sequential consistency, causal (CC, CCv, causal
// memory), the four session guarantees, convergence, and chat's reply-without-parent — on seeded sim
// histories (partition nemesis, --rate 0, 10 clients), one row per history and checker, each history in its
// own process. The "causal graph" row is building the graph the causal and session checkers share (vector
// clocks over sessions); each checker's time is its own, except that the four session guarantees are
// computed in one pass (a read's anomaly names every guarantee it breaks): the first of them,
// read-your-writes, carries that pass and the other three only read its result. Histories are generated once and cached in
// $FAULTLINE_BENCH_DIR (default: <tmpdir>/faultline-bench); a 1M-op one takes about a minute to generate.
// Flags: --quick (10k ops only).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const quick = process.argv.includes("--quick");
const cacheDir = process.env.FAULTLINE_BENCH_DIR ?? join(tmpdir(), "faultline-bench");
mkdirSync(cacheDir, { recursive: true });
const here = import.meta.dirname;
const tsx = (script: string, argv: string[]) =>
  execFileSync(process.execPath, ["--import", "tsx", "--max-old-space-size=8192", join(here, script), ...argv], {
    encoding: "utf8",
    maxBuffer: 1 << 22,
    stdio: ["ignore", "pipe", "inherit"],
  });

// Chat runs with 50 conversations at a time (--keys 50), so a view returns a handful of messages and a 1M-op
// history stays near 330 MB; with the default 3 each view holds ~80 messages (~3 KB an op).
const cases: { workload: string; mode: string; ops: number; keys?: number }[] = [];
for (const ops of quick ? [10_000] : [10_000, 100_000, 1_000_000]) {
  for (const mode of ["sticky-session", "causal", "primary-async"])
    if (ops < 1_000_000 || mode === "causal") cases.push({ workload: "session", mode, ops });
  cases.push({ workload: "chat", mode: "causal", ops, keys: 50 });
}

console.log("\nfaultline spectrum checkers — sim histories (partition nemesis, --rate 0, 10 clients)");
const cols = ["history", "ops", "sessions", "checker", "verdict", "check-ms", "steps", "peak-RSS-MB"];
const widths = [30, 9, 9, 20, 8, 9, 10, 11];
const row = (xs: (string | number)[]) =>
  console.log(
    xs.map((x, i) => (i === 0 || i === 3 ? String(x).padEnd(widths[i]) : String(x).padStart(widths[i]))).join(" "),
  );
row(cols);
for (const c of cases) {
  const file = join(cacheDir, `${c.workload}-${c.mode}-${c.ops}${c.keys ? `-k${c.keys}` : ""}.jsonl`);
  if (!existsSync(file)) {
    const run = {
      workload: c.workload,
      mode: c.mode,
      nemesis: ["partition"],
      ops: c.ops,
      concurrency: 10,
      seed: `spectrum-${c.ops}`,
      ...(c.keys ? { keys: c.keys } : {}),
    };
    tsx("generate.ts", [file, JSON.stringify(run)]);
  }
  const label = `${c.workload} ${c.mode} ${c.ops >= 1e6 ? c.ops / 1e6 + "M" : c.ops / 1e3 + "k"}`;
  for (const line of tsx("spectrum-case.ts", [file, c.workload]).trim().split("\n")) {
    const r = JSON.parse(line);
    const verdict = r.valid === true ? "valid" : r.valid === false ? "INVALID" : r.valid === null ? "-" : "unknown";
    row([label, r.ops, r.sessions, r.checker, verdict, Math.round(r.ms), r.steps ?? "-", Math.round(r.peakRssMB)]);
  }
}
