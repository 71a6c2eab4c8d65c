// Numbers and values in words, one way everywhere: the checkers' explanations, the CLI's text, the report's
// sentences and the report page (which bundles this file, so it imports nothing).

/** A run-relative time in nanoseconds as seconds with millisecond precision: "2.104 s". */
export function seconds(ns: number): string {
  return `${(ns / 1e9).toFixed(3)} s`;
}

/** A gap in nanoseconds in milliseconds, as explanations give it: "2.5 ms", "40 ms". */
export function millis(ns: number): string {
  return Math.abs(ns) < 10e6 ? `${(ns / 1e6).toFixed(1)} ms` : `${Math.round(ns / 1e6)} ms`;
}

/** A duration in nanoseconds at a sensible unit: "850 µs", "12 ms", "1.25 s"; "∞" when it never ended. */
export function duration(ns: number): string {
  if (!Number.isFinite(ns)) return "∞";
  const a = Math.abs(ns);
  if (a < 1e3) return `${Math.round(ns)} ns`;
  if (a < 1e6) return `${Math.round(ns / 1e3)} µs`;
  if (a < 1e9) return `${a < 1e7 ? (ns / 1e6).toFixed(1).replace(/\.0$/, "") : Math.round(ns / 1e6)} ms`;
  return `${(ns / 1e9).toFixed(a < 1e10 ? 2 : 1)} s`;
}

/** A value as JSON text, cut to `max` characters: "nothing" when there is none. */
export function show(v: unknown, max = 40): string {
  let s: string;
  try {
    s = v === undefined ? "nothing" : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > max ? s.slice(0, max) + "…" : s;
}

/** A value for a sentence: a plain word (a key, a node, a name) as it is, anything else as short JSON. */
export function plain(v: unknown, max = 80): string {
  if (typeof v === "string" && /^[\w.:@/-]{1,40}$/.test(v)) return v;
  return show(v, max - 1);
}
