// `faultline lab doctor|install|clean`: the local multi-node lab's host checks, setup and cleanup.
import type { Command } from "commander";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { EXIT } from "../errors.ts";
import { keyValues, runtimeOptionsFromFlags } from "./run.ts";
import type { DoctorReport } from "../../lab/doctor.ts";

export function register(program: Command): void {
  const lab = program
    .command("lab")
    .description(
      "the multi-node lab (namespaces on this host, docker containers, ssh hosts): doctor, install, image, clean",
    );

  lab
    .command("doctor")
    .description(
      "list what the lab needs and what is missing, with the command that installs it (exit 0 when all is present)",
    )
    .option("--json", "print the report as JSON")
    .option("--runtime <name>", "netns (default), docker or ssh")
    .option("--hosts <list>", "ssh: the hosts to check, [user@]host[:port],…")
    .option("--nodes-file <file>", "ssh: a nodes file")
    .option("--image <name>", "docker: the node image to look for")
    .option("--ropt <key=value>", "runtime option, repeatable (docker-host=…, key=…, known-hosts=…)", keyValues, {})
    .action(async (o) => {
      const runtime = o.runtime ?? "netns";
      const ropts = runtimeOptionsFromFlags(o);
      let r: DoctorReport;
      if (runtime === "netns") r = await (await import("../../lab/doctor.ts")).doctor();
      else if (runtime === "docker") {
        const { dockerDoctor } = await import("../../lab/docker.ts");
        r = await dockerDoctor({
          host: ropts["docker-host"] as string | undefined,
          image: ropts.image as string | undefined,
        });
      } else if (runtime === "ssh") {
        const { parseSshOptions, sshDoctor } = await import("../../lab/ssh.ts");
        let opts;
        try {
          opts = parseSshOptions(ropts);
        } catch (e) {
          process.stderr.write(`faultline lab doctor: ${(e as Error).message}\n`);
          process.exitCode = EXIT.usage;
          return;
        }
        r = await sshDoctor(opts);
      } else {
        process.stderr.write(
          `faultline lab doctor: unknown runtime ${JSON.stringify(runtime)}; runtimes: netns, docker, ssh\n`,
        );
        process.exitCode = EXIT.usage;
        return;
      }
      if (o.json) process.stdout.write(JSON.stringify(r, null, 2) + "\n");
      else {
        process.stdout.write(`runtime ${runtime}:\n`);
        for (const c of r.checks)
          process.stdout.write(
            `${c.ok ? "  ok      " : "  MISSING "} ${c.name}${(!c.ok || runtime !== "netns") && c.detail ? ` — ${c.detail}` : ""}\n`,
          );
        for (const n of r.notes) process.stdout.write(`  note     ${n}\n`);
        if (r.missing.length) {
          process.stdout.write(`missing: ${r.missing.join(", ")}\n`);
          if (r.installCommand)
            process.stdout.write(
              `install with:\n  ${r.installCommand}\n${runtime === "netns" ? "(or: faultline lab install)\n" : ""}`,
            );
        } else process.stdout.write(`the ${runtime} runtime has everything it needs\n`);
      }
      process.exitCode = r.missing.length ? EXIT.infrastructure : EXIT.valid;
    });

  lab
    .command("image")
    .description(
      "build the docker runtime's node image from Debian's packages (debootstrap + apt-get + docker import; no registry needed) and tag it",
    )
    .option("--force", "rebuild the root filesystem even when a cached one exists")
    .option(
      "--name <name>",
      "tag to give the image (default: faultline-node:<content hash>, also tagged faultline-node:latest)",
    )
    .option("--mirror <url>", "Debian mirror (default: the one apt uses here)")
    .option("--docker-host <host>", "engine (default: DOCKER_HOST, else unix:///var/run/docker.sock)")
    .action(async (o) => {
      const { dockerClient, dockerHost } = await import("../../lab/docker.ts");
      const { ensureImage, rootfsTar } = await import("../../lab/image/index.ts");
      const host = dockerHost(o.dockerHost);
      const docker = await dockerClient(host);
      try {
        await docker.ping();
      } catch (e) {
        process.stderr.write(
          `faultline lab image: no Docker engine answers at ${host} (${(e as Error).message})\n  check with: faultline lab doctor --runtime docker\n`,
        );
        process.exitCode = EXIT.infrastructure;
        return;
      }
      const t0 = Date.now();
      const r = await ensureImage(docker, {
        force: o.force,
        mirror: o.mirror,
        name: o.name,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      process.stdout.write(
        `${r.name}: ${r.built ? "built" : r.imported ? `imported from the cached root filesystem ${rootfsTar()}` : "already in the engine"}${r.built || r.imported ? ` in ${((Date.now() - t0) / 1000).toFixed(1)} s` : ""}\n`,
      );
    });

  lab
    .command("install")
    .description(
      "install the lab's packages with apt-get (Debian/Ubuntu, as root): every lab target's store and the netns runtime's tools (the script: faultline lab install-script)",
    )
    .option("--dry-run", "print what would run")
    .action((o) => {
      const script = fileURLToPath(new URL("../../lab/install.sh", import.meta.url));
      if (o.dryRun) {
        process.stdout.write(`sh ${script}\n`);
        return;
      }
      const r = spawnSync("sh", [script], { stdio: "inherit" });
      process.exitCode = r.status === 0 ? EXIT.valid : EXIT.infrastructure;
    });

  lab
    .command("install-script")
    .description(
      "print the install script, generated from the targets' declared packages (src/lab/install.sh is this output, checked in)",
    )
    .action(async () => {
      const { labTargets, localNeeds } = await import("../../target/all.ts");
      const { installScript } = await import("../../target/install-script.ts");
      process.stdout.write(installScript(localNeeds(await labTargets())));
    });

  lab
    .command("options")
    .argument("<target>", "a target's name (sim, etcd, postgres, redis, patroni)")
    .description("list a target's --opt settings: rule, default and what each does")
    .action(async (name: string) => {
      const { lookup, targets } = await import("../../registry.ts");
      const { describeOptions } = await import("../../target/options.ts");
      let target;
      try {
        target = await lookup("target", targets, name);
      } catch (e) {
        process.stderr.write(`faultline lab options: ${(e as Error).message}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      if (!target.schema) {
        process.stdout.write(`target ${name} declares no options\n`);
        return;
      }
      for (const line of describeOptions(target.schema)) process.stdout.write(`  ${line}\n`);
      if (target.needs) process.stdout.write(`packages: ${target.needs.packages.join(" ")}\n`);
    });

  lab
    .command("clean")
    .description(
      "remove what a killed run left: processes, firewall rules, clock offsets, namespaces, veths, bridges, containers and networks (only faultline's)",
    )
    .option(
      "--runtime <name>",
      "also sweep that runtime's own leftovers: docker (containers and networks labeled faultline=1 that no live run owns)",
    )
    .option("--docker-host <host>", "docker: the engine (default: DOCKER_HOST, else unix:///var/run/docker.sock)")
    .option(
      "--results <dir>",
      "results directory whose killed runs to mark and whose node data to remove (runs with keep-data keep it)",
      "results",
    )
    .action(async (o) => {
      const { cleanLab, cleanResults } = await import("../../lab/clean.ts");
      if (process.getuid?.() !== 0) {
        process.stderr.write("faultline lab clean: needs root\n");
        process.exitCode = EXIT.infrastructure;
        return;
      }
      if (o.runtime !== undefined && !["netns", "docker", "ssh"].includes(o.runtime)) {
        process.stderr.write(
          `faultline lab clean: unknown runtime ${JSON.stringify(o.runtime)}; runtimes: netns, docker, ssh\n`,
        );
        process.exitCode = EXIT.usage;
        return;
      }
      const r = cleanLab();
      cleanResults(o.results, r);
      if (o.runtime === "docker") {
        const { dockerHost, sweepDocker } = await import("../../lab/docker.ts");
        const { slots } = await import("../../lab/journal.ts");
        const live = new Set(
          slots()
            .filter((s) => s.alive)
            .map((s) => s.slot),
        );
        try {
          const d = await sweepDocker(dockerHost(o.dockerHost), live);
          r.swept.push(...d.removed);
          r.errors.push(...d.errors);
        } catch (e) {
          r.errors.push(`docker at ${dockerHost(o.dockerHost)}: ${(e as Error).message}`);
        }
      }
      for (const u of r.undone) process.stdout.write(`  undone  ${u}\n`);
      for (const s of r.swept) process.stdout.write(`  removed ${s}\n`);
      for (const b of r.busy) process.stdout.write(`  in use  ${b} (left alone)\n`);
      for (const e of r.errors) process.stderr.write(`  error   ${e}\n`);
      if (!r.undone.length && !r.swept.length && !r.errors.length) process.stdout.write("nothing to clean\n");
      process.exitCode = r.errors.length ? EXIT.infrastructure : EXIT.valid;
    });
}
