// `npm run bench:txn` (and a table of `npm run bench`): the transactional isolation checker on seeded
// list-append histories of 10k, 100k and 1M transactions at concurrency 10 and 100, checked for strict
// serializability. The generator is a tiny strictly serializable database: each process runs transactions
// one after another, each takes effect atomically at a random instant between its invocation and completion,
// and the transactions are applied in the order of those instants. Txns: 1–4 micro-ops, half reads, over 10
// active keys (exponential choice), a key retired after 32 appends. Each row runs in its own process; the
// time is the check alone, the peak RSS is the whole process (history included).
// Flags: --quick (10k only); --one <txns> <concurrency> (one row, as JSON: used by the table).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import seedrandom from "seedrandom";
import type { Op } from "../../src/history/op.ts";
import { checkTxn } from "../../checkers/txn/index.ts";

export function listAppendHistory(txns: number, concurrency: number, seed: string): Op[] {
  const rng = seedrandom(seed);
  const activeKeys = 10,
    writesPerKey = 32;
  const keys: number[] = [],
    appended: number[] = [],
    lists = new Map<number, number[]>();
  let nextKey = 0;
  for (let i = 0; i < activeKeys; i++) {
    keys.push(nextKey);
    lists.set(nextKey, []);
    appended.push(0);
    nextKey++;
  }
  // Per process: the next transaction's invocation and effect times (ns). A heap by effect time.
  const heap: { p: number; invoke: number; at: number }[] = [];
  const up = (i: number) => {
    while (i > 0) {
      const j = (i - 1) >> 1;
      if (heap[j].at <= heap[i].at) break;
      [heap[i], heap[j]] = [heap[j], heap[i]];
      i = j;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1,
        r = l + 1;
      let m = i;
      if (l < heap.length && heap[l].at < heap[m].at) m = l;
      if (r < heap.length && heap[r].at < heap[m].at) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  const ms = () => Math.floor(rng() * 2e6) + 1; // up to 2 ms
  for (let p = 0; p < concurrency; p++) {
    const invoke = Math.floor(rng() * 1e6);
    heap.push({ p, invoke, at: invoke + ms() });
    up(heap.length - 1);
  }
  const events: { time: number; op: Omit<Op, "index"> }[] = [];
  for (let n = 0; n < txns; n++) {
    const { p, invoke, at } = heap[0];
    const len = 1 + Math.floor(rng() * 4);
    const inv: unknown[] = [],
      done: unknown[] = [];
    for (let i = 0; i < len; i++) {
      const slot = Math.min(activeKeys - 1, Math.floor(-Math.log(1 - rng()) * 2.5));
      const k = keys[slot];
      const list = lists.get(k)!;
      if (rng() < 0.5) {
        inv.push(["r", k, null]);
        done.push(["r", k, list.slice()]);
      } else {
        const v = list.length + 1;
        list.push(v);
        const m = ["append", k, v];
        inv.push(m);
        done.push(m);
        if (++appended[slot] >= writesPerKey) {
          keys[slot] = nextKey;
          lists.set(nextKey, []);
          appended[slot] = 0;
          nextKey++;
        }
      }
    }
    const complete = at + ms();
    events.push({ time: invoke, op: { time: invoke, process: p, type: "invoke", f: "txn", value: inv } });
    events.push({ time: complete, op: { time: complete, process: p, type: "ok", f: "txn", value: done } });
    const next = complete + Math.floor(rng() * 1e5) + 1;
    heap[0] = { p, invoke: next, at: next + ms() };
    down(0);
  }
  events.sort((a, b) => a.time - b.time);
  return events.map((e, index) => ({ index, ...e.op }) as Op);
}

function one(txns: number, concurrency: number): void {
  const history = listAppendHistory(txns, concurrency, `txn-bench-${txns}-${concurrency}`);
  const t0 = performance.now(),
    c0 = process.cpuUsage();
  const v = checkTxn(history, { workload: "list-append", consistencyModels: ["strict-serializable"] });
  const ms = performance.now() - t0,
    cpu = process.cpuUsage(c0);
  console.log(
    JSON.stringify({
      txns,
      concurrency,
      valid: v.valid,
      ms,
      cpuMs: (cpu.user + cpu.system) / 1000,
      edges: v.stats?.edges,
      strongest: v.isolation.strongest,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

const main = import.meta.url === pathToFileURL(process.argv[1] ?? "").href;
const i = process.argv.indexOf("--one");
if (!main) {
  /* imported by a test: the generator only */
} else if (i >= 0) one(Number(process.argv[i + 1]), Number(process.argv[i + 2]));
else {
  const quick = process.argv.includes("--quick");
  console.log("\nfaultline isolation checker — list-append, strict serializable histories (seeded generator)");
  const widths = [10, 12, 8, 9, 9, 11, 12, 22];
  const row = (xs: (string | number)[]) => console.log(xs.map((x, j) => String(x).padStart(widths[j])).join(" "));
  // check-ms is wall time; cpu-ms the process's CPU time over the check (includes GC threads), steadier on a busy machine.
  row(["txns", "concurrency", "verdict", "check-ms", "cpu-ms", "edges", "peak-RSS-MB", "strongest"]);
  for (const n of quick ? [10_000] : [10_000, 100_000, 1_000_000])
    for (const c of [10, 100]) {
      const out = execFileSync(
        process.execPath,
        [
          "--import",
          "tsx",
          "--max-old-space-size=8192",
          join(import.meta.dirname, "txn-bench.ts"),
          "--one",
          String(n),
          String(c),
        ],
        { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
      );
      const r = JSON.parse(out.trim().split("\n").at(-1)!);
      row([
        r.txns,
        r.concurrency,
        r.valid === true ? "valid" : r.valid === false ? "INVALID" : "unknown",
        Math.round(r.ms),
        Math.round(r.cpuMs),
        r.edges,
        Math.round(r.peakRssMB),
        r.strongest,
      ]);
    }
}
