// A node link for transports whose only primitive is "run this argv as root on the node" (docker exec, ssh):
// user, environment, directory and timeout become a wrapper command; long-running processes are started
// detached by fl-node.sh and watched with it; files go up through `cat` and come back as a tar stream.
import { spawnSync } from "node:child_process";
import { LabError } from "./runtime.ts";
import {
  wrapCommand,
  type Conn,
  type NodeLink,
  type RunOptions,
  type RunResult,
  type SpawnRequest,
  type Spawned,
} from "./transport.ts";

export interface RawResult {
  exitCode: number;
  out: Buffer;
  err: Buffer;
  timedOut: boolean;
}

export abstract class ShellLink implements NodeLink {
  abstract readonly conn: Conn;
  private closed = false;

  /** `helper`: fl-node.sh's path on the node. */
  constructor(readonly helper: string) {}

  /** Runs argv on the node as root with `input` on stdin; `timeoutMs` 0 waits for ever, undefined is the transport's default. */
  protected abstract raw(argv: string[], o: { input?: string | Buffer; timeoutMs?: number }): Promise<RawResult>;

  async run(argv: string[], o: RunOptions = {}): Promise<RunResult> {
    const r = await this.raw(wrapCommand(argv, o), {
      input: o.input,
      timeoutMs: o.timeoutMs ? o.timeoutMs + 5000 : undefined,
    });
    // `timeout -s KILL` on the node ends a command with 137 before the transport's own timeout.
    return {
      exitCode: r.exitCode,
      stdout: r.out.toString(),
      stderr: r.err.toString(),
      timedOut: r.timedOut || (!!o.timeoutMs && r.exitCode === 137),
    };
  }

  async spawn(argv: string[], s: SpawnRequest): Promise<Spawned> {
    const cmd =
      s.env && Object.keys(s.env).length
        ? ["env", ...Object.entries(s.env).map(([k, v]) => `${k}=${v}`), ...argv]
        : argv;
    const r = await this.run([
      "sh",
      this.helper,
      "spawn",
      s.log,
      s.cwd ?? "/",
      s.user ?? "root",
      s.clock?.file ?? "-",
      s.clock?.shim ?? "-",
      "--",
      ...cmd,
    ]);
    const m = /^(\d+) (\d+)/.exec(r.stdout.trim());
    if (r.exitCode !== 0 || !m) throw new LabError((r.stderr || r.stdout).trim().slice(-400) || `exit ${r.exitCode}`);
    const [pid, start] = [Number(m[1]), m[2]];
    return { pid, start, exited: this.watch(pid, start) };
  }

  /** Resolves when the process is gone, or the link was closed. */
  private async watch(pid: number, start: string): Promise<void> {
    for (;;) {
      const code = (
        await this.raw(["sh", this.helper, "watch", String(pid), start], { timeoutMs: 0 }).catch(() => ({
          exitCode: -1,
        }))
      ).exitCode;
      if (this.closed) return;
      // The watch also ends when the connection drops: only a clean end means the process is gone.
      if (
        code === 0 ||
        (await this.run(["sh", this.helper, "alive", String(pid), start]).catch(() => ({ exitCode: -1 }))).exitCode ===
          1
      )
        return;
      await new Promise((res) => setTimeout(res, 500));
    }
  }

  async upload(path: string, data: string | Buffer, mode = 0o644): Promise<void> {
    const r = await this.run(["sh", "-c", 'cat > "$0" && chmod "$1" "$0"', path, mode.toString(8)], { input: data });
    if (r.exitCode !== 0) throw new LabError(`writing ${path} on ${this.conn.where} failed: ${r.stderr.trim()}`);
  }

  async download(dir: string, localDir: string): Promise<void> {
    const r = await this.raw(["sh", this.helper, "tar", dir], { timeoutMs: 120_000 });
    if (r.exitCode !== 0) throw new LabError(`tar on ${this.conn.where} failed: ${r.err.toString().trim()}`);
    const x = spawnSync("tar", ["-x", "-C", localDir, "--no-same-owner"], { input: r.out, encoding: "utf8" });
    if (x.status !== 0) throw new LabError(`extracting ${this.conn.where}'s files failed: ${x.stderr.trim()}`);
  }

  close(): void {
    this.closed = true;
  }
}
