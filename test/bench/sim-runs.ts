// The seeded sim runs the benchmarks check, as generate.ts specs, so every table measures the same histories.

/** The sim run that generates a register history (linearizable mode; the kill nemesis for crashed ops). */
export const registerRun = (ops: number, procs: number, keys: number, crash: number) => ({
  mode: "linearizable",
  workload: "register",
  nemesis: crash ? ["kill"] : [],
  ops,
  concurrency: procs,
  keys,
  seed: `bench-${ops}-${procs}-${keys}-${crash}`,
});
