// faultline's own version, from its package.json: found by walking up from this module, so the same code works
// from the sources (src/) and from the build (dist/src/).
import { readFileSync } from "node:fs";

let cached: string | undefined;

export function packageVersion(): string {
  if (cached) return cached;
  for (const up of ["../package.json", "../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "faultline" && pkg.version) return (cached = pkg.version);
    } catch {
      /* not here */
    }
  }
  return (cached = "unknown");
}
