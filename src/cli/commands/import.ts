// `faultline import [--from <format>] <file>`: converts another tool's history into faultline's JSONL.
import type { Command } from "commander";
import { writeFileSync } from "node:fs";
import { detectFileFormat, FORMATS, IMPORT_FORMATS } from "../../history/formats/index.ts";
import { fromJepsen } from "../../history/formats/workloads.ts";
import { readAs } from "../../history/import.ts";
import { pairOperations } from "../../history/pairs.ts";
import { lookup, workloads } from "../../registry.ts";
import { UsageError } from "../../errors.ts";

const NOTES: Record<string, string> = {
  "jepsen-edn":
    "Knossos reads a read of nil as an unknown read, and its corpus starts registers at 0: check with --nil-read unknown (and --initial 0 for Knossos' data).",
  "jepsen-json": "nemesis ops became fault events; for Jepsen's bank, counter and set histories give --workload.",
  "porcupine-etcd":
    ':fail :cas became fail with error "compare-failed" (the CAS ran, its compare failed); :fail :read :timed-out became a failed read (constrains nothing); initial value nil.',
  "porcupine-kv": 'values are [key, value]; check with --model kv (every key starts as "").',
};

export function register(program: Command): void {
  program
    .command("import <file>")
    .description("convert another tool's history into faultline's history.jsonl")
    .option("--from <format>", `source format: ${IMPORT_FORMATS.join(", ")} (default: detected from the content)`)
    .option(
      "--workload <name>",
      "map the workload's Jepsen conventions onto faultline's (bank :read → read-all, counter :add → incr, plain set elements → [key, element])",
    )
    .option("-o, --out <file>", "write the JSONL here (default: standard output)")
    .action(async (file: string, o: { from?: string; out?: string; workload?: string }) => {
      if (o.from !== undefined && !IMPORT_FORMATS.includes(o.from))
        throw new UsageError(`unknown format ${JSON.stringify(o.from)}; choose one of: ${IMPORT_FORMATS.join(", ")}`);
      if (o.workload !== undefined) await lookup("workload", workloads, o.workload);
      let from = o.from;
      if (from === undefined) {
        const d = detectFileFormat(file);
        if (!IMPORT_FORMATS.includes(d.format))
          throw new UsageError(`${file} is already faultline JSONL (detected: ${d.why}); nothing to import`);
        from = d.format;
        process.stderr.write(`faultline: ${file}: read as ${from} (detected: ${d.why}; --from to choose another)\n`);
      }
      const notes: string[] = [];
      let history = readAs(file, from, {}, notes);
      if (o.workload) history = fromJepsen(history, o.workload, notes);
      pairOperations(history, { file });
      const text = history.map((op) => JSON.stringify(op)).join("\n") + (history.length ? "\n" : "");
      if (o.out) writeFileSync(o.out, text);
      else process.stdout.write(text);
      for (const n of notes) process.stderr.write(`faultline: note: ${n}\n`);
      process.stderr.write(
        `faultline: imported ${history.length} events from ${file} (${FORMATS[from].description}). ${NOTES[from] ?? ""}\n`,
      );
    });
}
