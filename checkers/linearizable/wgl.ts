// Wing–Gong–Lowe linearizability search with Lowe's configuration cache, as in Porcupine, tuned for large
// histories, in parts: the entry list (entries.ts), the configuration cache with its one `visit`
// (cache.ts), the crashed-op pool (crashed.ts), and here the loop.
//
// The search repeatedly "lifts" the first call whose model step is legal (removing its call and return
// entries), and backtracks when it reaches a return entry: that op would have had to be linearized before it
// returned, and nothing could be. It succeeds when no return entries remain. Crashed (info) operations have no
// return entry: they may be linearized at any point after their call, or never, so they never force a
// backtrack (Knossos' and Porcupine's semantics).
//
// A search can be paused and resumed (`run(untilSteps)`), so many partitions can be searched interleaved
// (schedule.ts): a pause costs nothing, and a resumed search takes exactly the steps it would have taken.
//
// Budgets: steps (`run`'s limit) and cache bytes (an estimate of the table + search stack). When one runs
// out the result is "unknown", with the longest linearization found so far.
import { ConfigCache, FULL, NEW } from "./cache.ts";
import { CrashedPool } from "./crashed.ts";
import { EntryList } from "./entries.ts";
import { modelOp, type Model, type ModelOp } from "./model.ts";

export interface SearchOp {
  id: number; // 0..n-1 within the partition
  op: ModelOp;
  call: number; // ordering positions (history indexes)
  ret: number; // Infinity for indeterminate ops
}

/** A search op. Its hidden class is made first with `ret` Infinity (a double): made first with an integer, the
 *  first crashed op's Infinity changed the class and every search op made before was migrated on its next
 *  access (a cold 10k-op check with crashed ops spent a third of its time there). */
export function searchOp(id: number, op: ModelOp, call: number, ret: number): SearchOp {
  return { id, op, call, ret };
}
// Kept, so the class lives.
const SETTLED: SearchOp[] = [];
SETTLED.push(searchOp(0, modelOp("", null, undefined, "info"), 0, Infinity));

export interface SearchBudget {
  /** Give up (verdict "unknown") after this many search steps. */
  maxSteps?: number;
  /** Give up when the cache and search stack would exceed this many bytes (an estimate). */
  maxCacheBytes?: number;
  /** Also charge one step per this many crashed-op dominance comparisons. With hundreds of crashed ops of
   *  distinct kinds a step can cost thousands of comparisons; charging them keeps a step budget a time
   *  budget (the witness shrinker, whose candidates demote most ops to crashed ones, sets it). */
  comparisonsPerStep?: number;
}

export interface SearchResult {
  valid: boolean | "unknown";
  steps: number;
  cacheEntries: number;
  /** For invalid (and unknown) results: the longest prefix linearized, with the state after each op. */
  longest: { id: number; stateAfter: unknown }[];
  /** Ops that could not be placed after the longest prefix: the op whose return blocked it. */
  blocked: number[];
  reason?: string;
}

/** Searches a partition to the end or until a budget runs out. */
export function searchLinearization(model: Model, ops: SearchOp[], budget: SearchBudget = {}): SearchResult {
  const s = new LinearizationSearch(model, ops, budget);
  const maxSteps = budget.maxSteps ?? Infinity;
  return s.run(maxSteps) ?? s.stop(`search budget of ${maxSteps} steps exhausted`);
}

export class LinearizationSearch {
  steps = 0;
  private readonly list: EntryList;
  private readonly crashed: CrashedPool;
  readonly cache: ConfigCache;
  /** Three Zobrist keys per op, interleaved: z[3 id], z[3 id + 1], z[3 id + 2]. */
  private readonly z: Int32Array;
  private readonly readOnly: Uint8Array;
  private readonly stateIds = new Map<unknown, number>();
  private readonly states: unknown[] = [];
  // The loop's position, kept between runs.
  private h1 = 0;
  private h2 = 0;
  private h3 = 0;
  private stateId: number;
  // The search stack, one frame per lifted op, three ints each in one typed array (no object per step): the
  // entry lifted, the state before it, and the barrier entry to restore on backtracking (0: none; -1: the frame
  // was a forced move, which never has one).
  private readonly stack: Int32Array;
  private depth = 0;
  // The deepest stack so far (the longest linearization), copied out when it grows: `agree` is how much of the
  // current stack is still the same as it (a copy starts there, so copying costs no more than the pushes).
  private readonly bestEntry: Int32Array;
  private bestDepth = 0;
  private agree = 0;
  private bestBlocked = -1;
  private entry: number;
  private phase = 0;
  private barrierEntry = 0;
  private barrier = Infinity;
  private fresh = true;
  private done: SearchResult | undefined;

