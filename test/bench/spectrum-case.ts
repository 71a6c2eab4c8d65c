// Child process: times the causal graph and each of a workload's checkers (all but linearizable, which has
// its own table) on one history file, one JSON line each: checker, verdict, check-ms, steps, peak RSS so far.
// Usage: tsx test/bench/spectrum-case.ts <history.jsonl> <session|chat>
import { readHistory } from "../../src/history/reader.ts";
import { workloads } from "../../src/registry.ts";
import { graphFor } from "../../checkers/causal/index.ts";
import { registerAdapter } from "../../checkers/session/index.ts";
import { chatAdapter } from "../../checkers/chat/index.ts";

const [file, workload] = process.argv.slice(2);
const history = readHistory(file);
const ops = history.filter((o) => o.type === "invoke").length;
const sessions = new Set(history.map((o) => o.process).filter((p) => p !== "nemesis")).size;
const line = (checker: string, valid: unknown, ms: number, steps: unknown = null) =>
  console.log(
    JSON.stringify({ checker, valid, ms, ops, sessions, steps, peakRssMB: process.resourceUsage().maxRSS / 1024 }),
  );

// The graph is built once per history and shared (graphFor caches it): time it on its own.
const t0 = performance.now();
const g = graphFor(history, workload === "chat" ? chatAdapter : registerAdapter);
line("causal graph", g.problem ? "unknown" : null, performance.now() - t0);
for (const c of (await workloads[workload]()).checkers({ keys: 3 } as never)) {
  if (c.name === "linearizable") continue;
  const t = performance.now();
  const v = c.check(history);
  line(c.name, v.valid, performance.now() - t, v.stats?.steps ?? null);
}
