// Every declared target's needs, gathered through the registry: what the install script, `lab doctor`, the
// docker node image and the ssh host check are generated from. Loads every target (and its drivers), so
// only those commands and tests use it, never a run.
import { targets } from "../registry.ts";
import { hostNeeds, nodeNeeds } from "../lab/needs.ts";
import type { Target } from "../run/types.ts";
import { mergeNeeds, type Needs } from "./needs.ts";

export type DeclaredTarget = Target & { needs: Needs };

/** The lab targets (those declaring needs), in registry order. */
export async function labTargets(): Promise<DeclaredTarget[]> {
  const all = await Promise.all(Object.values(targets).map((load) => load()));
  return all.filter((t): t is DeclaredTarget => t.needs !== undefined);
}

/** What this host needs for the netns runtime and every lab target: `faultline lab install`, `lab doctor`. */
export const localNeeds = (ts: DeclaredTarget[]) => mergeNeeds([hostNeeds, ...ts.map((t) => t.needs)]);

/** What a docker or ssh node needs for the targets that run on that runtime. */
export const remoteNeeds = (ts: DeclaredTarget[], runtime: "docker" | "ssh") =>
  mergeNeeds([nodeNeeds, ...ts.filter((t) => t.runtimes?.includes(runtime)).map((t) => t.needs)]);