  constructor(
    private readonly model: Model,
    private readonly ops: readonly SearchOp[],
    budget: SearchBudget = {},
  ) {
    const n = ops.length;
    this.crashed = new CrashedPool(ops, budget.comparisonsPerStep ? 1 / budget.comparisonsPerStep : 0);
    this.list = new EntryList(ops, this.crashed);
    this.cache = new ConfigCache(this.crashed, n);
    this.cache.setBudget(budget.maxCacheBytes);
    // Zobrist keys of the completed ops (crashed ops are counted per kind instead: crashed.ts).
    const z = (this.z = zobristKeys(n));
    for (let i = 0; i < n; i++)
      if (this.crashed.kindOf[i] >= 0) {
        z[3 * i] = 0;
        z[3 * i + 1] = 0;
        z[3 * i + 2] = 0;
      }
    // Forced moves: a completed op that is legal now and leaves the state unchanged (a read that sees the
    // current value, a failed compare) can be linearized right now without loss of generality (moving it
    // earlier breaks no real-time or state constraint), so it is lifted without trying alternatives, and if
    // that configuration fails, so does this one. This removes the orderings of concurrent reads.
    this.readOnly = new Uint8Array(n);
    if (model.readOnly)
      for (let i = 0; i < n; i++) if (ops[i].ret !== Infinity && model.readOnly(ops[i].op)) this.readOnly[i] = 1;
    // One allocation for both: the stack's 3 (n + 1) ints, then the longest linearization's n + 1 entries.
    this.stack = new Int32Array(4 * n + 4);
    this.bestEntry = this.stack.subarray(3 * n + 3);
    this.stateId = this.intern(model.init());
    this.entry = this.list.next[0];
  }

  /** The cache's memory estimate so far, in bytes. */
  get bytes(): number {
    return this.cache.bytes;
  }

  /** Searches on until the result or until `untilSteps` steps in all (then undefined: paused, resumable). */
  run(untilSteps: number): SearchResult | undefined {
    if (this.done) return this.done;
    const { model, ops, list, crashed, cache, z, readOnly, states } = this;
    const { entOp, entCall, entPos, next } = list;
    const { kindOf, linCount, rank } = crashed;
    const I = list.crashedHead;
    const charge = crashed.charging;
    const { stack, bestEntry } = this;
    let { steps, h1, h2, h3, stateId, depth, agree, bestDepth, entry, phase, barrierEntry, barrier, fresh } = this;
    const save = () => {
      this.steps = steps;
      this.h1 = h1;
      this.h2 = h2;
      this.h3 = h3;
      this.stateId = stateId;
      this.depth = depth;
      this.agree = agree;
      this.bestDepth = bestDepth;
      this.entry = entry;
      this.phase = phase;
      this.barrierEntry = barrierEntry;
      this.barrier = barrier;
      this.fresh = fresh;
    };
    const push = (e: number, forced: boolean) => {
      const at = 3 * depth;
      stack[at] = e;
      stack[at + 1] = stateId;
      stack[at + 2] = forced ? -1 : phase === 1 ? barrierEntry : 0;
      depth++;
      if (depth > bestDepth) {
        for (let i = agree; i < depth; i++) bestEntry[i] = stack[3 * i];
        bestDepth = agree = depth;
        this.bestBlocked = -1;
      }
      list.lift(e);
      entry = next[0];
      phase = 0;
      fresh = true;
    };
    while (list.returns > 0) {
      if (steps + 1 > untilSteps) {
        save();
        return undefined;
      }
      steps++;
      let candidate = -1;
      if (fresh) {
        fresh = false;
        // A forced move first, if there is one (see the constructor).
        let forced = -1;
        for (let e = next[0]; e !== -1 && entCall[e]; e = next[e]) {
          const fid = entOp[e];
          if (readOnly[fid] && model.step(states[stateId], ops[fid].op) !== undefined) {
            forced = e;
            break;
          }
        }
        if (forced >= 0) {
          const fid = entOp[forced];
          const a = h1 ^ z[3 * fid],
            b = h2 ^ z[3 * fid + 1],
            c = h3 ^ z[3 * fid + 2];
          const v = cache.visit(a, b, c, stateId);
          if (charge) {
            steps += crashed.charged;
            crashed.charged = 0;
          }
          if (v === FULL) {
            save();
            return this.finish("unknown", this.budgetReason());
          }
          if (v === NEW) {
            h1 = a;
            h2 = b;
            h3 = c;
            push(forced, true);
            continue;
          }
          candidate = -2; // explored already: this configuration fails
        }
      }
      if (candidate === -1) {
        if (phase === 0) {
          if (entCall[entry]) candidate = entry;
          else {
            barrierEntry = entry;
            barrier = entPos[entry];
            phase = 1;
            entry = next[I];
            continue;
          }
        } else if (entry !== -1 && entPos[entry] < barrier) candidate = entry;
      }
      if (candidate >= 0) {
        const id = entOp[entry];
        // A read-only op here (phase 0: a call before the first return) is never legal: this configuration's
        // forced-move scan found none legal in this state (or a forced move was taken and this is not reached).
        const kind = kindOf[id];
        if (!readOnly[id] && (kind < 0 || linCount[kind] === rank[id])) {
          const nextState = model.step(states[stateId], ops[id].op);
          if (nextState !== undefined) {
            const sid = nextState === states[stateId] ? stateId : this.intern(nextState);
            const a = h1 ^ z[3 * id],
              b = h2 ^ z[3 * id + 1],
              c = h3 ^ z[3 * id + 2];
            if (kind >= 0) linCount[kind]++;
            const v = cache.visit(a, b, c, sid);
            if (charge) {
              steps += crashed.charged;
              crashed.charged = 0;
            }
            if (v === FULL) {
              if (kind >= 0) linCount[kind]--;
              save();
              return this.finish("unknown", this.budgetReason());
            }
            if (v === NEW) {
              push(entry, false);
              stateId = sid;
              h1 = a;
              h2 = b;
              h3 = c;
              continue;
            }
            if (kind >= 0) linCount[kind]--;
          }
        }
        entry = next[entry];
        continue;
      }
      // No op can be linearized before the first pending return: backtrack (past forced moves).
      if (depth === bestDepth && agree === bestDepth && this.bestBlocked < 0)
        this.bestBlocked = entOp[list.firstReturn()];
      let e: number, fb: number;
      do {
        if (depth === 0) {
          save();
          return this.finish(false);
        }
        const at = 3 * --depth;
        if (agree > depth) agree = depth;
        e = stack[at];
        stateId = stack[at + 1];
        fb = stack[at + 2];
        const id = entOp[e];
        h1 ^= z[3 * id];
        h2 ^= z[3 * id + 1];
        h3 ^= z[3 * id + 2];
        if (kindOf[id] >= 0) linCount[kindOf[id]]--;
        list.unlift(e);
      } while (fb < 0);
      entry = next[e];
      if (fb) {
        phase = 1;
        barrierEntry = fb;
        barrier = entPos[fb];
      } else phase = 0;
    }
    save();
    return this.finish(true);
  }

