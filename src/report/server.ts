// `faultline serve`: a small read-only HTTP server over a results directory. The index lists every run (newest
// first, sortable); /run/<name>/<stamp>/ shows the run's report (report.html, or one rendered on the fly for runs
// that have none or an outdated one), and the run's files (history, results, logs) are served as plain text.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { FILES, listRuns, type RunSummary } from "../results/store.ts";
import { csp, escapeHtml, reportCsp } from "./html.ts";
import { declaredFaultKinds, reportHtml, type FaultKind } from "./index.ts";

const SORT_JS = `(() => {
  const table = document.getElementById("runs"), body = table.tBodies[0];
  let key = "started", dir = -1;
  const sort = (k) => {
    dir = k === key ? -dir : (k === "started" ? -1 : 1); key = k;
    const rows = [...body.rows];
    const num = table.querySelector('th[data-key="' + k + '"]').dataset.type === "num";
    rows.sort((a, b) => {
      const x = a.dataset[k] ?? "", y = b.dataset[k] ?? "";
      return (num ? (Number(x) - Number(y)) : x.localeCompare(y)) * dir;
    });
    for (const r of rows) body.append(r);
    for (const th of table.tHead.rows[0].cells) th.setAttribute("aria-sort", th.dataset.key === key ? (dir > 0 ? "ascending" : "descending") : "none");
  };
  for (const th of table.tHead.rows[0].cells) if (th.dataset.key) th.addEventListener("click", () => sort(th.dataset.key));
})();`;

