// Repeated `--opt key=value` flags (run's --opt/--wopt/--ropt, check's --wopt), in a module of its own so a
// command can take them without loading the runner.
import { UsageError } from "../errors.ts";

/** Parses repeated `--opt key=value` settings; values that look like JSON are parsed. */
export function keyValues(v: string, acc: Record<string, unknown> = {}): Record<string, unknown> {
  const eq = v.indexOf("=");
  const k = eq < 0 ? v : v.slice(0, eq);
  const raw = eq < 0 ? "true" : v.slice(eq + 1);
  let val: unknown = raw;
  try {
    val = JSON.parse(raw);
  } catch {
    /* keep string */
  }
  if (k === "") throw new UsageError(`option ${JSON.stringify(v)} has no key: write key=value`);
  return { ...acc, [k]: val };
}
