// checkers/ as a library: the package export "faultline/checkers" (compiled, with types) checks a history
// with no CLI, registry or store code, as the README's example does.
import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "../..");

const example = (read: number) => `
import { checkLinearizable, casRegister, keyed } from "faultline/checkers";
const history = [
  { index: 0, time: 0, process: 0, type: "invoke", f: "write", value: ["x", 1] },
  { index: 1, time: 1, process: 0, type: "ok", f: "write", value: ["x", 1] },
  { index: 2, time: 2, process: 1, type: "invoke", f: "read", value: ["x", null] },
  { index: 3, time: 3, process: 1, type: "ok", f: "read", value: ["x", ${read}] },
];
const v = checkLinearizable(history, { model: keyed(casRegister({ initial: 0 })) });
console.log(JSON.stringify({ valid: v.valid, kinds: v.anomalies.map((a) => a.kind), ops: v.anomalies[0]?.ops }));
`;

describe("faultline/checkers", () => {
  it("is importable by package name, ships types, and judges a stale read invalid and a fresh one valid", async () => {
    expect(existsSync(join(root, "dist/checkers/index.d.ts"))).toBe(true);
    // A module inside the package resolves the package's own name through package.json "exports".
    const dir = mkdtempSync(join(root, "dist", "example-"));
    try {
      const run = async (read: number) => {
        const f = join(dir, `example-${read}.mjs`);
        writeFileSync(f, example(read));
        return JSON.parse((await execa("node", [f])).stdout);
      };
      expect(await run(0)).toEqual({ valid: false, kinds: ["nonlinearizable"], ops: [0, 1, 2, 3] });
      expect(await run(1)).toEqual({ valid: true, kinds: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