const INDEX_CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1f2328}header{padding:10px 20px;background:#f6f8fa;border-bottom:1px solid #d0d7de}
h1{font-size:18px;margin:0}h1 span{color:#6b21a8}main{padding:10px 20px}table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #d0d7de;padding:4px 9px;text-align:left}th{background:#f6f8fa;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}td.num{text-align:right}
.valid{color:#116329;font-weight:600}.invalid{color:#a40e26;font-weight:700}.unknown{color:#7d4e00;font-weight:600}a{color:#6b21a8}
.muted{color:#656d76}`;

const verdictWord = (v: unknown) =>
  v === true ? "valid" : v === false ? "INVALID" : v === "unknown" ? "unknown" : "—";
const verdictClass = (v: unknown) =>
  v === true ? "valid" : v === false ? "invalid" : v === "unknown" ? "unknown" : "muted";
/** The URL path of a run directory: /run/<name>/<stamp>/, each segment encoded. */
const runPath = (root: string, dir: string) =>
  `/run/${relative(root, dir).split(sep).map(encodeURIComponent).join("/")}/`;

/** The index of runs; `root` is the directory the runs' paths are relative to, `label` what to call it. */
export function indexPage(root: string, runs: RunSummary[], label = root): string {
  const rows = runs.map((r) => {
    const base = runPath(root, r.dir);
    const target = [r.target, r.mode].filter(Boolean).join("/");
    const nemesis = (r.nemesis ?? []).join(",") || "none";
    const cells = [
      `<td><a href="${escapeHtml(base)}">${escapeHtml(r.name)}</a></td>`,
      `<td>${escapeHtml(r.started ?? "")}${r.status && r.status !== "complete" ? ` <span class="muted">(${escapeHtml(r.status)})</span>` : ""}</td>`,
      `<td>${escapeHtml(target)}</td>`,
      `<td>${escapeHtml(r.workload ?? "")}</td>`,
      `<td>${escapeHtml(nemesis)}</td>`,
      `<td class="${verdictClass(r.valid)}">${escapeHtml(verdictWord(r.valid))}</td>`,
      `<td class="num">${escapeHtml(String(r.anomalies ?? "—"))}</td>`,
      `<td><a href="${escapeHtml(base)}">report</a> · <a href="${escapeHtml(base + FILES.history)}">history</a> · <a href="${escapeHtml(base + FILES.results)}">results</a> · <a href="${escapeHtml(base + "files/")}">logs &amp; files</a></td>`,
    ];
    const data = {
      name: r.name,
      started: r.started ?? "",
      target,
      workload: r.workload ?? "",
      nemesis,
      verdict: verdictWord(r.valid),
      anomalies: String(r.anomalies ?? -1),
    };
    return `<tr ${Object.entries(data)
      .map(([k, v]) => `data-${k}="${escapeHtml(v)}"`)
      .join(" ")}>${cells.join("")}</tr>`;
  });
  const head = [
    ["name", "run"],
    ["started", "started"],
    ["target", "target"],
    ["workload", "workload"],
    ["nemesis", "nemesis"],
    ["verdict", "verdict"],
    ["anomalies", "anomalies", "num"],
    ["", "links"],
  ]
    .map(
      ([k, label, type]) =>
        `<th${k ? ` data-key="${k}"` : ""}${type ? ` data-type="${type}"` : ""}${k === "started" ? ' aria-sort="descending"' : ""}>${label}</th>`,
    )
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp([SORT_JS]))}">
<title>faultline runs · ${escapeHtml(label)}</title><style>${INDEX_CSS}</style></head><body>
<header><h1><span>faultline</span> runs</h1><div class="muted">${escapeHtml(label)} · ${runs.length} run(s) · newest first; click a column to sort</div></header>
<main>${runs.length ? `<table id="runs"><thead><tr>${head}</tr></thead><tbody>${rows.join("\n")}</tbody></table>` : `<p>No runs under ${escapeHtml(label)} yet: <code>faultline run --results ${escapeHtml(label)}</code> makes one.</p>`}</main>
<script>${SORT_JS}</script></body></html>`;
}

function filesPage(base: string, dir: string, rel: string): string {
  const items = readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((e) => {
      const name = e.name + (e.isDirectory() ? "/" : "");
      const size = e.isFile() ? ` <span class="muted">${statSync(join(dir, e.name)).size} bytes</span>` : "";
      return `<li><a href="${escapeHtml(encodeURIComponent(e.name) + (e.isDirectory() ? "/" : ""))}">${escapeHtml(name)}</a>${size}</li>`;
    });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${FILES_CSP}">
<title>${escapeHtml(rel)}</title><style>${INDEX_CSS}</style></head><body><header><h1><span>faultline</span> ${escapeHtml(rel)}</h1>
<div><a href="/">all runs</a> · <a href="${escapeHtml(base)}">report</a></div></header><main><ul>${items.join("\n")}</ul></main></body></html>`;
}

// Every response: no framing, no type sniffing, and a policy; pages set their own (stricter where they can).
const FRAME = "frame-ancestors 'none'";
const BASE_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};
const TEXT_HEADERS = {
  "content-type": "text/plain; charset=utf-8",
  "content-security-policy": `default-src 'none'; sandbox; ${FRAME}`,
};
const htmlHeaders = (policy: string) => ({
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": `${policy}; ${FRAME}`,
});
const FILES_CSP = "default-src 'none'; style-src 'unsafe-inline'";

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);
/** Whether `host` is a loopback address or name (the server then answers only requests that name loopback). */
export const isLoopback = (host: string) =>
  LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host) || host.endsWith(".localhost");

/** The request handler over a results directory (exported for tests). Bound to loopback (`host`, the default),
 *  it answers only requests whose Host header names loopback: a web page elsewhere cannot reach it through a
 *  DNS name it re-points at 127.0.0.1. */
