// Suite files: YAML, a list of cases, each a run configuration plus expectations per model.
// Validated once, with errors naming the file, line and field.
import { readFileSync } from "node:fs";
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import { UsageError } from "../registry.ts";
import { resolveConfig, type RunConfig } from "../run/config.ts";
import type { NodeSpec } from "../../nemeses/types.ts";

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

export interface Suite { name: string; file: string; cases: SuiteCase[] }

export class SuiteError extends UsageError {
  constructor(file: string, line: number, field: string, problem: string) {
    super(`${file}:${line}: ${field}: ${problem}`);
    this.name = "SuiteError";
  }
}

// YAML field → RunConfig field, with the kind of value it takes.
const FIELDS: Record<string, [keyof RunConfig, "string" | "number" | "list" | "map"]> = {
  target: ["target", "string"], mode: ["mode", "string"], workload: ["workload", "string"],
  nemesis: ["nemesis", "list"], "nemesis-interval": ["nemesisInterval", "number"], "nemesis-target": ["nemesisTarget", "string"],
  nodes: ["nodes", "number"], concurrency: ["concurrency", "number"], rate: ["rate", "number"],
  "time-limit": ["timeLimit", "number"], ops: ["ops", "number"], keys: ["keys", "number"],
  "op-timeout": ["opTimeout", "number"], quiet: ["quiet", "number"], seed: ["seed", "string"],
  options: ["targetOptions", "map"], "workload-options": ["workloadOptions", "map"],
  runtime: ["runtime", "string"], "runtime-options": ["runtimeOptions", "map"],
};
const CASE_ONLY = ["name", "description", "expect", "repeat", "allow-unknown"];

export function readSuite(file: string, resultsDir = "results"): Suite {
  let text: string;
  try { text = readFileSync(file, "utf8"); } catch (e) { throw new UsageError(`cannot read suite ${file}: ${(e as Error).message}`); }
  return parseSuite(text, file, resultsDir);
}

export function parseSuite(text: string, file: string, resultsDir = "results"): Suite {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new SuiteError(file, lc.linePos(e.pos[0]).line, "yaml", e.message.split("\n")[0]);
  }
  const lineOf = (n: YamlNode | null | undefined) => (n?.range ? lc.linePos(n.range[0]).line : 1);
  const root = doc.contents;
  if (!isMap(root)) throw new SuiteError(file, lineOf(root as YamlNode), "suite", "must be a mapping with `cases:` (and optionally `name:` and `defaults:`)");
  let js: Record<string, unknown>;
  // Aliases are expanded a bounded number of times: a "billion laughs" file is refused, not expanded.
  try { js = doc.toJS({ maxAliasCount: 1000 }) as Record<string, unknown>; } catch (e) { throw new SuiteError(file, 1, "yaml", (e as Error).message.split("\n")[0]); }
  for (const k of Object.keys(js)) if (!["name", "defaults", "cases", "description"].includes(k))
    throw new SuiteError(file, lineOf(doc.getIn([k], true) as YamlNode), k, "unknown top-level field (expected name, description, defaults, cases)");
  const suiteName = typeof js.name === "string" ? js.name : file.replace(/^.*\//, "").replace(/\.ya?ml$/, "");
  const defaultsNode = doc.getIn(["defaults"], true) as YamlNode | undefined;
  const defaults = readFields(js.defaults ?? {}, (f) => lineOf((doc.getIn(["defaults", f], true) as YamlNode) ?? defaultsNode), "defaults", file, true);
  const casesNode = doc.getIn(["cases"], true) as YamlNode | undefined;
  if (!isSeq(casesNode) || !Array.isArray(js.cases) || js.cases.length === 0)
    throw new SuiteError(file, lineOf(casesNode ?? root), "cases", "must be a non-empty list of cases");
  const seen = new Set<string>();
  const cases = (js.cases as unknown[]).map((raw, i) => {
    const at = (f?: string) => lineOf((f ? doc.getIn(["cases", i, f], true) : doc.getIn(["cases", i], true)) as YamlNode);
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new SuiteError(file, at(), `cases[${i}]`, "must be a mapping");
    const c = raw as Record<string, unknown>;
    if (typeof c.name !== "string" || !/^[A-Za-z0-9._-]+$/.test(c.name)) throw new SuiteError(file, at("name"), `cases[${i}].name`, "required: letters, digits, '.', '_' or '-'");
    if (seen.has(c.name)) throw new SuiteError(file, at("name"), `cases[${i}].name`, `duplicate case name ${JSON.stringify(c.name)}`);
    seen.add(c.name);
    const fields = readFields(c, (f) => at(f), `${c.name}`, file, false);
    const expect = readExpect(c.expect, (k) => lineOf(doc.getIn(["cases", i, "expect", k], true) as YamlNode) || at("expect"), c.name, file);
    const repeat = c.repeat ?? 1;
    if (!Number.isInteger(repeat) || (repeat as number) < 1) throw new SuiteError(file, at("repeat"), `${c.name}.repeat`, "must be a positive integer");
    const au = c["allow-unknown"];
    const allowUnknown = au === true ? Object.keys(expect) : au === undefined || au === false ? [] : Array.isArray(au) ? au.map(String) : null;
    if (!allowUnknown) throw new SuiteError(file, at("allow-unknown"), `${c.name}.allow-unknown`, "must be true, false or a list of models");
    let config: RunConfig;
    try {
      config = resolveConfig({ ...defaults, ...fields, name: `${suiteName}-${c.name}`, resultsDir });
    } catch (e) {
      throw new SuiteError(file, at(), c.name, (e as Error).message);
    }
    const sc: SuiteCase = { name: c.name, line: at(), config, repeat: repeat as number, expect, allowUnknown };
    if (typeof c.description === "string") sc.description = c.description;
    return sc;
  });
  return { name: suiteName, file, cases };
}

