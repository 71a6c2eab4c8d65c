// The faultline command line. Each command lives in commands/<name>.ts and registers itself here.
import { Command } from "commander";
import { EXIT_HELP, reportError } from "./errors.ts";
import { register as run } from "./commands/run.ts";
import { register as check } from "./commands/check.ts";
import { register as list } from "./commands/list.ts";
import { register as suite } from "./commands/suite.ts";
import { register as lab } from "./commands/lab.ts";
import { register as report } from "./commands/report.ts";
import { register as serve } from "./commands/serve.ts";
import { register as importCmd } from "./commands/import.ts";
import { register as exportCmd } from "./commands/export.ts";

const program = new Command("faultline")
  .description("Jepsen-style consistency checking and fault injection: run workloads against stores under faults, check the histories")
  .addHelpText("after", EXIT_HELP)
  .showHelpAfterError();

for (const add of [run, check, list, suite, lab, report, serve, importCmd, exportCmd]) add(program);

// `faultline` alone behaves like `faultline run` with defaults.
const argv = process.argv.slice(2);
const args = argv.length === 0 ? ["run"] : argv;
try {
  await program.parseAsync(args, { from: "user" });
} catch (e) {
  process.exitCode = reportError(e);
}
