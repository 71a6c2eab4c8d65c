// faultline histories → the inputs of the Porcupine comparison (porcupine-bench.ts), with Porcupine's
// semantics matched to faultline's so both tools check the same thing:
//   toEtcdLog: a single-register history as a Jepsen etcd log (Porcupine's test_data/jepsen format), read by
//     faultline's porcupine-etcd importer and by Porcupine's own parser. A failed CAS whose compare failed is
//     `:fail :cas`; a timed-out (info) op is `:info :<f> :timed-out` (Porcupine leaves it pending: crashed);
//     any other failed op did not happen, and a failed read constrains nothing: both become a timed-out read.
//   toPorcupineOps: a keyed register history as the driver's event list, one event per line in history order:
//     `c <process> <id> <key> <0 read|1 write|2 cas> <arg1> <arg2>` and `r <process> <id> <ok> <exists> <value> <unknown>`;
//     crashed ops' returns come last, unknown (as Porcupine's parser does); ops that did not happen are left out.
// Register values are small non-negative integers (Porcupine's parser reads \d+); null is nil.

interface Ev {
  process: number | string;
  type: string;
  f: string;
  value: unknown;
  error?: string;
}

const NIL = -1000000;

export function toEtcdLog(history: Ev[]): string {
  const lines: string[] = [];
  const line = (p: number | string, type: string, f: string, v: string) =>
    lines.push(`INFO  jepsen.util - ${p}\t:${type}\t:${f}\t${v}`);
  const arg = (f: string, v: unknown) =>
    f === "read" ? "nil" : f === "write" ? String(v) : `[${(v as number[])[0]} ${(v as number[])[1]}]`;
  for (const e of history) {
    if (e.process === "nemesis") continue;
    const v = Array.isArray(e.value) && e.value.length === 2 && typeof e.value[0] === "string" ? e.value[1] : e.value; // [key, value]
    if (e.type === "invoke") line(e.process, "invoke", e.f, arg(e.f, v));
    else if (e.type === "ok")
      line(e.process, "ok", e.f, e.f === "read" ? (v === null ? "nil" : String(v)) : arg(e.f, v));
    else if (e.type === "fail" && e.f === "cas" && e.error === "compare-failed")
      line(e.process, "fail", "cas", arg("cas", v));
    else if (e.type === "info") line(e.process, "info", e.f, ":timed-out");
    else line(e.process, "fail", "read", ":timed-out"); // unreachable for writes/cas in the sim: see above
  }
  return lines.join("\n") + "\n";
}

export function toPorcupineOps(history: Ev[]): string {
  const out: string[] = [],
    crashed: string[] = [];
  // A call goes out at its invocation's place; one whose op turns out not to have happened is blanked.
  const open = new Map<number | string, { id: number; at: number }>();
  let id = 0;
  for (const e of history) {
    if (e.process === "nemesis") continue;
    const [key, v] = e.value as [string, unknown];
    if (e.type === "invoke") {
      const op = e.f === "read" ? 0 : e.f === "write" ? 1 : 2;
      const [a1, a2] = e.f === "cas" ? (v as number[]) : e.f === "write" ? [v as number, 0] : [0, 0];
      open.set(e.process, { id, at: out.length });
      out.push(`c ${e.process} ${id} ${key} ${op} ${a1} ${a2}`);
      id++;
      continue;
    }
    const o = open.get(e.process)!;
    open.delete(e.process);
    if (e.type === "ok")
      out.push(`r ${e.process} ${o.id} 1 ${v === null ? 0 : 1} ${e.f === "read" ? (v === null ? NIL : v) : 0} 0`);
    else if (e.type === "fail" && e.f === "cas" && e.error === "compare-failed")
      out.push(`r ${e.process} ${o.id} 0 0 0 0`);
    else if (e.type === "info") crashed.push(`r ${e.process} ${o.id} 0 0 0 1`);
    else out[o.at] = "";
  }
  for (const [p, o] of open) crashed.push(`r ${p} ${o.id} 0 0 0 1`);
  return [...out.filter(Boolean), ...crashed].join("\n") + "\n";
}
