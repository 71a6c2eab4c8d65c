// `npm run bench:cli` (part of `npm run bench`): what a user waits for at the command line, through the
// compiled bin/faultline.js (built first): `faultline --version`, `faultline check` of one 100-operation history,
// and one `faultline check <dir>` call over a corpus of 100 small histories. Wall time of the whole process,
// median of several runs. Histories: seeded sim runs (register workload, partitions; half of them on
// primary-async, so some are invalid), cached in $FAULTLINE_BENCH_DIR (default: <tmpdir>/faultline-bench).
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { workloads } from "../../src/registry.ts";
import { resolveConfig } from "../../src/run/config.ts";
import { run } from "../../src/run/runner.ts";

const root = join(import.meta.dirname, "../..");
const bin = join(root, "bin/faultline.js");
const cacheDir = join(process.env.FAULTLINE_BENCH_DIR ?? join(tmpdir(), "faultline-bench"), "cli");
const CORPUS = 100,
  OPS = 100;

const build = spawnSync(process.execPath, [join(root, "scripts/build.mjs")], { encoding: "utf8" });
if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);

// Histories without their checkers run (the benchmark times the CLI's check).
const register = await workloads.register();
workloads.register = async () => ({ ...register, checkers: () => [] });
async function simHistory(out: string, mode: string, seed: string): Promise<void> {
  if (existsSync(out)) return;
  const dir = mkdtempSync(join(cacheDir, "gen-"));
  const o = await run(
    await resolveConfig({
      name: "bench",
      target: "sim",
      mode,
      nemesis: ["partition"],
      ops: OPS,
      rate: 0,
      timeLimit: 1e7,
      seed,
      resultsDir: dir,
    }),
  );
  copyFileSync(join(o.dir, "history.jsonl"), out);
  rmSync(dir, { recursive: true, force: true });
}
mkdirSync(join(cacheDir, "corpus"), { recursive: true });
const one = join(cacheDir, `one-${OPS}.jsonl`);
await simHistory(one, "linearizable", "cli-bench");
for (let i = 0; i < CORPUS; i++)
  await simHistory(
    join(cacheDir, "corpus", `h${String(i).padStart(3, "0")}.jsonl`),
    i % 2 ? "primary-async" : "linearizable",
    `corpus-${i}`,
  );
const corpusFiles = readdirSync(join(cacheDir, "corpus")).filter((f) => f.endsWith(".jsonl")).length;

function wall(args: string[], runs: number): { ms: number; exit: number | null; out: string } {
  const times: number[] = [];
  let last = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], exit: last.status, out: last.stdout };
}

console.log(
  `faultline CLI start-up benchmark — ${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, node ${process.version}; wall time of the process, median\n`,
);
const rows: [string, string, string, string][] = [];
const v = wall(["--version"], 7);
rows.push(["faultline --version", "-", `${Math.round(v.ms)}`, `exit ${v.exit}, prints ${v.out.trim()}`]);
const c = wall(["check", one], 7);
rows.push([
  `faultline check (1 history, ${OPS} ops)`,
  "1",
  `${Math.round(c.ms)}`,
  `exit ${c.exit}, ${c.out.split("\n")[0]}`,
]);
const c0 = wall(["check", "--workers", "0", one], 7);
rows.push([
  `faultline check --workers 0 (1 history, ${OPS} ops)`,
  "1",
  `${Math.round(c0.ms)}`,
  `exit ${c0.exit}, ${c0.out.split("\n")[0]}`,
]);
for (const workers of [undefined, "0"]) {
  const r = wall(["check", ...(workers ? ["--workers", workers] : []), join(cacheDir, "corpus")], 3);
  const summary = r.out.trim().split("\n").pop() ?? "";
  rows.push([
    `faultline check <dir>${workers ? " --workers 0" : ""} (corpus, ${OPS} ops each)`,
    `${corpusFiles}`,
    `${Math.round(r.ms)}`,
    summary,
  ]);
}
const w = [52, 10, 8];
console.log(["case".padEnd(w[0]), "histories".padStart(w[1]), "wall-ms".padStart(w[2]), " result"].join(" "));
for (const r of rows) console.log([r[0].padEnd(w[0]), r[1].padStart(w[1]), r[2].padStart(w[2]), " " + r[3]].join(" "));
