// Worker-thread side of check-thread.ts: rebuild the workload's checkers, check, post the results.
import { parentPort, workerData } from "node:worker_threads";
import { runCheckers } from "./check.ts";
import type { CheckJob } from "./check-thread.ts";
import type { Workload } from "./types.ts";

/** The workload, from its own module (workloads/<name>.ts, the registry's convention) so the thread does not
 *  load every target's client library (~0.1 s instead of ~0.6–1.2 s); the registry when that fails. */
async function loadWorkload(name: string): Promise<Workload> {
  if (/^[a-z0-9-]+$/.test(name)) {
    try {
      const mod = await import(new URL(`../../workloads/${name}.ts`, import.meta.url).href) as Record<string, unknown>;
      const w = Object.values(mod).find((x): x is Workload => typeof x === "object" && x !== null && (x as Workload).name === name && typeof (x as Workload).checkers === "function");
      if (w) return w;
    } catch { /* not laid out by convention: ask the registry */ }
  }
  return (await import("../registry.ts")).workloads[name];
}

const port = parentPort;
if (port && workerData?.role === "faultline-check") {
  const workload = loadWorkload(workerData.workload as string);
  workload.catch(() => undefined);
  port.once("message", async (job: CheckJob) => {
    try {
      const results = runCheckers(job.history, (await workload).checkers(job.options));
      // A verdict that structured cloning refuses still crosses as the JSON results.json would hold.
      try { port.postMessage({ results }); } catch { port.postMessage({ results: JSON.parse(JSON.stringify(results)) }); }
    } catch (e) {
      port.postMessage({ error: (e as Error)?.message ?? String(e) });
    }
  });
}
