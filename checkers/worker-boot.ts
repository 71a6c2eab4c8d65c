// How a worker thread starts a module of this package. Built (dist/, .js), it imports the compiled file. From the
// sources (.ts), worker threads cannot take a module loader through execArgv on Node 20 (nodejs/node#47747), so
// the thread registers tsx's ESM hooks itself, then imports the .ts file. Returns code for `new Worker(code, {eval: true})`.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

/** `stem` is the module's path without extension, relative to `base` (the caller's import.meta.url). */
export function workerBootstrap(base: string, stem: string): string {
  const compiled = base.endsWith(".js");
  const url = JSON.stringify(new URL(`${stem}.${compiled ? "js" : "ts"}`, base).href);
  return compiled
    ? `import(${url});`
    : `import(${JSON.stringify(tsxEsmApi(base))}).then((m) => { m.register(); return import(${url}); });`;
}

function tsxEsmApi(base: string): string {
  const require = createRequire(base);
  const pkgFile = require.resolve("tsx/package.json");
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as {
    exports: Record<string, { import?: { default?: string } }>;
  };
  const entry = pkg.exports["./esm/api"]?.import?.default ?? "./dist/esm/api/index.mjs";
  return pathToFileURL(join(dirname(pkgFile), entry)).href;
}
