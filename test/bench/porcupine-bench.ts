// `npm run bench:porcupine` (the last part of `npm run bench`): faultline side by side with Porcupine
// (github.com/anishathalye/porcupine, Go) on the same files, same machine, same run, runs interleaved.
//
// Porcupine is not a dependency: build a small Go driver against its source and give its path in
// $FAULTLINE_PORCUPINE_DRIVER (without it only faultline's corpus rows run). The driver's contract:
//   <driver> [-maxgb g] [-timeout s] <etcd|kv|ops> <file>...
// checks each file with CheckEventsTimeout (models as in Porcupine's porcupine_test.go: etcdModel for
// Jepsen etcd logs, kvModel for kv logs, and for `ops` files — written here from the sim histories, format in
// porcupine-format.ts — the etcd register partitioned by key as kvModel partitions) and prints one JSON line
// per file: {"file", "result": "Ok"|"Illegal"|"Unknown", "checkMs"} (parsing excluded), or {"aborted": why}
// when its heap passes -maxgb. Porcupine's test data: $FAULTLINE_PORCUPINE_DATA (a directory with jepsen/*.log
// and kv/*.txt; default the four files of test/corpus/data/porcupine).
//
// Columns: cold = the first check in a fresh process (median over runs, one process each); warm = the median of
// further checks of the same history in that process; shrink = faultline shrinking the witness of an invalid
// history, timed apart (its budget is proportional to the search: shrinkBudget). Whole-corpus rows: wall time
// of one process checking every file (`faultline check --format porcupine-etcd <dir>` against the driver
// given the same files), start-up included.
// Flags: --quick (sim rows up to 10k ops), --runs <n> (default 3), --only <substring>.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { toPorcupineOps } from "./porcupine-format.ts";
import { registerRun } from "./sim-runs.ts";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const runs = args.includes("--runs") ? Number(args[args.indexOf("--runs") + 1]) : 3;
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const here = import.meta.dirname,
  root = join(here, "../..");
const cacheDir = process.env.FAULTLINE_BENCH_DIR ?? join(tmpdir(), "faultline-bench");
const driver = process.env.FAULTLINE_PORCUPINE_DRIVER;
const data = process.env.FAULTLINE_PORCUPINE_DATA ?? join(root, "test/corpus/data/porcupine");
mkdirSync(cacheDir, { recursive: true });
const tsx = (script: string, argv: string[]) =>
  execFileSync(process.execPath, ["--import", "tsx", "--max-old-space-size=3072", join(here, script), ...argv], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
    stdio: ["ignore", "pipe", "inherit"],
  });
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : NaN;
};

const build = spawnSync(process.execPath, [join(root, "scripts/build.mjs")], { encoding: "utf8" });
if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);

interface Row {
  name: string;
  file: string;
  format: string;
  spec: object;
  kind: "etcd" | "kv" | "ops";
  reps: number;
  ops?: () => string;
}
const rows: Row[] = [];
const etcd = { name: "cas-register" },
  kv = { name: "kv", initial: "", keyed: true };
const logs = existsSync(join(data, "jepsen"))
  ? readdirSync(join(data, "jepsen"))
      .filter((f) => f.endsWith(".log"))
      .sort()
  : [];
// Per-file rows: the repository's two etcd logs and Porcupine's two hardest of its first eight (when given).
for (const f of logs.filter((f) => ["etcd_000.log", "etcd_002.log", "etcd_005.log", "etcd_007.log"].includes(f)))
  rows.push({
    name: `porcupine/jepsen/${f}`,
    file: join(data, "jepsen", f),
    format: "porcupine-etcd",
    spec: etcd,
    kind: "etcd",
    reps: 20,
  });
for (const f of existsSync(join(data, "kv"))
  ? readdirSync(join(data, "kv"))
      .filter((f) => f.endsWith(".txt"))
      .sort()
  : [])
  rows.push({
    name: `porcupine/kv/${f}`,
    file: join(data, "kv", f),
    format: "porcupine-kv",
    spec: kv,
    kind: "kv",
    reps: 20,
  });
