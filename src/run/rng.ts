// Every random choice comes from a seeded stream, so the same seed gives the same schedule.
// Separate named streams keep, e.g., the fault schedule independent of how client ops interleave.
import seedrandom from "seedrandom";

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  int(n: number): number; // uniform in [0, n)
  pick<T>(xs: readonly T[]): T;
  exp(mean: number): number; // exponential with the given mean
  chance(p: number): boolean;
  shuffle<T>(xs: readonly T[]): T[];
}

export function rng(seed: string, stream: string): Rng {
  const r = seedrandom(`${seed}/${stream}`);
  const next = () => r.quick();
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    exp: (mean) => -Math.log(1 - next()) * mean,
    chance: (p) => next() < p,
    shuffle(xs) {
      const a = [...xs];
      for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [a[i], a[j]] = [a[j], a[i]];
      }
      return a;
    },
  };
}
