// The clock shim (clockshim.c): a preload library that shifts a server's wall clock by the offset in a small
// control file (32 bytes, rewritten in place so the shim's mapping stays valid). Compiled once per source
// version with gcc on the harness host; runtimes copy it to their nodes.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { stateDir } from "./journal.ts";

let shimPath: string | undefined;
let shimError: string | undefined;

/** Compiles clockshim.c once per source version into the state dir; returns its path or undefined (clockShimError says why). */
export function clockShim(): string | undefined {
  if (shimPath || shimError) return shimPath;
  const src = new URL("./clockshim.c", import.meta.url).pathname;
  const code = readFileSync(src);
  const out = join(stateDir(), `clockshim-${createHash("sha256").update(code).digest("hex").slice(0, 12)}.so`);
  if (!existsSync(out)) {
    mkdirSync(stateDir(), { recursive: true, mode: 0o755 });
    const tmp = `${out}.${process.pid}.tmp`;
    const r = spawnSync("gcc", ["-O2", "-shared", "-fPIC", "-o", tmp, src], { encoding: "utf8" });
    if (r.status !== 0) {
      shimError = `the clock shim could not be built with gcc (${(r.stderr || r.error?.message || "").trim().split("\n")[0]}): apt-get install -y gcc`;
      return undefined;
    }
    chmodSync(tmp, 0o755);
    renameSync(tmp, out);
  }
  return (shimPath = out);
}

export const clockShimError = (): string | undefined => shimError;

/** The control file's text for an offset: a signed number of ms, padded to 31 characters and a newline. */
export const clockText = (ms: number): string =>
  `${ms >= 0 ? "+" : "-"}${Math.abs(Math.round(ms))}`.padEnd(31, " ") + "\n";

/** Writes a local control file in place (same length: a running shim's mapping stays valid). */
export function writeClockFile(file: string, ms: number): void {
  const fd = openSync(file, existsSync(file) ? "r+" : "w", 0o644);
  try {
    writeSync(fd, clockText(ms), 0);
  } finally {
    closeSync(fd);
  }
}

/** Go programs read the clock through the vDSO, so no preload library can shift it. */
export function isGoBinary(path: string): boolean {
  try {
    const buf = readFileSync(path);
    return buf.includes("\xff Go buildinf:", 0, "latin1") || buf.includes(".go.buildinfo");
  } catch {
    return false;
  }
}
