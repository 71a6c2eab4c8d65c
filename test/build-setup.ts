// vitest globalSetup: the CLI tests run bin/faultline.js, which runs the compiled dist/, so build it first
// (skipped when dist/ is newer than every source file; `npm run build` is incremental anyway).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const STAMP = join(root, "dist", ".built");

function newest(p: string): number {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(p).map((n) => newest(join(p, n))));
}

export default function setup(): void {
  const inputs = [
    "src",
    "checkers",
    "workloads",
    "nemeses",
    "targets",
    "scripts",
    "package.json",
    "tsconfig.json",
    "tsconfig.build.json",
  ];
  const sources = Math.max(
    ...inputs
      .map((p) => join(root, p))
      .filter(existsSync)
      .map(newest),
  );
  if (existsSync(STAMP) && statSync(STAMP).mtimeMs > sources) return;
  const r = spawnSync(process.execPath, [join(root, "scripts/build.mjs")], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
  writeFileSync(STAMP, new Date().toISOString() + "\n");
}
