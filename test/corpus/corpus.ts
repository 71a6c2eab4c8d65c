// The corpus of other tools' histories with known verdicts (copied into test/corpus/data), and how to
// check each one: format from the directory, model and initial value from its expected.json.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createModel } from "../../checkers/linearizable/models/index.ts";
import type { Model } from "../../checkers/linearizable/model.ts";
import { FORMATS, inferModel, parseInitial } from "../../src/history/formats/index.ts";
import type { Op } from "../../src/history/op.ts";

export const CORPUS = join(import.meta.dirname, "data");

export interface CorpusCase {
  file: string; // path under CORPUS
  format: string;
  model: string;
  initial: unknown;
  expected: boolean; // linearizable?
  ops: number;
}

export function corpusCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  const knossos = JSON.parse(readFileSync(join(CORPUS, "knossos/expected.json"), "utf8")) as {
    file: string;
    model: string;
    initial: string;
    expected: string;
    ops: number;
  }[];
  for (const k of knossos) {
    out.push({
      file: `knossos/${k.file}`,
      format: "jepsen-edn",
      model: k.model,
      initial: parseInitial(k.initial),
      expected: k.expected === "linearizable",
      ops: k.ops,
    });
  }
  const porcupine = JSON.parse(readFileSync(join(CORPUS, "porcupine/expected.json"), "utf8")) as {
    file: string;
    model: string;
    expected: string;
    ops: number;
  }[];
  for (const p of porcupine) {
    if (p.expected === "none") continue;
    const etcd = p.model === "etcd-register";
    out.push({
      file: `porcupine/${p.file}`,
      format: etcd ? "porcupine-etcd" : "porcupine-kv",
      model: etcd ? "cas-register" : "kv",
      initial: etcd ? null : "",
      expected: p.expected === "linearizable",
      ops: p.ops,
    });
  }
  return out;
}

export function loadCase(c: CorpusCase): { history: Op[]; model: Model } {
  const fmt = FORMATS[c.format];
  const file = join(CORPUS, c.file);
  const history = fmt.parse(readFileSync(file, "utf8"), file);
  const model = createModel({
    name: c.model,
    initial: c.initial,
    nilReadIsUnknown: fmt.nilRead === "unknown",
    keyed: inferModel(history).keyed,
  });
  return { history, model };
}
