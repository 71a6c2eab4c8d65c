// The faultline command line. Each command lives in commands/<name>.ts and registers itself here; only the
// command being run is loaded (help and unknown commands load them all), so `faultline check` never loads the
// run or lab code, let alone a store's driver.
import { Command, CommanderError } from "commander";
import { EXIT, EXIT_HELP, reportError } from "./errors.ts";
import { packageVersion } from "../version.ts";

type Registrar = { register(program: Command): void };
const COMMANDS: Record<string, () => Promise<Registrar>> = {
  run: () => import("./commands/run.ts"),
  check: () => import("./commands/check.ts"),
  list: () => import("./commands/list.ts"),
  suite: () => import("./commands/suite.ts"),
  lab: () => import("./commands/lab.ts"),
  report: () => import("./commands/report.ts"),
  serve: () => import("./commands/serve.ts"),
  import: () => import("./commands/import.ts"),
  export: () => import("./commands/export.ts"),
};

const program = new Command("faultline")
  .description(
    "Jepsen-style consistency checking and fault injection: run workloads against stores under faults, check the histories",
  )
  .version(packageVersion(), "-V, --version", "print faultline's version")
  .addHelpText("after", EXIT_HELP)
  .showHelpAfterError()
  // A usage mistake (unknown option or command, missing argument) exits 3, not commander's 1 ("anomaly found").
  .exitOverride();

// `faultline` alone behaves like `faultline run` with defaults.
const argv = process.argv.slice(2);
const args = argv.length === 0 ? ["run"] : argv;
try {
  const only = Object.hasOwn(COMMANDS, args[0])
    ? [args[0]]
    : args[0] === "-V" || args[0] === "--version"
      ? []
      : Object.keys(COMMANDS);
  for (const name of only) (await COMMANDS[name]()).register(program);
  for (const c of program.commands) exitOverrideAll(c);
  await program.parseAsync(args, { from: "user" });
} catch (e) {
  if (e instanceof CommanderError)
    process.exitCode = e.exitCode === 0 ? EXIT.valid : EXIT.usage; // help/--version: 0; its message is printed already
  else process.exitCode = reportError(e);
}

/** Commander gives each subcommand its own exit behaviour: make every one throw instead of exiting. */
function exitOverrideAll(c: Command): void {
  c.exitOverride();
  for (const sub of c.commands) exitOverrideAll(sub);
}
