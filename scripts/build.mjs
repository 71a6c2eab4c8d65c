#!/usr/bin/env node
// Builds the CLI into dist/: TypeScript compiled by tsc (tsconfig.build.json; `.ts` imports become `.js`), then
// every non-TypeScript file the code reads beside itself (report assets, lab scripts, the clock shim's C source,
// the docker node image files) copied to the same place under dist/, and the report page's TypeScript modules
// bundled by esbuild into dist/src/report/assets/report.js. Run by `npm run build` and `prepare`.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ROOTS = ["src", "checkers", "workloads", "nemeses", "targets"];

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const r = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
if (r.status !== 0) process.exit(r.status ?? 1);

let copied = 0;
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      walk(p);
      continue;
    }
    if (name.endsWith(".ts")) continue;
    const out = join(root, "dist", relative(root, p));
    mkdirSync(dirname(out), { recursive: true });
    copyFileSync(p, out);
    copied++;
  }
};
for (const d of ROOTS) walk(join(root, d));
// The report page's modules, bundled into the one script html.ts reads beside itself.
const { bundlePage } = await import(pathToFileURL(join(root, "dist/src/report/bundle.js")).href);
const page = bundlePage(join(root, "src/report/page/main.ts"), root);
writeFileSync(join(root, "dist/src/report/assets/report.js"), page);
process.stdout.write(
  `faultline: built dist/ (${copied} asset files copied, report page script ${Math.round(page.length / 1024)} KB)\n`,
);
