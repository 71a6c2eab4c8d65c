// The cleanup journal: every resource the lab creates is appended here BEFORE it is created, so whatever
// happens to the harness (normal exit, Ctrl-C, SIGTERM, an uncaught error, SIGKILL) it can be undone.
//
// Layout: <state>/lab-<slot>/journal.jsonl, one JSON entry per line; the first names the owner (pid and
// its start time, so a recycled pid is not mistaken for a live run). Entries are `{id, kind, ...}`; an
// `{kind: "undone", ref}` line marks an entry already undone. Undo replays the live entries in reverse
// through synchronous handlers (one per kind, in undo.ts's table), so the same code runs from destroy(),
// from a process 'exit' hook and from `faultline lab clean` in a new process.
// A slot is claimed by creating its directory (atomic); a slot whose owner is dead holds leftovers.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { LabError } from "./runtime.ts";
import { UNDO } from "./undo.ts";

export interface JournalEntry {
  id: number;
  kind: string;
  [k: string]: unknown;
}

export interface Owner {
  pid: number;
  start: string | undefined;
  started: string;
  argv: string[];
  runtime: string;
}

/** Where lab state lives: FAULTLINE_LAB_STATE or /run/faultline (tmpfs: cleared with the namespaces on reboot). */
export const stateDir = (): string => process.env.FAULTLINE_LAB_STATE ?? "/run/faultline";

/** The kernel's start time of a process (field 22 of /proc/pid/stat), to tell a pid from a recycled one. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

export const ownerAlive = (o: Owner): boolean =>
  o.pid === process.pid || (processStart(o.pid) !== undefined && processStart(o.pid) === o.start);

export class Journal {
  private nextId = 1;
  private released = false;

  private constructor(
    readonly slot: number,
    readonly dir: string,
  ) {}

  get file(): string {
    return join(this.dir, "journal.jsonl");
  }

  /** Claims a free slot (the given one, or the lowest free one up to `maxSlots`). Refuses when a slot
   *  holds a dead run's leftovers: those must be cleaned with `faultline lab clean` first. */
  static claim(runtime: string, slot?: number, maxSlots = 32): Journal {
    const root = stateDir();
    mkdirSync(root, { recursive: true, mode: 0o755 });
    const candidates = slot !== undefined ? [slot] : Array.from({ length: maxSlots }, (_, i) => i);
    const busy: string[] = [];
    for (const s of candidates) {
      const dir = join(root, `lab-${s}`);
      try {
        mkdirSync(dir, { mode: 0o755 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        const owner = readOwner(dir);
        if (owner && ownerAlive(owner)) {
          busy.push(`slot ${s} (pid ${owner.pid})`);
          continue;
        }
        throw leftovers(s, dir, owner);
      }
      const j = new Journal(s, dir);
      const owner: Owner = {
        pid: process.pid,
        start: processStart(process.pid),
        started: new Date().toISOString(),
        argv: process.argv.slice(1),
        runtime,
      };
      appendFileSync(j.file, JSON.stringify({ id: 0, kind: "owner", ...owner }) + "\n");
      active.add(j);
      installExitHooks();
      return j;
    }
    throw new LabError(
      `every lab slot is in use by a running faultline: ${busy.join(", ")}`,
      "wait for those runs to finish, or stop them (Ctrl-C cleans up)",
    );
  }

  /** Opens an existing slot's journal (for `lab clean`). */
  static open(slot: number): Journal {
    const j = new Journal(slot, join(stateDir(), `lab-${slot}`));
    j.nextId = Math.max(0, ...j.entries().map((e) => e.id)) + 1;
    return j;
  }

  /** Appends an entry (before the resource exists) and returns it with its id. */
  record(kind: string, data: Record<string, unknown>): JournalEntry {
    if (this.released) throw new LabError("the lab was already torn down");
    const entry: JournalEntry = { id: this.nextId++, kind, ...data };
    appendFileSync(this.file, JSON.stringify(entry) + "\n");
    return entry;
  }

  /** Adds facts to an entry (e.g. a pid once the process exists). */
  update(entry: JournalEntry, data: Record<string, unknown>): void {
    Object.assign(entry, data);
    appendFileSync(this.file, JSON.stringify({ id: this.nextId++, kind: "update", ref: entry.id, ...data }) + "\n");
  }

  /** Marks an entry undone (the resource is gone through the normal path). */
  done(entry: JournalEntry): void {
    if (this.released) return;
    appendFileSync(this.file, JSON.stringify({ id: this.nextId++, kind: "undone", ref: entry.id }) + "\n");
  }

  /** The journal's resource entries still to undo, in creation order, with their updates merged. */
  entries(): JournalEntry[] {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch {
      return [];
    }
    const live = new Map<number, JournalEntry>();
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      let e: JournalEntry;
      try {
        e = JSON.parse(line);
      } catch {
        continue;
      } // a line torn by SIGKILL mid-write
      if (e.kind === "undone") live.delete(e.ref as number);
      else if (e.kind === "update") {
        const t = live.get(e.ref as number);
        if (t) {
          const { id: _i, kind: _k, ref: _r, ...rest } = e;
          Object.assign(t, rest);
        }
      } else if (e.kind !== "owner") live.set(e.id, e);
    }
    return [...live.values()];
  }

  owner(): Owner | undefined {
    return readOwner(this.dir);
  }

  /** Undoes every live entry in reverse order, then removes the slot. Synchronous, so it also runs from
   *  an 'exit' hook. Returns a description of what was undone; handler errors are collected, not thrown. */
  undoAll(): { undone: string[]; errors: string[] } {
    const undone: string[] = [];
    const errors: string[] = [];
    if (this.released) return { undone, errors };
    for (const e of this.entries().reverse()) {
      const h = Object.hasOwn(UNDO, e.kind) ? UNDO[e.kind] : undefined;
      if (!h) {
        errors.push(`no undo for ${e.kind} ${JSON.stringify(e)}`);
        continue;
      }
      try {
        h(e);
        undone.push(describe(e));
      } catch (err) {
        errors.push(`${describe(e)}: ${(err as Error).message}`);
      }
    }
    if (!errors.length) {
      rmSync(this.dir, { recursive: true, force: true });
      this.released = true;
      active.delete(this);
    }
    return { undone, errors };
  }
}

