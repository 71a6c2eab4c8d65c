// `faultline export --to jepsen-edn|jepsen-json <history>`: writes a faultline history in Jepsen's format,
// in the workload's Jepsen conventions (bank read-all → :read, counter incr → :add, one set's [key, element]
// → plain elements), so Jepsen's own checkers can read it.
import type { Command } from "commander";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { readHistory } from "../../history/reader.ts";
import { pairOperations } from "../../history/pairs.ts";
import { TRUNCATED_END } from "./check.ts";
import { historyToEdn } from "../../history/formats/jepsen-edn.ts";
import { historyToJepsenJson } from "../../history/formats/jepsen-json.ts";
import { toJepsen } from "../../history/formats/workloads.ts";
import { FILES, readJson } from "../../results/store.ts";
import { lookup, workloads } from "../../registry.ts";
import { UsageError } from "../../errors.ts";

const TO: Record<string, (ops: Parameters<typeof historyToEdn>[0]) => string> = {
  "jepsen-edn": historyToEdn,
  "jepsen-json": historyToJepsenJson,
};

export function register(program: Command): void {
  program
    .command("export <history>")
    .description("write a faultline history (history.jsonl or a run directory) as Jepsen EDN or JSON")
    .requiredOption("--to <format>", `target format: ${Object.keys(TO).join(", ")}`)
    .option(
      "--workload <name>",
      "write in this workload's Jepsen conventions (default: the run's, from run.json beside the history)",
    )
    .option("-o, --out <file>", "write here (default: standard output)")
    .action(async (path: string, o: { to: string; out?: string; workload?: string }) => {
      const write = TO[o.to];
      if (!write)
        throw new UsageError(
          `unknown export format ${JSON.stringify(o.to)}; choose one of: ${Object.keys(TO).join(", ")}`,
        );
      const file = existsSync(path) && statSync(path).isDirectory() ? join(path, FILES.history) : path;
      const workload =
        o.workload ?? readJson<{ config?: { workload?: string } }>(join(dirname(file), FILES.run))?.config?.workload;
      if (workload !== undefined) await lookup("workload", workloads, workload);
      const history = readHistory(file, TRUNCATED_END);
      // What import would refuse is not written: an unpaired completion, a crashed process that comes back.
      pairOperations(history, { file });
      const text = write(workload ? toJepsen(history, workload) : history);
      if (o.out) writeFileSync(o.out, text);
      else process.stdout.write(text);
    });
}
