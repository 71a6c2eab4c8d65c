// The exit code of a command that judged several histories: the worst one's. Errors that are not verdicts come
// first — 3 (usage error or bad input) before 4 (infrastructure) — then 1 (invalid) before 2 (unknown) before
// 0 (valid). Any other code counts as an infrastructure error.
const RANK = [3, 4, 1, 2, 0];
const rank = (code: number) => {
  const r = RANK.indexOf(code);
  return r === -1 ? RANK.indexOf(4) : r;
};

export function worstExit(codes: readonly number[]): number {
  let worst = 0;
  for (const c of codes) if (rank(c) < rank(worst)) worst = c;
  return worst;
}
