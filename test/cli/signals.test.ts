// Ctrl-C and SIGTERM during a run's check phase: the check stops, run.json says interrupted, exit 130.
import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { endlessRun } from "../helpers.ts";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = join(import.meta.dirname, "../../bin/faultline.js");
const tmp = () => mkdtempSync(join(tmpdir(), "faultline-signals-"));
// 30,000 ops on one key from 100 processes of a lossy store: its linearizability search takes tens of seconds.
const LONG_CHECK = [
  "--mode",
  "eventual-lww",
  "--nemesis",
  "partition",
  "--concurrency",
  "100",
  "--ops",
  "30000",
  "--keys",
  "1",
  "--rate",
  "0",
];

async function untilChecking(child: ReturnType<typeof execa>): Promise<void> {
  let err = "";
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on("data", (d: Buffer) => {
      err += d;
      if (/checking \d+ events/.test(err)) resolve();
    });
    child.once("exit", () => reject(new Error(`exited before its check: ${err}`)));
  });
}

describe("signals during the check phase", () => {
  for (const [name, signals] of [
    ["SIGINT twice", ["SIGINT", "SIGINT"]],
    ["SIGINT once", ["SIGINT"]],
    ["SIGTERM", ["SIGTERM"]],
  ] as const) {
    it(`run: ${name} while checking exits 130 promptly and run.json is not left running`, async () => {
      const dir = tmp();
      const child = execa("node", [bin, "run", ...LONG_CHECK, "--results", dir], { reject: false });
      await untilChecking(child);
      await new Promise((r) => setTimeout(r, 300)); // well into the search
      const sent = performance.now();
      for (const s of signals) {
        child.kill(s);
        await new Promise((r) => setTimeout(r, 10));
      }
      const r = await Promise.race([child, new Promise<null>((res) => setTimeout(() => res(null), 10_000))]);
      if (!r) child.kill("SIGKILL");
      expect(r, "still running 10 s after the signal").not.toBeNull();
      // A second signal that lands while the process is already exiting ends it by that signal, which a
      // shell reports as 130 too (128 + SIGINT); anything else must be exit code 130.
      expect(
        r!.exitCode ?? (r!.signal === signals[signals.length - 1] && signals.length > 1 ? 130 : r!.signal),
        r!.stderr,
      ).toBe(130);
      expect(performance.now() - sent).toBeLessThan(10_000);
      const run = JSON.parse(readFileSync(join(dir, "sim-eventual-lww-register", "latest", "run.json"), "utf8"));
      expect(run.status).toBe("interrupted");
      expect(
        readFileSync(join(dir, "sim-eventual-lww-register", "latest", "history.jsonl"), "utf8").split("\n").length,
      ).toBeGreaterThan(60_000);
    }, 60_000);
  }

  it("run: SIGINT in the main phase still heals, checks what was recorded and exits 130, history intact", async () => {
    const dir = tmp();
    const { child, file } = await endlessRun(bin, dir, 100_000);
    child.kill("SIGINT");
    const r = await Promise.race([child, new Promise<null>((res) => setTimeout(() => res(null), 10_000))]);
    if (!r) child.kill("SIGKILL");
    expect(r, "still running 10 s after the signal").not.toBeNull();
    expect(r!.exitCode).toBe(130);
    expect(r!.stdout).toMatch(/^verdict: /m);
    const check = await execa("node", [bin, "check", file], { reject: false });
    expect([0, 1, 2]).toContain(check.exitCode);
    expect(check.stderr).toBe("");
  }, 60_000);

  it("suite run: SIGINT while a case is checking exits 130 promptly", async () => {
    const dir = tmp();
    const suite = join(dir, "s.yaml");
    writeFileSync(
      suite,
      `name: s\ncases:\n  - name: long\n    mode: eventual-lww\n    nemesis: partition\n    concurrency: 100\n    ops: 30000\n    keys: 1\n    rate: 0\n    expect: { linearizable: violated }\n`,
    );
    const child = execa("node", [bin, "suite", "run", suite, "--results", join(dir, "results")], { reject: false });
    await untilChecking(child);
    await new Promise((r) => setTimeout(r, 300));
    child.kill("SIGINT");
    const r = await Promise.race([child, new Promise<null>((res) => setTimeout(() => res(null), 10_000))]);
    if (!r) child.kill("SIGKILL");
    expect(r, "still running 10 s after the signal").not.toBeNull();
    expect(r!.exitCode).toBe(130);
    const run = JSON.parse(readFileSync(join(dir, "results", "s-long", "latest", "run.json"), "utf8"));
    expect(run.status).toBe("interrupted");
  }, 60_000);
});
