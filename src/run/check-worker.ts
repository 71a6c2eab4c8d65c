// Worker-thread side of check-thread.ts: rebuild the workload's checkers, check, post the results.
import { parentPort, workerData } from "node:worker_threads";
import { workloads } from "../registry.ts";
import { runCheckers } from "./check.ts";
import type { CheckJob } from "./check-thread.ts";

if (parentPort && workerData?.role === "faultline-check") {
  const job = workerData.job as CheckJob;
  try {
    const results = runCheckers(job.history, workloads[job.workload].checkers(job.options));
    // A verdict that structured cloning refuses still crosses as the JSON results.json would hold.
    try { parentPort.postMessage({ results }); } catch { parentPort.postMessage({ results: JSON.parse(JSON.stringify(results)) }); }
  } catch (e) {
    parentPort.postMessage({ error: (e as Error)?.message ?? String(e) });
  }
}
