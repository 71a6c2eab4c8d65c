// Removes one docker container (forced, with its anonymous volumes) or network through the Engine API, for the
// cleanup journal's synchronous undo (run as a child process). Usage: node docker-undo.mjs HOST container|network NAME
// HOST is unix:///path/docker.sock or tcp://host:port. Exit 0 when it is gone (or was already).
import http from "node:http";

const [host, kind, name] = process.argv.slice(2);
const target = host.startsWith("unix://")
  ? { socketPath: host.slice("unix://".length) }
  : (() => {
      const u = new URL(host.replace(/^tcp:/, "http:"));
      return { host: u.hostname, port: Number(u.port || 2375) };
    })();
const path =
  kind === "container"
    ? `/containers/${encodeURIComponent(name)}?force=true&v=true`
    : `/networks/${encodeURIComponent(name)}`;
const req = http.request({ ...target, method: "DELETE", path, timeout: 50_000 }, (res) => {
  let body = "";
  res.on("data", (d) => {
    body += d;
  });
  res.on("end", () => {
    const ok = res.statusCode < 300 || res.statusCode === 404;
    if (!ok) process.stderr.write(`${res.statusCode} ${body.trim()}\n`);
    process.exit(ok ? 0 : 1);
  });
});
req.on("timeout", () => req.destroy(new Error("timed out")));
req.on("error", (e) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
});
req.end();
