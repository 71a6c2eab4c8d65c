// The run's check on a worker thread, so that Ctrl-C and SIGTERM are heard while the checkers work: a checker is
// synchronous and would otherwise hold the main thread (and its signal handlers) until it returns.
import { Worker } from "node:worker_threads";
import type { Op } from "../history/op.ts";
import { workerBootstrap } from "../../checkers/worker-boot.ts";
import type { Results } from "./check.ts";
import type { WorkloadOptions } from "./types.ts";

export interface CheckJob {
  options: WorkloadOptions;
  history: readonly Op[];
}

/** A worker thread that will check one history. Started before it is needed (when the run starts), so that
 *  loading the checkers overlaps the run instead of adding to it. */
export class CheckThread {
  private readonly worker: Worker;
  private readonly answer: Promise<Results>;

  constructor(workload: string) {
    this.worker = new Worker(BOOT, { eval: true, workerData: { role: ROLE, workload } });
    this.worker.unref();
    this.answer = new Promise<Results>((resolve, reject) => {
      this.worker.once("message", (m: { results?: Results; error?: string }) =>
        m.results ? resolve(m.results) : reject(new Error(m.error)),
      );
      this.worker.once("error", reject);
      this.worker.once("exit", (code) =>
        reject(new Error(`the check's thread exited (code ${code}) before it answered`)),
      );
    });
    this.answer.catch(() => undefined); // a thread closed unused is not an error
  }

  /** The workload's checkers over the history. Resolves undefined when `cancel` resolves first: the thread is
   *  terminated at once, whatever its checker was doing. */
  async check(job: CheckJob, cancel?: Promise<unknown>): Promise<Results | undefined> {
    let stop = () => {};
    const cancelled = new Promise<undefined>((resolve) => {
      stop = () => resolve(undefined);
      cancel?.then(stop);
    });
    try {
      this.worker.postMessage(job);
      return await Promise.race([this.answer, cancelled]);
    } finally {
      stop();
      await this.close();
    }
  }

  close(): Promise<unknown> {
    return this.worker.terminate().catch(() => undefined);
  }
}

const ROLE = "faultline-check";
// The thread runs check-worker (compiled when built, through tsx from the sources).
const BOOT = workerBootstrap(import.meta.url, "./check-worker");
