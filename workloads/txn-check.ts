// The transactional workloads' checker: Elle-style isolation checking, with the models that decide the
// verdict chosen by --consistency-models (run, check) or `consistency-models:` (suite case).
import { checkTxn, parseIsolationModels, type IsolationModel } from "../checkers/txn/index.ts";
import type { NamedChecker, WorkloadOptions } from "../src/run/types.ts";
import { UsageError } from "../src/errors.ts";

/** The models whose verdicts decide the exit code (default: strict-serializable, as Elle). */
export function consistencyModels(o: WorkloadOptions): IsolationModel[] {
  const v = o["consistency-models"];
  if (v === undefined || v === null || v === "") return ["strict-serializable"];
  try {
    return parseIsolationModels(Array.isArray(v) ? v.join(",") : String(v));
  } catch (e) {
    throw new UsageError(`--consistency-models: ${(e as Error).message}`);
  }
}

export function txnCheckers(workload: "list-append" | "rw-register", o: WorkloadOptions): NamedChecker[] {
  const consistency = consistencyModels(o);
  const versionOrder = o["version-order"] as "none" | "sequential" | "linearizable" | undefined;
  return [
    {
      name: "isolation",
      check: (h) =>
        checkTxn(h, { workload, consistencyModels: consistency, ...(versionOrder ? { versionOrder } : {}) }),
    },
  ];
}
