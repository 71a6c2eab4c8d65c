#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm run build`, which `npm ci` runs as `prepare`): no TypeScript is
// compiled at run time. From the sources, without a build: `npm run faultline -- <args>` (tsx).
import { existsSync } from "node:fs";

const main = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    "faultline: not built: run `npm run build` (or `npm ci`, which builds it) in the faultline checkout\n",
  );
  process.exit(4);
}
await import(main.href);
