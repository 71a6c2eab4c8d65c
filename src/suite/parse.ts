// Suite files: YAML, a list of cases, each a run configuration plus expectations per model.
// Validated once, with errors naming the file, line and field.
import { readFileSync } from "node:fs";
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import { UsageError } from "../errors.ts";
import { resolveConfig, type RunConfig } from "../run/config.ts";
import type { NodeSpec } from "../../nemeses/types.ts";
import { ScheduleError } from "../run/schedule.ts";

export type Expectation = "holds" | "violated" | "unknown" | "none" | "found";
export const EXPECTATIONS: readonly Expectation[] = ["holds", "violated", "unknown", "none", "found"];

export interface SuiteCase {
  name: string;
  description?: string;
  line: number;
  config: RunConfig;
  repeat: number;
  expect: Record<string, Expectation>;
  /** Models whose verdict may be `unknown` without failing the case. */
  allowUnknown: string[];
}

export interface Suite {
  name: string;
  file: string;
  cases: SuiteCase[];
}

/** A problem in a suite file, as `file:line: field: problem` (a usage error: exit code 3). */
const suiteError = (file: string, line: number, field: string, problem: string) =>
  new UsageError(`${file}:${line}: ${field}: ${problem}`);

// YAML field → RunConfig field, with the kind of value it takes.
const FIELDS: Record<string, [keyof RunConfig, "string" | "number" | "list" | "map" | "steps"]> = {
  target: ["target", "string"],
  mode: ["mode", "string"],
  workload: ["workload", "string"],
  nemesis: ["nemesis", "list"],
  "nemesis-schedule": ["nemesisSchedule", "steps"],
  "nemesis-interval": ["nemesisInterval", "number"],
  "nemesis-target": ["nemesisTarget", "string"],
  nodes: ["nodes", "number"],
  concurrency: ["concurrency", "number"],
  rate: ["rate", "number"],
  "time-limit": ["timeLimit", "number"],
  ops: ["ops", "number"],
  keys: ["keys", "number"],
  "op-timeout": ["opTimeout", "number"],
  quiet: ["quiet", "number"],
  seed: ["seed", "string"],
  options: ["targetOptions", "map"],
  "workload-options": ["workloadOptions", "map"],
  runtime: ["runtime", "string"],
  "runtime-options": ["runtimeOptions", "map"],
};
const CASE_ONLY = ["name", "description", "expect", "repeat", "allow-unknown"];
// Fields that are workload options under their own name (list-append, rw-register: the deciding models).
const WORKLOAD_FIELDS = ["consistency-models"];

