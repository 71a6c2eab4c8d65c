// `faultline import --from <format> <file>`: converts another tool's history into faultline's JSONL.
import type { Command } from "commander";
import { writeFileSync } from "node:fs";
import { FORMATS, IMPORT_FORMATS } from "../../history/formats/index.ts";
import { readAs } from "../../history/import.ts";
import { pairOperations } from "../../history/pairs.ts";
import { UsageError } from "../../registry.ts";

const NOTES: Record<string, string> = {
  "jepsen-edn": "Knossos reads a read of nil as an unknown read, and its corpus starts registers at 0: check with --nil-read unknown (and --initial 0 for Knossos' data).",
  "porcupine-etcd": ":fail :cas became fail with error \"compare-failed\" (the CAS ran, its compare failed); :fail :read :timed-out became a failed read (constrains nothing); initial value nil.",
  "porcupine-kv": "values are [key, value]; check with --model kv (every key starts as \"\").",
};

export function register(program: Command): void {
  program.command("import <file>")
    .description("convert another tool's history into faultline's history.jsonl")
    .requiredOption("--from <format>", `source format: ${IMPORT_FORMATS.join(", ")}`)
    .option("-o, --out <file>", "write the JSONL here (default: standard output)")
    .action((file: string, o: { from: string; out?: string }) => {
      if (!IMPORT_FORMATS.includes(o.from)) throw new UsageError(`unknown format ${JSON.stringify(o.from)}; choose one of: ${IMPORT_FORMATS.join(", ")}`);
      const history = readAs(file, o.from);
      pairOperations(history, { file });
      const text = history.map((op) => JSON.stringify(op)).join("\n") + (history.length ? "\n" : "");
      if (o.out) writeFileSync(o.out, text); else process.stdout.write(text);
      process.stderr.write(`faultline: imported ${history.length} events from ${file} (${FORMATS[o.from].description}). ${NOTES[o.from] ?? ""}\n`);
    });
}
