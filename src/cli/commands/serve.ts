// `faultline serve [dir]`: browse stored runs and their reports over HTTP (127.0.0.1 unless --host says otherwise).
import type { Command } from "commander";
import { UsageError } from "../../errors.ts";
import { isLoopback, serve } from "../../report/server.ts";

export function register(program: Command): void {
  program
    .command("serve [dir]")
    .description("serve an index of runs (newest first, sortable) with their reports, histories and logs")
    .option("--port <n>", "port (0 = any free port)", "8080")
    .option("--host <addr>", "address to bind (the default keeps it on this machine)", "127.0.0.1")
    .action(async (dir: string | undefined, o: { port: string; host: string }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port must be an integer 0-65535, got ${JSON.stringify(o.port)}`);
      const root = dir ?? "results";
      const { server, url } = await serve({ root, port, host: o.host }).catch((e: NodeJS.ErrnoException) => {
        if (e.code === "EADDRINUSE")
          throw new UsageError(`port ${port} is in use on ${o.host}; pick another with --port`);
        if (/no results directory/.test(e.message)) throw new UsageError(e.message);
        if (["ENOTFOUND", "EADDRNOTAVAIL", "EAI_AGAIN", "EINVAL"].includes(e.code ?? ""))
          throw new UsageError(`--host ${JSON.stringify(o.host)}: not an address of this machine (${e.code})`);
        if (e.code === "EACCES")
          throw new UsageError(`port ${port} on ${o.host} needs more privileges; pick another with --port`);
        throw e;
      });
      process.stdout.write(`faultline: serving ${root} at ${url} (Ctrl-C stops)\n`);
      if (!isLoopback(o.host))
        process.stderr.write(
          `faultline: warning: bound to ${o.host}, not loopback: anyone who can reach this machine on port ${port || "(chosen)"} can read every run under ${root}\n`,
        );
      await new Promise<void>((resolve) => {
        const stop = () => {
          server.close(() => resolve());
          server.closeAllConnections();
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