for (const ops of quick ? [10_000] : [10_000, 100_000])
  for (const procs of [5, 20])
    for (const keys of [1, 100])
      for (const crash of [0, 1]) {
        const file = join(cacheDir, `register-${ops}-${procs}-${keys}-${crash}.jsonl`);
        if (!existsSync(file)) tsx("generate.ts", [file, JSON.stringify(registerRun(ops, procs, keys, crash))]);
        rows.push({
          name: `sim ${ops / 1000}k p${procs} k${keys}${crash ? " crash" : ""}`,
          file,
          format: "jsonl",
          spec: { name: "cas-register", keyed: true },
          kind: "ops",
          reps: ops > 10_000 ? 2 : 5,
          ops: () =>
            toPorcupineOps(
              readFileSync(file, "utf8")
                .trim()
                .split("\n")
                .map((l) => JSON.parse(l)),
            ),
        });
      }

interface Side {
  verdict: string;
  cold: number[];
  warm: number[];
  shrink: number[];
  aborted?: string;
}
const word = (v: unknown) =>
  v === true || v === "Ok" ? "valid" : v === false || v === "Illegal" ? "INVALID" : "unknown";
function faultline(r: Row, s: Side): void {
  const o = JSON.parse(
    tsx("porcupine-case.ts", [r.file, r.format, JSON.stringify(r.spec), String(r.reps)])
      .trim()
      .split("\n")
      .pop()!,
  );
  s.verdict = word(o.valid);
  s.cold.push(o.coldMs);
  if (o.warmMs !== null) s.warm.push(o.warmMs);
  if (o.shrinkMs !== null) s.shrink.push(o.shrinkMs);
}
function porcupine(r: Row, s: Side, input: string): void {
  const p = spawnSync(driver!, ["-maxgb", "4", "-timeout", "120", r.kind, ...Array(1 + r.reps).fill(input)], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  const lines = p.stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const ab = lines.find((l) => l.aborted);
  if (ab || !lines.length) {
    s.aborted = ab ? `aborted at ${ab.aborted}` : `failed (exit ${p.status}): ${p.stderr.slice(0, 80)}`;
    return;
  }
  s.verdict = word(lines[0].result);
  s.cold.push(lines[0].checkMs);
  if (lines.length > 1) s.warm.push(median(lines.slice(1).map((l) => l.checkMs)));
}

const ms = (x: number) =>
  Number.isNaN(x) ? "-" : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : x >= 10 ? `${Math.round(x)}` : x.toFixed(1);
const ratio = (f: number, p: number) => (Number.isNaN(f) || Number.isNaN(p) ? "-" : `${(f / p).toFixed(2)}×`);
console.log(
  `faultline vs Porcupine — ${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}; ${runs} runs, interleaved, medians`,
);
if (!driver)
  console.log(
    "Porcupine rows skipped: set FAULTLINE_PORCUPINE_DRIVER to a Porcupine driver (see the header of test/bench/porcupine-bench.ts)",
  );
const head = ["case", "verdict fl/pc", "fl cold", "pc cold", "fl/pc", "fl warm", "pc warm", "fl/pc", "fl shrink"];
const w = [34, 17, 9, 9, 7, 9, 9, 7, 9];
const line = (xs: string[]) => console.log(xs.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join(" "));
line(head);
if (driver)
  for (const r of rows) {
    if (only && !r.name.includes(only)) continue;
    const input = r.ops ? r.file.replace(/\.jsonl$/, ".porcupine-ops") : r.file;
    if (r.ops && !existsSync(input)) writeFileSync(input, r.ops());
    const f: Side = { verdict: "", cold: [], warm: [], shrink: [] },
      p: Side = { verdict: "", cold: [], warm: [], shrink: [] };
    for (let i = 0; i < runs; i++) {
      faultline(r, f);
      if (!p.aborted) porcupine(r, p, input);
    }
    const pc = p.aborted ?? p.verdict;
    line([
      r.name,
      `${f.verdict}/${pc.startsWith("aborted") ? "—" : pc}`,
      ms(median(f.cold)),
      p.aborted ? "—" : ms(median(p.cold)),
      // A run that aborted leaves no ratio, even when an earlier one finished.
      p.aborted ? "-" : ratio(median(f.cold), median(p.cold)),
      ms(median(f.warm)),
      p.aborted ? "—" : ms(median(p.warm)),
      p.aborted ? "-" : ratio(median(f.warm), median(p.warm)),
      f.shrink.length ? ms(median(f.shrink)) : "-",
    ]);
    if (p.aborted) console.log(`  Porcupine ${p.aborted}`);
  }

// Whole-corpus rows: many small histories, one process each side, wall time.
function wall(cmd: string, argv: string[]): { ms: number; out: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { encoding: "utf8", maxBuffer: 1 << 26 });
  return { ms: performance.now() - t0, out: r.stdout };
}
const bin = join(root, "bin/faultline.js");
function corpusRow(name: string, dir: string, files: string[]): void {
  if (only && !name.includes(only)) return;
  const f: number[] = [],
    p: number[] = [];
  let fo = "",
    po = "";
  for (let i = 0; i < Math.max(runs, 5); i++) {
    const a = wall(process.execPath, [bin, "check", "--format", "porcupine-etcd", dir]);
    f.push(a.ms);
    fo = a.out;
    if (driver) {
      const b = wall(driver, ["etcd", ...files]);
      p.push(b.ms);
      po = b.out;
    }
  }
  const fl = fo
    .trim()
    .split("\n")
    .pop()!
    .match(/(\d+) valid, (\d+) invalid/);
  const pcOk = po.split("\n").filter((l) => l.includes('"Ok"')).length,
    pcBad = po.split("\n").filter((l) => l.includes('"Illegal"')).length;
  line([
    `${name} (${files.length} files, wall)`,
    `${fl?.[1]}+${fl?.[2]}/${driver ? `${pcOk}+${pcBad}` : "—"}`,
    ms(median(f)),
    driver ? ms(median(p)) : "—",
    driver ? ratio(median(f), median(p)) : "-",
    "-",
    "-",
    "-",
    "-",
  ]);
}
if (logs.length)
  corpusRow(
    "corpus: Porcupine etcd logs",
    join(data, "jepsen"),
    logs.map((f) => join(data, "jepsen", f)),
  );
