// `npm run bench`: the linearizability checker on seeded sim histories and on the corpus.
// One row per case, fixed columns, so results can be compared between versions:
//   case  ops  procs  keys  crashed  verdict  ops/s  check-ms  shrink-ms  parse-ms  peak-RSS-MB
// ops/s and check-ms time checkLinearizable alone (pairing, partitioning, search; every anomaly); shrink-ms
// is shrinking the anomalies' witnesses, timed apart (case.ts); parse-ms is reading the file; peak RSS is
// the whole child process (history in memory included).
// Histories are generated once by the sim (linearizable mode, --rate 0; "crashed" = kill nemesis) and
// cached in $FAULTLINE_BENCH_DIR (default: <tmpdir>/faultline-bench).
// Rows ending "· n workers" check the same history with the parallel checker (parallel.ts) on n worker
// threads; their check-ms is the whole parallel check (partitioning, worker start-up, shipping, search).
// Flags: --quick (up to 10k ops), --full (every 1M combination too), --only <substring>.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { corpusCases } from "../corpus/corpus.ts";
import { FORMATS, inferModel } from "../../src/history/formats/index.ts";
import { manyKeysOneHard } from "../checkers/linearizable-histories.ts";
import { registerRun } from "./sim-runs.ts";

const args = process.argv.slice(2);
const quick = args.includes("--quick"),
  full = args.includes("--full");
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const cacheDir = process.env.FAULTLINE_BENCH_DIR ?? join(tmpdir(), "faultline-bench");
mkdirSync(cacheDir, { recursive: true });
const here = import.meta.dirname;
const tsx = (script: string, argv: string[]) =>
  execFileSync(process.execPath, ["--import", "tsx", "--max-old-space-size=3072", join(here, script), ...argv], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
    stdio: ["ignore", "pipe", "inherit"],
  });

interface Case {
  name: string;
  file: string;
  format: string;
  spec: object;
  procs: number | string;
  keys: number | string;
  generate?: object;
  write?: () => string;
  workers?: number;
}
const cases: Case[] = [];
const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000];
for (const ops of sizes)
  for (const procs of [5, 20, 100])
    for (const keys of [1, 100])
      for (const crash of [0, 1]) {
        if (ops === 1_000_000 && !full && !(procs === 20 && keys === 100)) continue;
        const name = `sim ${ops >= 1e6 ? ops / 1e6 + "M" : ops / 1e3 + "k"} p${procs} k${keys}${crash ? " crash" : ""}`;
        const file = join(cacheDir, `register-${ops}-${procs}-${keys}-${crash}.jsonl`);
        cases.push({
          name,
          file,
          format: "jsonl",
          spec: { name: "cas-register", keyed: true },
          procs,
          keys,
          generate: registerRun(ops, procs, keys, crash),
        });
        // Parallel rows: the many-key histories, with 1 and 2 worker threads.
        if (
          keys === 100 &&
          (ops === 1_000_000 || (ops === 100_000 && procs === 100) || (quick && ops === 10_000 && procs === 20))
        )
          for (const workers of [1, 2])
            cases.push({
              ...cases[cases.length - 1],
              name: `${name} · ${workers} worker${workers > 1 ? "s" : ""}`,
              workers,
            });
      }
// A search-heavy many-key history (25 processes per key): where the search, not the partitioning, dominates.
if (!quick) {
  const file = join(cacheDir, "register-100000-100-4-0.jsonl");
  const base: Case = {
    name: "sim 100k p100 k4",
    file,
    format: "jsonl",
    spec: { name: "cas-register", keyed: true },
    procs: 100,
    keys: 4,
    generate: registerRun(100_000, 100, 4, 0),
  };
  cases.push(
    base,
    { ...base, name: `${base.name} · 1 worker`, workers: 1 },
    { ...base, name: `${base.name} · 2 workers`, workers: 2 },
  );
}
// Partition scheduling: 10 keys, 2 of them undecidable within the budget (20 concurrent writes and a read of
// a value none wrote), then 8 refuted in 100 to 25k steps. The verdict must cost the cheapest refutation.
{
  const base: Case = {
    name: "10 keys, 2 undecidable",
    file: join(cacheDir, "many-keys-one-hard.jsonl"),
    format: "jsonl",
    spec: { name: "cas-register", keyed: true },
    procs: "-",
    keys: 10,
    write: () =>
      manyKeysOneHard()
        .map((o) => JSON.stringify(o))
        .join("\n") + "\n",
  };
  cases.push(base, { ...base, name: `${base.name} · 2 workers`, workers: 2 });
}
for (const c of corpusCases()) {
  if (c.ops < 500 && !c.file.includes("multi-register") && !c.file.includes("porcupine")) continue; // the bigger ones, every model
  const file = join(here, "../corpus/data", c.file);
  const history = FORMATS[c.format].parse(require_(file), file);
  cases.push({
    name: c.file,
    file,
    format: c.format,
    spec: {
      name: c.model,
      initial: c.initial,
      nilReadIsUnknown: FORMATS[c.format].nilRead === "unknown",
      keyed: inferModel(history).keyed,
    },
    procs: "-",
    keys: "-",
  });
}
function require_(f: string) {
  return execFileSync("cat", [f], { encoding: "utf8", maxBuffer: 1 << 26 });
}

const cpu = cpus()[0]?.model ?? "unknown CPU";
console.log(
  `faultline linearizability benchmark — ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, node ${process.version}`,
);
console.log("budget per case: 50M search steps, 1 GiB cache; ops/s = operations / check time\n");
const cols = [
  "case",
  "ops",
  "procs",
  "keys",
  "crashed",
  "verdict",
  "ops/s",
  "check-ms",
  "shrink-ms",
  "parse-ms",
  "peak-RSS-MB",
];
const widths = [56, 9, 6, 5, 8, 8, 11, 9, 9, 9, 11];
const row = (xs: (string | number)[]) =>
  console.log(xs.map((x, i) => (i === 0 ? String(x).padEnd(widths[i]) : String(x).padStart(widths[i]))).join(" "));
row(cols);
for (const c of cases) {
  if (only && !c.name.includes(only)) continue;
  if (c.generate && !existsSync(c.file)) tsx("generate.ts", [c.file, JSON.stringify(c.generate)]);
  if (c.write && !existsSync(c.file)) writeFileSync(c.file, c.write());
  const r = JSON.parse(
    tsx("case.ts", [c.file, c.format, JSON.stringify(c.spec), String(c.workers ?? 0)])
      .trim()
      .split("\n")
      .pop()!,
  );
  const verdict = r.valid === true ? "valid" : r.valid === false ? "INVALID" : "unknown";
  row([
    c.name,
    r.ops,
    c.procs,
    c.keys,
    r.crashed,
    verdict,
    Math.round(r.ops / (r.checkMs / 1000)),
    Math.round(r.checkMs),
    r.shrinkMs === null ? "-" : Math.round(r.shrinkMs),
    Math.round(r.parseMs),
    Math.round(r.peakRssMB),
  ]);
}
