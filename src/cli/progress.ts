// One live line on a terminal (elapsed, ok/fail/info, active fault); nothing extra when piped.
import type { RunProgress } from "../run/runner.ts";

export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): ((p: RunProgress) => void) | undefined {
  if (!stream.isTTY) return undefined;
  return (p) => {
    const line = `  ${p.elapsed.toFixed(1)}s  ok ${p.ok}  fail ${p.fail}  info ${p.info}${p.fault ? `  fault: ${p.fault}` : ""}`;
    stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 100) - 1)}`);
  };
}

export function clearProgress(stream: NodeJS.WriteStream = process.stderr): void {
  if (stream.isTTY) stream.write("\r\x1b[2K");
}
