// `npm run bench:read` (part of `npm run bench`): reading a JSONL history and the first pass over its ops
// (pairing, which every checker starts with), in a fresh process each, against a second pass in the same
// process. The two passes should cost alike: ops whose hidden class changed after they were made (a run's
// `time` passing 2^30 ns) are migrated one by one on first access, which made the first pass 4–20× the
// second (src/history/op.ts settles the classes first). Median of 5 processes per history.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const here = import.meta.dirname;
const dir = process.env.FAULTLINE_BENCH_DIR ?? join(tmpdir(), "faultline-bench");

if (process.argv[2] === "--child") {
  const { readHistory } = await import("../../src/history/reader.ts");
  const { pairOperations } = await import("../../src/history/pairs.ts");
  let t = performance.now();
  const h = readHistory(process.argv[3]);
  const read = performance.now() - t;
  t = performance.now();
  pairOperations(h);
  const first = performance.now() - t;
  t = performance.now();
  pairOperations(h);
  const second = performance.now() - t;
  console.log(JSON.stringify({ events: h.length, read, first, second }));
  process.exit(0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log("history read and first pass — fresh process each, median of 5 (ms)");
console.log(["history".padEnd(36), "events", "   read", " 1st pass", " 2nd pass"].join(" "));
for (const name of ["register-10000-20-100-0", "register-100000-20-100-0", "chat-causal-100000-k50"]) {
  const file = join(dir, `${name}.jsonl`);
  if (!existsSync(file)) {
    console.log(`${name.padEnd(36)} (not generated yet: run npm run bench first)`);
    continue;
  }
  const rs = Array.from({ length: 5 }, () =>
    JSON.parse(
      execFileSync(process.execPath, ["--import", "tsx", join(here, "read-bench.ts"), "--child", file], {
        encoding: "utf8",
      }),
    ),
  );
  const f = (k: string) =>
    median(rs.map((r) => r[k]))
      .toFixed(1)
      .padStart(8);
  console.log(
    [name.padEnd(36), String(rs[0].events).padStart(6), f("read"), " " + f("first"), " " + f("second")].join(" "),
  );
}
