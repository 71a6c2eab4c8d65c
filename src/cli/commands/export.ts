// `faultline export --to jepsen-edn <history>`: writes a faultline history in another tool's format.
import type { Command } from "commander";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readHistory } from "../../history/reader.ts";
import { pairOperations } from "../../history/pairs.ts";
import { TRUNCATED_END } from "./check.ts";
import { historyToEdn } from "../../history/formats/jepsen-edn.ts";
import { FILES } from "../../results/store.ts";
import { UsageError } from "../../registry.ts";

export function register(program: Command): void {
  program.command("export <history>")
    .description("write a faultline history (history.jsonl or a run directory) as Jepsen EDN")
    .requiredOption("--to <format>", "target format: jepsen-edn")
    .option("-o, --out <file>", "write here (default: standard output)")
    .action((path: string, o: { to: string; out?: string }) => {
      if (o.to !== "jepsen-edn") throw new UsageError(`unknown export format ${JSON.stringify(o.to)}; choose one of: jepsen-edn`);
      const file = existsSync(path) && statSync(path).isDirectory() ? join(path, FILES.history) : path;
      const history = readHistory(file, TRUNCATED_END);
      // What import would refuse is not written: an unpaired completion, a crashed process that comes back.
      pairOperations(history, { file });
      const text = historyToEdn(history);
      if (o.out) writeFileSync(o.out, text); else process.stdout.write(text);
    });
}
