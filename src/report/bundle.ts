// Bundles the report page's TypeScript modules (src/report/page/) into the page's one inline script, with
// esbuild (a development dependency): at build time by scripts/build.mjs, which writes dist/'s report.js; when
// running from the sources, by html.ts on first use. The same options give the same bytes, so the same hash.
import { createRequire } from "node:module";

/** The page script: `entry` (page/main.ts) and what it imports, as one classic script. `root` is the checkout,
 *  so the bundle names files relative to it, whoever builds it. */
export function bundlePage(entry: string, root: string): string {
  const esbuild = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
  const out = esbuild.buildSync({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    write: false,
    format: "iife",
    target: "es2020",
    platform: "browser",
    charset: "utf8",
    legalComments: "none",
    logLevel: "silent",
  });
  const js = out.outputFiles[0].text;
  // The script goes inline: it must not end its own <script> element.
  if (/<\/script/i.test(js)) throw new Error("the report page script contains </script");
  return js;
}