function describe(e: JournalEntry): string {
  const name = e.name ?? e.ns ?? e.file ?? "";
  return `${e.kind}${name ? " " + name : ""}${e.pid ? ` (pid ${e.pid})` : ""}`;
}

function readOwner(dir: string): Owner | undefined {
  try {
    const first = readFileSync(join(dir, "journal.jsonl"), "utf8").split("\n")[0];
    const o = JSON.parse(first);
    return o.kind === "owner" ? o : undefined;
  } catch {
    return undefined;
  }
}

function leftovers(slot: number, dir: string, owner: Owner | undefined): LabError {
  const who = owner
    ? `a faultline run (pid ${owner.pid}, started ${owner.started}) that is no longer running`
    : "a faultline run that is no longer running";
  return new LabError(
    `lab slot ${slot} holds leftovers of ${who}: namespaces, processes or rules may still exist (journal ${join(dir, "journal.jsonl")})`,
    "run `faultline lab clean` to remove them, then start again",
  );
}

/** Every slot directory under the state dir, with its owner and whether that owner still runs. */
export function slots(): { slot: number; dir: string; owner: Owner | undefined; alive: boolean }[] {
  const root = stateDir();
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((d) => /^lab-(\d+)$/.exec(d))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => {
      const dir = join(root, m[0]);
      const owner = readOwner(dir);
      return { slot: Number(m[1]), dir, owner, alive: owner ? ownerAlive(owner) : false };
    })
    .sort((a, b) => a.slot - b.slot);
}

// ---- undo on every way out of the process -------------------------------------------------------------
const active = new Set<Journal>();
let hooked = false;

/** Undoes every journal this process owns (synchronously). */
export function undoActive(): void {
  for (const j of [...active]) {
    const { errors } = j.undoAll();
    if (errors.length)
      process.stderr.write(
        `faultline: lab cleanup left problems (run \`faultline lab clean\`):\n  ${errors.join("\n  ")}\n`,
      );
  }
}

function installExitHooks(): void {
  if (hooked) return;
  hooked = true;
  // 'exit' runs on normal exit, process.exit() (e.g. a second Ctrl-C) and after an uncaught error.
  process.on("exit", undoActive);
  for (const [sig, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    process.on(sig, () => {
      // Someone else (the run command) handles this signal: it heals and tears down; 'exit' covers the rest.
      if (process.listenerCount(sig) > 1) return;
      undoActive();
      process.exit(code);
    });
  }
}