function readFields(obj: unknown, lineOf: (f: string) => number, where: string, file: string, isDefaults: boolean): Partial<RunConfig> {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) throw new SuiteError(file, lineOf(""), where, "must be a mapping");
  const out: Partial<RunConfig> = {};
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (!isDefaults && CASE_ONLY.includes(k)) continue;
    const spec = FIELDS[k];
    if (!spec) throw new SuiteError(file, lineOf(k), `${where}.${k}`, `unknown field; expected one of ${[...Object.keys(FIELDS), ...(isDefaults ? [] : CASE_ONLY)].join(", ")}`);
    const [field, kind] = spec;
    let value: unknown = v;
    if (kind === "number" && typeof v !== "number") throw new SuiteError(file, lineOf(k), `${where}.${k}`, `must be a number, got ${JSON.stringify(v)}`);
    if (kind === "string") {
      if (typeof v !== "string" && typeof v !== "number") throw new SuiteError(file, lineOf(k), `${where}.${k}`, `must be a string, got ${JSON.stringify(v)}`);
      value = String(v);
    }
    if (kind === "list") {
      if (typeof v === "string") value = v === "none" ? [] : v.split(",").map((s) => s.trim()).filter(Boolean);
      else if (Array.isArray(v) && v.every((x) => typeof x === "string")) value = v;
      else if (v === null) value = [];
      else throw new SuiteError(file, lineOf(k), `${where}.${k}`, `must be a list of names or a comma-separated string, got ${JSON.stringify(v)}`);
    }
    if (kind === "map" && (typeof v !== "object" || v === null || Array.isArray(v))) throw new SuiteError(file, lineOf(k), `${where}.${k}`, "must be a mapping of option: value");
    (out as Record<string, unknown>)[field] = field === "nemesisTarget" ? (value as NodeSpec) : value;
  }
  return out;
}

function readExpect(v: unknown, lineOf: (k: string) => number, where: string, file: string): Record<string, Expectation> {
  if (typeof v !== "object" || v === null || Array.isArray(v) || Object.keys(v).length === 0)
    throw new SuiteError(file, lineOf(""), `${where}.expect`, "required: a mapping of model → holds | violated | unknown (or anomaly kind → none | found)");
  const out: Record<string, Expectation> = {};
  for (const [k, e] of Object.entries(v as Record<string, unknown>)) {
    const norm = e === "held" ? "holds" : e === "valid" ? "holds" : e;
    if (!EXPECTATIONS.includes(norm as Expectation)) throw new SuiteError(file, lineOf(k), `${where}.expect.${k}`, `must be one of ${EXPECTATIONS.join(", ")}, got ${JSON.stringify(e)}`);
    out[k] = norm as Expectation;
  }
  return out;
}
