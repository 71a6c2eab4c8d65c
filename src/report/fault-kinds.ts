// The look of each fault kind as the nemeses declare it (colour, description), for reports of runs whose
// run.json does not record it (runs made before it did, imported histories). Nemeses are small modules.
import { nemeses } from "../registry.ts";
import type { FaultKind } from "./data.ts";

export async function declaredFaultKinds(): Promise<Record<string, FaultKind>> {
  const out: Record<string, FaultKind> = {};
  for (const load of Object.values(nemeses)) {
    const n = await load();
    out[n.name] = { colour: n.colour, description: n.description };
  }
  return out;
}
