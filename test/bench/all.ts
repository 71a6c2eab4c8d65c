// `npm run bench [-- flags]`: every benchmark table in turn, each in its own process; the flags (e.g. --quick,
// --only <substring>) go to the linearizability bench, which reads them. The lab bench runs only where the lab
// can (root and the lab packages: `faultline lab doctor`).
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const here = import.meta.dirname;
const args = process.argv.slice(2);
const tsx = (script: string, argv: string[] = []) => {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(here, script), ...argv], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
tsx("bench.ts", args);
for (const s of [
  "cli-bench.ts",
  "read-bench.ts",
  "spectrum-bench.ts",
  "report-bench.ts",
  "txn-bench.ts",
  "porcupine-bench.ts",
])
  tsx(s);
const doctor = spawnSync(process.execPath, [join(here, "../../bin/faultline.js"), "lab", "doctor"], {
  stdio: "ignore",
});
if (doctor.status === 0) tsx("lab-bench.ts");
else console.log("lab bench skipped: run as root with the lab packages (faultline lab doctor)");
