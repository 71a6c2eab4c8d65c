// The run's check on a worker thread, so that Ctrl-C and SIGTERM are heard while the checkers work: a checker is
// synchronous and would otherwise hold the main thread (and its signal handlers) until it returns.
import { Worker } from "node:worker_threads";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Op } from "../history/op.ts";
import type { Results } from "./check.ts";
import type { WorkloadOptions } from "./types.ts";

export interface CheckJob { options: WorkloadOptions; history: readonly Op[] }

/** A worker thread that will check one history. Started before it is needed (when the run starts), so that
 *  loading the checkers overlaps the run instead of adding to it. */
export class CheckThread {
  private readonly worker: Worker;
  private readonly answer: Promise<Results>;

  constructor(workload: string) {
    this.worker = new Worker(BOOT, { eval: true, workerData: { role: ROLE, workload } });
    this.worker.unref();
    this.answer = new Promise<Results>((resolve, reject) => {
      this.worker.once("message", (m: { results?: Results; error?: string }) => (m.results ? resolve(m.results) : reject(new Error(m.error))));
      this.worker.once("error", reject);
      this.worker.once("exit", (code) => reject(new Error(`the check's thread exited (code ${code}) before it answered`)));
    });
    this.answer.catch(() => undefined);   // a thread closed unused is not an error
  }

  /** The workload's checkers over the history. Resolves undefined when `cancel` resolves first: the thread is
   *  terminated at once, whatever its checker was doing. */
  async check(job: CheckJob, cancel?: Promise<unknown>): Promise<Results | undefined> {
    let stop = () => {};
    const cancelled = new Promise<undefined>((resolve) => { stop = () => resolve(undefined); cancel?.then(stop); });
    try {
      this.worker.postMessage(job);
      return await Promise.race([this.answer, cancelled]);
    } finally {
      stop();
      await this.close();
    }
  }

  close(): Promise<unknown> { return this.worker.terminate().catch(() => undefined); }
}

const ROLE = "faultline-check";
// Built (dist/, .js), the thread imports the compiled check-worker.js. From the sources (.ts), worker threads
// cannot take a module loader through execArgv on Node 20, so the thread registers tsx itself.
const COMPILED = import.meta.url.endsWith(".js");
const WORKER_URL = new URL(COMPILED ? "./check-worker.js" : "./check-worker.ts", import.meta.url).href;
const BOOT = COMPILED ? `import(${JSON.stringify(WORKER_URL)});`
  : `import(${JSON.stringify(tsxEsmApi())}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL)}); });`;

function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const pkgFile = require.resolve("tsx/package.json");
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as { exports: Record<string, { import?: { default?: string } }> };
  const entry = pkg.exports["./esm/api"]?.import?.default ?? "./dist/esm/api/index.mjs";
  return pathToFileURL(join(dirname(pkgFile), entry)).href;
}
