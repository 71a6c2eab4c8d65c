// Every import of every source file (static, re-exports, side-effect and dynamic `import()`), with its line, and
// the layering rules they must keep. Read with TypeScript's own pre-processor, so comments and strings that
// merely look like imports do not count.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

export interface ImportRef {
  file: string;
  line: number;
  specifier: string;
  resolved?: string;
}

export const SOURCE_ROOTS = ["src", "checkers", "workloads", "nemeses", "targets"];

/** Source files (.ts, .mjs) under the given roots, as paths relative to root, with '/' separators. */
export function sourceFiles(root: string, dirs = SOURCE_ROOTS): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|mts|mjs|js)$/.test(name) && !name.endsWith(".d.ts"))
        out.push(relative(root, p).split(sep).join("/"));
    }
  };
  for (const d of dirs) walk(join(root, d));
  return out.sort();
}

/** The imports of one file's text; relative specifiers are resolved to root-relative paths. */
export function importsOf(file: string, text: string): ImportRef[] {
  const info = ts.preProcessFile(text, true, true);
  const lineOf = (pos: number) => text.slice(0, pos).split("\n").length;
  return info.importedFiles.map((f) => {
    const ref: ImportRef = { file, line: lineOf(f.pos), specifier: f.fileName };
    if (f.fileName.startsWith(".")) ref.resolved = join(dirname(file), f.fileName).split(sep).join("/");
    return ref;
  });
}

export function allImports(root: string, files = sourceFiles(root)): ImportRef[] {
  return files.flatMap((f) => importsOf(f, readFileSync(resolve(root, f), "utf8")));
}

const CHECKER_MAY_IMPORT = ["src/history/op.ts", "src/history/pairs.ts", "src/history/txn.ts", "src/format.ts"];

/** Why an import breaks the layers, or undefined if it keeps them. */
export function layerProblem(ref: ImportRef): string | undefined {
  const from = ref.file;
  if (from.startsWith("checkers/")) {
    if (ref.specifier.startsWith("node:")) return undefined;
    if (!ref.resolved)
      return `a checker imports the package ${JSON.stringify(ref.specifier)}; checkers/ depends on nothing outside itself`;
    if (ref.resolved.startsWith("checkers/") || CHECKER_MAY_IMPORT.includes(ref.resolved)) return undefined;
    return `a checker imports ${ref.resolved}; checkers/ may import only checkers/ and ${CHECKER_MAY_IMPORT.join(", ")}`;
  }
  if (/^(workloads|nemeses|targets)\//.test(from) && ref.resolved?.startsWith("src/cli/"))
    return `${from.split("/")[0]} must not import the command line (${ref.resolved})`;
  return undefined;
}

export function layerViolations(refs: ImportRef[]): string[] {
  return refs.flatMap((r) => {
    const p = layerProblem(r);
    return p ? [`${r.file}:${r.line}: ${p}`] : [];
  });
}