export async function readSuite(file: string, resultsDir = "results"): Promise<Suite> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read suite ${file}: ${(e as Error).message}`);
  }
  return parseSuite(text, file, resultsDir);
}

export async function parseSuite(text: string, file: string, resultsDir = "results"): Promise<Suite> {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw suiteError(file, lc.linePos(e.pos[0]).line, "yaml", e.message.split("\n")[0]);
  }
  const lineOf = (n: YamlNode | null | undefined) => (n?.range ? lc.linePos(n.range[0]).line : 1);
  const root = doc.contents;
  if (!isMap(root))
    throw suiteError(
      file,
      lineOf(root as YamlNode),
      "suite",
      "must be a mapping with `cases:` (and optionally `name:` and `defaults:`)",
    );
  let js: Record<string, unknown>;
  // Aliases are expanded a bounded number of times: a "billion laughs" file is refused, not expanded.
  try {
    js = doc.toJS({ maxAliasCount: 1000 }) as Record<string, unknown>;
  } catch (e) {
    throw suiteError(file, 1, "yaml", (e as Error).message.split("\n")[0]);
  }
  for (const k of Object.keys(js))
    if (!["name", "defaults", "cases", "description"].includes(k))
      throw suiteError(
        file,
        lineOf(doc.getIn([k], true) as YamlNode),
        k,
        "unknown top-level field (expected name, description, defaults, cases)",
      );
  const suiteName = typeof js.name === "string" ? js.name : file.replace(/^.*\//, "").replace(/\.ya?ml$/, "");
  const defaultsNode = doc.getIn(["defaults"], true) as YamlNode | undefined;
  const defaults = readFields(
    js.defaults ?? {},
    (f) => lineOf((doc.getIn(["defaults", f], true) as YamlNode) ?? defaultsNode),
    "defaults",
    file,
    true,
  );
  const casesNode = doc.getIn(["cases"], true) as YamlNode | undefined;
  if (!isSeq(casesNode) || !Array.isArray(js.cases) || js.cases.length === 0)
    throw suiteError(file, lineOf(casesNode ?? root), "cases", "must be a non-empty list of cases");
  const seen = new Set<string>();
  const cases = (js.cases as unknown[]).map((raw, i) => {
    const at = (f?: string) =>
      lineOf((f ? doc.getIn(["cases", i, f], true) : doc.getIn(["cases", i], true)) as YamlNode);
    if (typeof raw !== "object" || raw === null || Array.isArray(raw))
      throw suiteError(file, at(), `cases[${i}]`, "must be a mapping");
    const c = raw as Record<string, unknown>;
    if (typeof c.name !== "string" || !/^[A-Za-z0-9._-]+$/.test(c.name))
      throw suiteError(file, at("name"), `cases[${i}].name`, "required: letters, digits, '.', '_' or '-'");
    if (seen.has(c.name))
      throw suiteError(file, at("name"), `cases[${i}].name`, `duplicate case name ${JSON.stringify(c.name)}`);
    seen.add(c.name);
    const fields = readFields(c, (f) => at(f), `${c.name}`, file, false);
    const expect = readExpect(
      c.expect,
      (k) => lineOf(doc.getIn(["cases", i, "expect", k], true) as YamlNode) || at("expect"),
      c.name,
      file,
    );
    const repeat = c.repeat ?? 1;
    if (!Number.isInteger(repeat) || (repeat as number) < 1)
      throw suiteError(file, at("repeat"), `${c.name}.repeat`, "must be a positive integer");
    const au = c["allow-unknown"];
    const allowUnknown =
      au === true
        ? Object.keys(expect)
        : au === undefined || au === false
          ? []
          : Array.isArray(au)
            ? au.map(String)
            : null;
    if (!allowUnknown)
      throw suiteError(file, at("allow-unknown"), `${c.name}.allow-unknown`, "must be true, false or a list of models");
    const partial: Partial<RunConfig> = {
      ...defaults,
      ...fields,
      workloadOptions: { ...defaults.workloadOptions, ...fields.workloadOptions },
      name: `${suiteName}-${c.name}`,
      resultsDir,
    };
    const sc = {
      name: c.name,
      line: at(),
      config: partial as RunConfig,
      repeat: repeat as number,
      expect,
      allowUnknown,
    } as SuiteCase;
    if (typeof c.description === "string") sc.description = c.description;
    return sc;
  });
  // Each case's configuration is validated once its fields are read (resolving loads the target).
  for (const [i, sc] of cases.entries()) {
    try {
      sc.config = await resolveConfig(sc.config);
    } catch (e) {
      const where = scheduleProblem(e, (path) =>
        lineOf(
          (doc.getIn(["cases", i, "nemesis-schedule", ...path], true) ??
            doc.getIn(["defaults", "nemesis-schedule", ...path], true)) as YamlNode,
        ),
      );
      if (where) throw suiteError(file, where.line, `${sc.name}.${where.field}`, where.problem);
      throw suiteError(file, sc.line, sc.name, (e as Error).message);
    }
  }
  return { name: suiteName, file, cases };
}

/** A schedule error's place in the YAML: its path (`[1].do[0].for`) as the line of that node. */
function scheduleProblem(
  e: unknown,
  lineOf: (path: (string | number)[]) => number,
): { line: number; field: string; problem: string } | undefined {
  const cause = (e as { cause?: unknown }).cause;
  if (!(cause instanceof ScheduleError)) return undefined;
  const path = [...cause.path.matchAll(/\[(\d+)\]|\.([^.[]+)/g)].map((m) => (m[1] !== undefined ? Number(m[1]) : m[2]));
  for (let n = path.length; n >= 0; n--) {
    const line = lineOf(path.slice(0, n));
    if (line > 1 || n === 0) return { line, field: `nemesis-schedule${cause.path}`, problem: cause.problem };
  }
  return undefined;
}

function readFields(
  obj: unknown,
  lineOf: (f: string) => number,
  where: string,
  file: string,
  isDefaults: boolean,
): Partial<RunConfig> {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj))
    throw suiteError(file, lineOf(""), where, "must be a mapping");
  const out: Partial<RunConfig> = {};
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (!isDefaults && CASE_ONLY.includes(k)) continue;
    if (WORKLOAD_FIELDS.includes(k)) {
      if (typeof v !== "string" && !(Array.isArray(v) && v.every((x) => typeof x === "string")))
        throw suiteError(
          file,
          lineOf(k),
          `${where}.${k}`,
          `must be a list of names or a comma-separated string, got ${JSON.stringify(v)}`,
        );
      out.workloadOptions = { ...out.workloadOptions, [k]: Array.isArray(v) ? v.join(",") : v };
      continue;
    }
    const spec = FIELDS[k];
    if (!spec)
      throw suiteError(
        file,
        lineOf(k),
        `${where}.${k}`,
        `unknown field; expected one of ${[...Object.keys(FIELDS), ...WORKLOAD_FIELDS, ...(isDefaults ? [] : CASE_ONLY)].join(", ")}`,
      );
    const [field, kind] = spec;
    let value: unknown = v;
    if (kind === "number" && typeof v !== "number")
      throw suiteError(file, lineOf(k), `${where}.${k}`, `must be a number, got ${JSON.stringify(v)}`);
    if (kind === "string") {
      if (typeof v !== "string" && typeof v !== "number")
        throw suiteError(file, lineOf(k), `${where}.${k}`, `must be a string, got ${JSON.stringify(v)}`);
      value = String(v);
    }
    if (kind === "list") {
      if (typeof v === "string")
        value =
          v === "none"
            ? []
            : v
                .split(",")
                .map((s) => s.trim())
                .filter(Boolean);
      else if (Array.isArray(v) && v.every((x) => typeof x === "string")) value = v;
      else if (v === null) value = [];
      else
        throw suiteError(
          file,
          lineOf(k),
          `${where}.${k}`,
          `must be a list of names or a comma-separated string, got ${JSON.stringify(v)}`,
        );
    }
    if (kind === "steps" && (!Array.isArray(v) || v.length === 0))
      throw suiteError(
        file,
        lineOf(k),
        `${where}.${k}`,
        "must be a list of steps (sleep, fault, heal, repeat, cycle, mix, time-limit)",
      );
    if (kind === "map" && (typeof v !== "object" || v === null || Array.isArray(v)))
      throw suiteError(file, lineOf(k), `${where}.${k}`, "must be a mapping of option: value");
    (out as Record<string, unknown>)[field] =
      field === "nemesisTarget"
        ? (value as NodeSpec)
        : field === "workloadOptions"
          ? { ...(value as object), ...out.workloadOptions }
          : value;
  }
  return out;
}

function readExpect(
  v: unknown,
  lineOf: (k: string) => number,
  where: string,
  file: string,
): Record<string, Expectation> {
  if (typeof v !== "object" || v === null || Array.isArray(v) || Object.keys(v).length === 0)
    throw suiteError(
      file,
      lineOf(""),
      `${where}.expect`,
      "required: a mapping of model → holds | violated | unknown (or anomaly kind → none | found)",
    );
  const out: Record<string, Expectation> = {};
  for (const [k, e] of Object.entries(v as Record<string, unknown>)) {
    const norm = e === "held" ? "holds" : e === "valid" ? "holds" : e;
    if (!EXPECTATIONS.includes(norm as Expectation))
      throw suiteError(
        file,
        lineOf(k),
        `${where}.expect.${k}`,
        `must be one of ${EXPECTATIONS.join(", ")}, got ${JSON.stringify(e)}`,
      );
    out[k] = norm as Expectation;
  }
  return out;
}
