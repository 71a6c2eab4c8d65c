// Small helpers the etcd and redis targets share: the lab runtime to run on, polling, log tails.
import { existsSync, readFileSync } from "node:fs";
import { NetnsRuntime } from "../../src/lab/netns.ts";
import type { Runtime } from "../../src/lab/runtime.ts";

/** The runtime lab targets run on (network namespaces on this host). */
export function labRuntime(): Runtime {
  return new NetnsRuntime();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `ready` every `everyMs` until it holds (true), the deadline passes or `alive` says give up (false). */
export async function waitFor(ready: () => Promise<boolean>, deadline: number, alive: () => boolean = () => true, everyMs = 50): Promise<boolean> {
  while (Date.now() < deadline) {
    if (await ready().catch(() => false)) return true;
    if (!alive()) return false;
    await sleep(everyMs);
  }
  return false;
}

/** The last `n` lines of a log file, indented, for error messages. */
export function lastLines(file: string, n: number): string {
  if (!existsSync(file)) return "  (no log)";
  const lines = readFileSync(file, "utf8").trimEnd().split("\n");
  return lines.slice(-n).map((l) => `  ${l.length > 300 ? l.slice(0, 300) + "…" : l}`).join("\n");
}

/** A bad target option or node count: exit code 3 like the CLI's UsageError (which lives in src/registry.ts,
 *  the module that imports every target, so targets do not import it back). */
export class TargetUsageError extends Error {
  readonly exitCode = 3;
  constructor(message: string) { super(message); this.name = "UsageError"; }
}
