// `faultline lab doctor|install|clean`: the local multi-node lab's host checks, setup and cleanup.
import type { Command } from "commander";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { EXIT } from "../errors.ts";

export function register(program: Command): void {
  const lab = program.command("lab").description("the local multi-node lab (network namespaces on this host): doctor, install, clean");

  lab.command("doctor")
    .description("list what the lab needs and what is missing, with the command that installs it (exit 0 when all is present)")
    .option("--json", "print the report as JSON")
    .action(async (o) => {
      const { doctor } = await import("../../lab/doctor.ts");
      const r = doctor();
      if (o.json) process.stdout.write(JSON.stringify(r, null, 2) + "\n");
      else {
        for (const c of r.checks) process.stdout.write(`${c.ok ? "  ok      " : "  MISSING "} ${c.name}${!c.ok && c.detail ? ` — ${c.detail}` : ""}\n`);
        for (const n of r.notes) process.stdout.write(`  note     ${n}\n`);
        if (r.missing.length) {
          process.stdout.write(`missing: ${r.missing.join(", ")}\n`);
          if (r.installCommand) process.stdout.write(`install with:\n  ${r.installCommand}\n(or: faultline lab install)\n`);
        } else process.stdout.write("the lab has everything it needs\n");
      }
      process.exitCode = r.missing.length ? EXIT.infrastructure : EXIT.valid;
    });

  lab.command("install")
    .description("install the lab's packages with apt-get (Debian/Ubuntu, as root): postgresql, redis-server, redis-sentinel, etcd-server, etcd-client, iptables, faketime, gcc")
    .option("--dry-run", "print what would run")
    .action((o) => {
      const script = fileURLToPath(new URL("../../lab/install.sh", import.meta.url));
      if (o.dryRun) { process.stdout.write(`sh ${script}\n`); return; }
      const r = spawnSync("sh", [script], { stdio: "inherit" });
      process.exitCode = r.status === 0 ? EXIT.valid : EXIT.infrastructure;
    });

  lab.command("clean")
    .description("remove what a killed run left: processes, firewall rules, clock offsets, namespaces, veths, bridges (only faultline's)")
    .action(async () => {
      const { cleanLab } = await import("../../lab/clean.ts");
      await import("../../lab/runtimes.ts");   // the docker and ssh runtimes' undo handlers
      if (process.getuid?.() !== 0) { process.stderr.write("faultline lab clean: needs root\n"); process.exitCode = EXIT.infrastructure; return; }
      const r = cleanLab();
      for (const u of r.undone) process.stdout.write(`  undone  ${u}\n`);
      for (const s of r.swept) process.stdout.write(`  removed ${s}\n`);
      for (const b of r.busy) process.stdout.write(`  in use  ${b} (left alone)\n`);
      for (const e of r.errors) process.stderr.write(`  error   ${e}\n`);
      if (!r.undone.length && !r.swept.length && !r.errors.length) process.stdout.write("nothing to clean\n");
      process.exitCode = r.errors.length ? EXIT.infrastructure : EXIT.valid;
    });
}
