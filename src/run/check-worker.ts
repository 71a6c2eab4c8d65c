// Worker-thread side of check-thread.ts: rebuild the workload's checkers, check, post the results.
import { parentPort, workerData } from "node:worker_threads";
import { runCheckers } from "./check.ts";
import type { CheckJob } from "./check-thread.ts";
import type { Workload } from "./types.ts";

/** The workload, through the registry (which loads only that workload's module, not every target's client). */
async function loadWorkload(name: string): Promise<Workload> {
  const { lookup, workloads } = await import("../registry.ts");
  return lookup("workload", workloads, name);
}

const port = parentPort;
if (port && workerData?.role === "faultline-check") {
  const workload = loadWorkload(workerData.workload as string);
  workload.catch(() => undefined);
  port.once("message", async (job: CheckJob) => {
    try {
      const results = runCheckers(job.history, (await workload).checkers(job.options));
      // A verdict that structured cloning refuses still crosses as the JSON results.json would hold.
      try {
        port.postMessage({ results });
      } catch {
        port.postMessage({ results: JSON.parse(JSON.stringify(results)) });
      }
    } catch (e) {
      port.postMessage({ error: (e as Error)?.message ?? String(e) });
    }
  });
}
