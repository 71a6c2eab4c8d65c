// Exit codes, shared by every command: 0 valid, 1 anomaly found, 2 unknown, 3+ usage or infrastructure errors.
import { HistoryError } from "../history/op.ts";
import { UsageError } from "../errors.ts";

export const EXIT = { valid: 0, invalid: 1, unknown: 2, usage: 3, infrastructure: 4, interrupted: 130 } as const;

export const EXIT_HELP = `
Exit codes:
  0  every checker found the history valid
  1  an anomaly was found (the history is not valid for some checker)
  2  unknown: a checker could not decide (budget exhausted, unsupported history)
  3  usage error or bad input (unknown flag value, malformed history: file:line: field: problem)
  4  infrastructure error (a store failed to start, a missing package)`;

/** The exit code an error stands for: bad input and usage mistakes 3, else its own code or 4. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof HistoryError || e instanceof UsageError) return EXIT.usage;
  const err = e as { exitCode?: number; code?: string; path?: string } | undefined;
  if (err?.code === "ENOENT" && err.path) return EXIT.usage;
  return err?.exitCode ?? EXIT.infrastructure;
}

/** Prints an error the way a user needs it and returns the exit code. */
export function reportError(e: unknown): number {
  if (e instanceof HistoryError || e instanceof UsageError) {
    process.stderr.write(`faultline: ${e.message}\n`);
    return EXIT.usage;
  }
  const err = e as Error & { exitCode?: number; hint?: string; code?: string; path?: string };
  // A file named on the command line that is not there is the user's input, not the infrastructure.
  if (err?.code === "ENOENT" && err.path) {
    process.stderr.write(`faultline: no such file or directory: ${err.path}\n`);
    return EXIT.usage;
  }
  process.stderr.write(`faultline: ${err?.message ?? String(e)}\n${err?.hint ? err.hint + "\n" : ""}`);
  if (process.env.FAULTLINE_DEBUG && err?.stack) process.stderr.write(err.stack + "\n");
  return err?.exitCode ?? EXIT.infrastructure;
}