const generated = join(cacheDir, "porcupine-corpus");
if (!existsSync(join(generated, "etcd_101.log"))) tsx("porcupine-corpus.ts", [generated, "102"]);
corpusRow(
  "corpus: 102 sim etcd-style logs",
  generated,
  readdirSync(generated)
    .filter((f) => f.endsWith(".log"))
    .sort()
    .map((f) => join(generated, f)),
);
// faultline alone (Porcupine reads neither EDN nor these models): the repository's corpus, one call.
{
  const dirs = [
    "knossos/cas-register/good",
    "knossos/cas-register/bad",
    "knossos/multi-register/good",
    "knossos/mutex/bad",
    "porcupine/jepsen",
    "porcupine/kv",
  ].map((d) => join(root, "test/corpus/data", d));
  const t: number[] = [];
  let out = "";
  for (let i = 0; i < Math.max(runs, 5); i++) {
    const a = wall(process.execPath, [bin, "check", ...dirs]);
    t.push(a.ms);
    out = a.out;
  }
  const summary = out.trim().split("\n").pop()!;
  if (!only || "corpus: test/corpus/data".includes(only))
    line([
      `corpus: test/corpus/data (wall)`,
      summary
        .match(/(\d+) valid, (\d+) invalid/)
        ?.slice(1)
        .join("+") + "/—",
      ms(median(t)),
      "—",
      "-",
      "-",
      "-",
      "-",
      "-",
    ]);
}
console.log(
  "\nverdicts: valid/INVALID per checker (corpus rows: valid+invalid counts); fl/pc < 1 means faultline is faster",
);