export function handler(rootDir: string, options: { host?: string; faultKinds?: Record<string, FaultKind> } = {}) {
  const root = realpathSync(rootDir);
  const loopbackOnly = isLoopback(options.host ?? "127.0.0.1");
  const inside = (p: string) => p === root || p.startsWith(root + sep);
  const send = (
    res: ServerResponse,
    code: number,
    headers: Record<string, string>,
    body: string | Buffer,
    head: boolean,
  ) => {
    res.writeHead(code, { ...BASE_HEADERS, ...headers });
    res.end(head ? undefined : body);
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    const head = req.method === "HEAD";
    if (req.method !== "GET" && !head)
      return send(res, 405, { ...TEXT_HEADERS, allow: "GET, HEAD" }, "method not allowed\n", false);
    if (loopbackOnly && !isLoopback(hostName(req.headers.host)))
      return send(res, 421, TEXT_HEADERS, "this server answers only requests for localhost or 127.0.0.1\n", head);
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      return send(res, 400, TEXT_HEADERS, "bad request\n", head);
    }
    try {
      if (path === "/" || path === "/index.html") {
        return send(res, 200, htmlHeaders(csp([SORT_JS])), indexPage(root, listRuns(root), rootDir), head);
      }
      if (path === "/api/runs") {
        const runs = listRuns(root).map((r) => ({ ...r, path: runPath(root, r.dir) }));
        return send(
          res,
          200,
          { ...TEXT_HEADERS, "content-type": "application/json; charset=utf-8" },
          JSON.stringify(runs, null, 2) + "\n",
          head,
        );
      }
      if (!path.startsWith("/run/")) return send(res, 404, TEXT_HEADERS, "not found\n", head);
      const segments = path.slice(5).split("/");
      if (segments.some((s) => s === ".." || s === "." || s.includes("\0")))
        return send(res, 400, TEXT_HEADERS, "bad path\n", head);
      // /run/<name>/<stamp>/[rest]: the run directory is the first two segments.
      if (segments.length < 3) return send(res, 404, TEXT_HEADERS, "not found\n", head);
      const runRel = segments.slice(0, 2).join("/"),
        rest = segments.slice(2).join("/");
      const runDir = join(root, runRel);
      if (!existsSync(runDir) || !inside(realpathSync(runDir)) || !existsSync(join(runDir, FILES.history)))
        return send(res, 404, TEXT_HEADERS, "no such run\n", head);
      const base = `/run/${segments.slice(0, 2).map(encodeURIComponent).join("/")}/`;
      if (rest === "" || rest === FILES.report) {
        const file = join(runDir, FILES.report);
        const fresh =
          existsSync(file) &&
          [FILES.history, FILES.results].every(
            (f) => !existsSync(join(runDir, f)) || statSync(join(runDir, f)).mtimeMs <= statSync(file).mtimeMs,
          );
        const html = fresh ? readFileSync(file) : reportHtml(runDir, options.faultKinds);
        return send(res, 200, htmlHeaders(reportCsp()), html, head);
      }
      if (rest === "files/" || rest === "files")
        return send(res, 200, htmlHeaders(FILES_CSP), filesPage(base, runDir, runRel), head);
      const target = join(runDir, rest.replace(/^files\//, ""));
      if (!existsSync(target) || !inside(realpathSync(target)))
        return send(res, 404, TEXT_HEADERS, "not found\n", head);
      if (statSync(target).isDirectory())
        return send(res, 200, htmlHeaders(FILES_CSP), filesPage(base, target, relative(root, target)), head);
      const json = target.endsWith(".json");
      return send(
        res,
        200,
        json ? { ...TEXT_HEADERS, "content-type": "application/json; charset=utf-8" } : TEXT_HEADERS,
        readFileSync(target),
        head,
      );
    } catch (e) {
      return send(res, 500, TEXT_HEADERS, `faultline: ${(e as Error).message}\n`, head);
    }
  };
}

/** The host name a Host header names, without its port. */
function hostName(header: string | undefined): string {
  if (!header) return "";
  const h = header.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  return h.replace(/:\d*$/, "");
}

export interface ServeOptions {
  root: string;
  port?: number;
  host?: string;
}

/** Starts the server; resolves once it listens, with its URL. */
export async function serve(o: ServeOptions): Promise<{ server: Server; url: string }> {
  if (!existsSync(o.root) || !statSync(o.root).isDirectory())
    throw Object.assign(new Error(`no results directory ${o.root}`), { exitCode: 3 });
  const host = o.host ?? "127.0.0.1";
  const server = createServer(handler(o.root, { host, faultKinds: await declaredFaultKinds() }));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 8080, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : o.port;
  return { server, url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/` };
}
