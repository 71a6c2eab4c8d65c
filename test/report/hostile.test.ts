// `serve` and `report` against run directories written by someone else: markup in every field, malformed
// results.json, a planted report.html, requests for another host name.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import type { Server } from "node:http";
import { historyBuilder } from "../helpers.ts";
import { serve } from "../../src/report/server.ts";
import { buildReportData, readRunDir } from "../../src/report/data.ts";

const bin = join(import.meta.dirname, "../../bin/faultline.js");
const XSS = "<img src=x onerror=alert(1)>";

function writeRun(root: string, name: string, run: unknown, results: unknown): string {
  const dir = join(root, name, "2026-01-01T000000.000Z");
  mkdirSync(dir, { recursive: true });
  const h = historyBuilder();
  h.invoke(0, "write", ["x", 1]);
  h.ok(0, "write", ["x", 1]);
  h.invoke(1, "read", ["x", null]);
  h.ok(1, "read", ["x", 1]);
  writeFileSync(join(dir, "history.jsonl"), h.ops.map((o) => JSON.stringify(o)).join("\n") + "\n");
  writeFileSync(join(dir, "run.json"), JSON.stringify(run));
  writeFileSync(join(dir, "results.json"), JSON.stringify(results));
  return dir;
}

/** GET with any Host header (fetch will not send a chosen one). */
function get(
  url: string,
  path: string,
  host?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, headers: host ? { host } : {} }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("serve against hostile run directories", () => {
  let root: string, server: Server, url: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "fl-hostile-"));
    // An anomaly "count" that is a string of markup: anomalies given as an object with a length.
    writeRun(
      root,
      "count",
      { started: "2026-01-02", config: { target: XSS, nemesis: [XSS], workload: { toString: 1 } }, status: XSS },
      { valid: XSS, checkers: { x: { valid: false, anomalies: { length: XSS } } } },
    );
    // Malformed anomalies and verdicts.
    writeRun(
      root,
      "malformed",
      { started: "2026-01-01" },
      {
        valid: false,
        checkers: {
          a: null,
          b: {
            valid: false,
            anomalies: [
              null,
              5,
              "x",
              { kind: XSS, ops: "zz", details: 7 },
              { kind: "stale", ops: [0, 1, 99], explanation: 3 },
            ],
          },
          c: { anomalies: 12 },
        },
      },
    );
    // A planted report.html, newer than history and results, with a script of its own.
    const planted = writeRun(root, "planted", { started: "2026-01-03" }, { valid: true, checkers: {} });
    writeFileSync(
      join(planted, "report.html"),
      `<!doctype html><script>fetch("/api/runs").then(r => r.text()).then(t => document.title = t)</script>`,
    );
    ({ server, url } = await serve({ root, port: 0 }));
  });
  afterAll(() => server?.close());

  it("the index escapes every field, the anomaly count included", async () => {
    const r = await get(url, "/");
    expect(r.status).toBe(200);
    expect(r.body).not.toContain("<img");
    expect(r.body).toContain("&lt;img src=x onerror=alert(1)&gt;");
    const runs = JSON.parse((await get(url, "/api/runs")).body) as {
      name: string;
      anomalies?: unknown;
      valid?: unknown;
      workload?: unknown;
    }[];
    const count = runs.find((x) => x.name === "count")!;
    expect(count.anomalies).toBe(0); // an object with a length is not a list of anomalies
    expect(count.valid).toBeUndefined(); // nor is markup a verdict
    expect(count.workload).toBeUndefined();
  });

  it("every response forbids framing and sniffing and carries a policy", async () => {
    const paths = [
      "/",
      "/api/runs",
      "/run/planted/2026-01-01T000000.000Z/",
      "/run/malformed/2026-01-01T000000.000Z/",
      "/run/malformed/2026-01-01T000000.000Z/files/",
      "/run/malformed/2026-01-01T000000.000Z/history.jsonl",
      "/nope",
      "/run/x/y/z",
    ];
    for (const p of paths) {
      const r = await get(url, p);
      expect(r.headers["x-content-type-options"], p).toBe("nosniff");
      expect(r.headers["x-frame-options"], p).toBe("DENY");
      expect(r.headers["content-security-policy"], p).toMatch(/frame-ancestors 'none'/);
      expect(r.headers["content-security-policy"], p).toMatch(/default-src 'none'/);
    }
  });

  it("a planted report.html is served under a policy that runs only faultline's own page script", async () => {
    const r = await get(url, "/run/planted/2026-01-01T000000.000Z/");
    expect(r.status).toBe(200);
    expect(r.body).toContain('fetch("/api/runs")');
    const policy = String(r.headers["content-security-policy"]);
    const { createHash } = await import("node:crypto");
    const planted = `fetch("/api/runs").then(r => r.text()).then(t => document.title = t)`;
    expect(policy).not.toContain(createHash("sha256").update(planted).digest("base64"));
    expect(policy).toMatch(/script-src 'sha256-[^']+'; /);
    expect(policy).not.toMatch(/unsafe-inline'[^;]*script|script-src[^;]*unsafe/);
  });

  it("a loopback server refuses requests for other host names (DNS rebinding)", async () => {
    const port = new URL(url).port;
    expect((await get(url, "/api/runs", `attacker.example:${port}`)).status).toBe(421);
    expect((await get(url, "/api/runs", "attacker.example")).body).not.toContain("malformed");
    for (const ok of [`localhost:${port}`, `127.0.0.1:${port}`, "localhost"])
      expect((await get(url, "/api/runs", ok)).status).toBe(200);
  });

  it("malformed anomalies are skipped and said to be, in the report data, `report` and `serve`", async () => {
    const dir = join(root, "malformed", "2026-01-01T000000.000Z");
    const data = buildReportData(readRunDir(dir));
    expect(data.anomalies.map((a) => a.kind)).toEqual([XSS, "stale"]);
    expect(data.anomalies[1].ops).toEqual([0, 1]);
    expect(data.notes.join(" ")).toMatch(
      /skipped: .*checker "a" \(not a verdict object\).*3 of checker "b"'s anomalies.*checker "c"'s anomalies \(not a list\)/,
    );
    expect((await get(url, "/run/malformed/2026-01-01T000000.000Z/")).status).toBe(200);
    const r = await execa("node", [bin, "report", dir], { reject: false });
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
  });
});

describe("serve's --host", () => {
  it("an address that is not this machine's is a usage error naming it (exit 3)", async () => {
    const r = await execa(
      "node",
      [bin, "serve", mkdtempSync(join(tmpdir(), "fl-host-")), "--host", "203.0.113.5", "--port", "0"],
      { reject: false, timeout: 20_000 },
    );
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain("203.0.113.5");
  });

  it("binding every interface warns", async () => {
    const child = execa(
      "node",
      [bin, "serve", mkdtempSync(join(tmpdir(), "fl-host-")), "--host", "0.0.0.0", "--port", "0"],
      { reject: false },
    );
    let err = "";
    await new Promise<void>((resolve) => {
      child.stderr!.on("data", (d) => {
        err += d;
        if (/warning/.test(err)) resolve();
      });
      child.once("exit", () => resolve());
      setTimeout(resolve, 10_000);
    });
    child.kill("SIGTERM");
    await child;
    expect(err).toMatch(/warning: bound to 0\.0\.0\.0, not loopback/);
  });
});
