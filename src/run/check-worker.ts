// Worker-thread side of check-thread.ts: rebuild the workload's checkers, check, post the results.
import { parentPort, workerData } from "node:worker_threads";
import { workloads } from "../registry.ts";
import { runCheckers } from "./check.ts";
import type { CheckJob } from "./check-thread.ts";

const port = parentPort;
if (port && workerData?.role === "faultline-check") {
  port.once("message", (job: CheckJob) => {
    try {
      const results = runCheckers(job.history, workloads[job.workload].checkers(job.options));
      // A verdict that structured cloning refuses still crosses as the JSON results.json would hold.
      try { port.postMessage({ results }); } catch { port.postMessage({ results: JSON.parse(JSON.stringify(results)) }); }
    } catch (e) {
      port.postMessage({ error: (e as Error)?.message ?? String(e) });
    }
  });
}
