// A target's `--opt key=value` settings as one declared schema: each option's type, default, rule and help
// text. One parser reads them all, so every target refuses a bad value with the same kind of message, naming
// the option, the rule and the value it got (a user mistake: UsageError, exit 3).
import { UsageError } from "../errors.ts";

interface Described {
  help: string;
}
export interface ChoiceOption<T extends string = string> extends Described {
  type: "choice";
  choices: readonly T[];
  default: T;
}
export interface BooleanOption extends Described {
  type: "boolean";
  default: boolean;
}
export interface IntegerOption extends Described {
  type: "integer";
  min: number;
  default?: number;
  unit?: string;
}
/** A positive number of milliseconds (fractions allowed). */
export interface MsOption extends Described {
  type: "ms";
  default: number;
}
export interface NumberOption extends Described {
  type: "number";
  min: number;
  default: number;
  unit?: string;
}
export interface StringOption extends Described {
  type: "string";
  default?: string;
}
export type OptionSpec = ChoiceOption | BooleanOption | IntegerOption | MsOption | NumberOption | StringOption;
export type OptionSchema = Record<string, OptionSpec>;

type ValueOf<O> =
  O extends ChoiceOption<infer T>
    ? T
    : O extends BooleanOption
      ? boolean
      : O extends { type: "integer"; default: number }
        ? number
        : O extends IntegerOption
          ? number | undefined
          : O extends MsOption | NumberOption
            ? number
            : O extends { type: "string"; default: string }
              ? string
              : string | undefined;
/** The parsed values of a schema, each option's type known from its declaration. */
export type OptionValues<S extends OptionSchema> = { -readonly [K in keyof S]: ValueOf<S[K]> };

/** Builders that keep each option's type (a choice's literal names) for OptionValues. */
export const option = {
  choice: <const T extends string>(choices: readonly T[], dflt: NoInfer<T>, help: string): ChoiceOption<T> => ({
    type: "choice",
    choices,
    default: dflt,
    help,
  }),
  boolean: (dflt: boolean, help: string): BooleanOption => ({ type: "boolean", default: dflt, help }),
  integer: <D extends number | undefined>(
    o: { min: number; default: D; unit?: string },
    help: string,
  ): IntegerOption & { default: D } => ({ type: "integer", ...o, help }),
  ms: (dflt: number, help: string): MsOption => ({ type: "ms", default: dflt, help }),
  number: (o: { min: number; default: number; unit?: string }, help: string): NumberOption => ({
    type: "number",
    ...o,
    help,
  }),
  string: (help: string): StringOption => ({ type: "string", help }),
};

/** Parses `given` against the schema: unknown keys, wrong types and out-of-range values are UsageErrors. */
export function parseOptions<S extends OptionSchema>(
  owner: string,
  schema: S,
  given: Record<string, unknown>,
): OptionValues<S> {
  const known = Object.keys(schema);
  for (const k of Object.keys(given)) {
    if (Object.hasOwn(schema, k)) continue;
    const near = suggestion(k, known);
    throw new UsageError(
      `${owner} has no option ${JSON.stringify(k)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""}; options: ${known.join(", ")}`,
    );
  }
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(schema)) {
    const raw = given[k];
    out[k] =
      raw === undefined
        ? spec.default
        : parseValue(
            spec,
            raw,
            (rule) => new UsageError(`${owner} option ${k} must be ${rule}, got ${JSON.stringify(raw)}`),
          );
  }
  return out as OptionValues<S>;
}

/** The rule a value must keep, as the error message and the help listing say it. */
export function ruleOf(spec: OptionSpec): string {
  switch (spec.type) {
    case "choice":
      return `one of ${spec.choices.join(", ")}`;
    case "boolean":
      return "true or false";
    case "integer":
      return `an integer ≥ ${spec.min}${spec.unit ? ` (${spec.unit})` : ""}`;
    case "ms":
      return "a positive number of ms";
    case "number":
      return `a number ≥ ${spec.min}${spec.unit ? ` (${spec.unit})` : ""}`;
    case "string":
      return "a string";
  }
}

function parseValue(spec: OptionSpec, raw: unknown, bad: (rule: string) => UsageError): unknown {
  const rule = ruleOf(spec);
  // --opt parses JSON, so numbers arrive as numbers; suites and tests may pass numeric strings.
  const num = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
  switch (spec.type) {
    case "choice": {
      // YAML reads a bare on/off as true/false.
      const v = raw === true ? "on" : raw === false ? "off" : typeof raw === "string" ? raw : undefined;
      if (v === undefined || !spec.choices.includes(v)) throw bad(rule);
      return v;
    }
    case "boolean":
      if (raw === true || raw === "true" || raw === "on") return true;
      if (raw === false || raw === "false" || raw === "off") return false;
      throw bad(rule);
    case "integer":
      if (!(Number.isInteger(num) && num >= spec.min)) throw bad(rule);
      return num;
    case "ms":
      if (!(Number.isFinite(num) && num > 0)) throw bad(rule);
      return num;
    case "number":
      if (!(Number.isFinite(num) && num >= spec.min)) throw bad(rule);
      return num;
    case "string":
      if (typeof raw !== "string") throw bad(rule);
      return raw;
  }
}

/** The known name closest to a mistyped one (a slip of a letter or two, or a swap), if any. */
export function suggestion(name: string, known: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(name.length / 4));
  let best: string | undefined,
    bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d <= limit && d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

/** One line per option: name, rule, default, help (for `faultline lab options`, the README). */
export function describeOptions(schema: OptionSchema): string[] {
  const width = Math.max(0, ...Object.keys(schema).map((k) => k.length));
  return Object.entries(schema).map(
    ([k, s]) =>
      `${k.padEnd(width)}  ${s.help} (${ruleOf(s)}${s.default !== undefined ? `; default ${s.default}` : ""})`,
  );
}