  /** Ends a paused search as "unknown" with `reason` (its longest linearization so far). */
  stop(reason: string): SearchResult {
    return this.done ?? this.finish("unknown", reason);
  }

  private budgetReason(): string {
    const entries = this.cache.entries;
    return `memory budget exhausted after ${entries} cached configurations (~${Math.round((entries * this.cache.entryBytes) / 1048576)} MB)`;
  }

  private intern(s: unknown): number {
    const k = this.model.hash(s);
    let id = this.stateIds.get(k);
    if (id === undefined) {
      id = this.states.length;
      this.states.push(s);
      this.stateIds.set(k, id);
    }
    return id;
  }

  private finish(valid: boolean | "unknown", reason?: string): SearchResult {
    const longest: { id: number; stateAfter: unknown }[] = [];
    if (valid !== true) {
      for (let i = 0; i < this.bestDepth; i++)
        longest.push({ id: this.list.entOp[this.bestEntry[i]], stateAfter: null });
      // Recompute states along the prefix (frames store the state *before* their op).
      let s = this.model.init();
      for (const l of longest) {
        s = this.model.step(s, this.ops[l.id].op) as unknown;
        l.stateAfter = s;
      }
    }
    const blocked: number[] = [];
    if (valid !== true && this.bestBlocked >= 0) blocked.push(this.bestBlocked);
    const r: SearchResult = { valid, steps: this.steps, cacheEntries: this.cache.entries, longest, blocked };
    if (reason) r.reason = reason;
    this.done = r;
    return r;
  }
}

/** Three independent random 32-bit keys per op id (interleaved), the same for every search (a fixed xorshift
 *  sequence): generated once into a table shared by all searches and copied out, since a check of many small
 *  partitions builds many searches. */
let zTable = new Int32Array(0);
function zobristKeys(n: number): Int32Array {
  if (zTable.length < 3 * n) {
    const t = new Int32Array(Math.max(3 * n, 2 * zTable.length, 3 * 1024));
    let seed = 0x9e3779b9 | 0;
    for (let i = 0; i < t.length; i++) {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      t[i] = seed | 0;
    }
    zTable = t;
  }
  return zTable.slice(0, 3 * n);
}
