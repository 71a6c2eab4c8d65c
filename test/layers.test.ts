// The layering rule (README, Layout): checkers/ is a library — it imports only checkers/, the history layer's
// op.ts, pairs.ts and txn.ts and the formatting module src/format.ts — and no workload, nemesis or target
// imports the command line.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { allImports, importsOf, layerViolations } from "./imports.ts";

const root = join(import.meta.dirname, "..");

describe("layers", () => {
  it("every source file keeps the layering rule (offenders listed as file:line)", () => {
    const refs = allImports(root);
    expect(refs.length).toBeGreaterThan(200); // the walk really read the tree
    expect(layerViolations(refs)).toEqual([]);
  });

  it("finds static, re-exported, side-effect and dynamic imports and names the offending line", () => {
    const text = [
      `import type { Op } from "../../src/history/op.ts";`,
      `import { UsageError } from "../../src/registry.ts";`,
      `export { x } from "../../src/errors.ts";`,
      `// import { y } from "../../src/cli/main.ts";  (a comment, not an import)`,
      `const m = await import("../../src/run/runner.ts");`,
      `import "pg";`,
      `import { Worker } from "node:worker_threads";`,
    ].join("\n");
    expect(layerViolations(importsOf("checkers/linearizable/bad.ts", text))).toEqual([
      "checkers/linearizable/bad.ts:2: a checker imports src/registry.ts; checkers/ may import only checkers/ and src/history/op.ts, src/history/pairs.ts, src/history/txn.ts, src/format.ts",
      "checkers/linearizable/bad.ts:3: a checker imports src/errors.ts; checkers/ may import only checkers/ and src/history/op.ts, src/history/pairs.ts, src/history/txn.ts, src/format.ts",
      "checkers/linearizable/bad.ts:5: a checker imports src/run/runner.ts; checkers/ may import only checkers/ and src/history/op.ts, src/history/pairs.ts, src/history/txn.ts, src/format.ts",
      `checkers/linearizable/bad.ts:6: a checker imports the package "pg"; checkers/ depends on nothing outside itself`,
    ]);
    expect(
      layerViolations(
        importsOf(
          "targets/x/index.ts",
          `import { a } from "../../src/cli/errors.ts";\nimport { b } from "../../src/errors.ts";`,
        ),
      ),
    ).toEqual(["targets/x/index.ts:1: targets must not import the command line (src/cli/errors.ts)"]);
    expect(
      layerViolations(importsOf("workloads/w.ts", `const c = await import("../src/cli/model-choice.ts");`)),
    ).toEqual(["workloads/w.ts:1: workloads must not import the command line (src/cli/model-choice.ts)"]);
  });
});
