import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sweepSocketDirs } from "../../src/lab/clean.ts";

describe("lab clean: PostgreSQL socket directories left in /tmp", () => {
  it("removes those whose server is gone, and no other", () => {
    const dir = mkdtempSync(join(tmpdir(), "fl-sockdirs-"));
    const dead = spawnSync("true").pid!; // exited: its pid names no process
    const make = (name: string, lockPid?: number, ageMs = 0) => {
      const p = join(dir, name);
      mkdirSync(p);
      if (lockPid !== undefined) writeFileSync(join(p, ".s.PGSQL.5432.lock"), `${lockPid}\n/data/dir\n`);
      if (ageMs) utimesSync(p, (Date.now() - ageMs) / 1000, (Date.now() - ageMs) / 1000);
      return p;
    };
    const deadServer = make("flpg-00000000000a", dead);
    make("flpt-00000000000b", process.pid); // a live server
    const oldEmpty = make("flpt-00000000000c", undefined, 120_000);
    make("flpg-00000000000d"); // just made: a run starting its server
    const claimed = make("flpg-00000000000e", dead); // a live run's, whose server a nemesis killed
    make("flpg-notours", dead);
    const swept = sweepSocketDirs(dir, new Set([claimed]));
    expect(swept.sort()).toEqual([`socket dir ${deadServer}`, `socket dir ${oldEmpty}`]);
    expect(readdirSync(dir).sort()).toEqual([
      "flpg-00000000000d",
      "flpg-00000000000e",
      "flpg-notours",
      "flpt-00000000000b",
    ]);
    expect(existsSync(deadServer)).toBe(false);
  });
});
