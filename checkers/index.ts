// The checkers as a library (package export "faultline/checkers"): pure functions from a history to a verdict,
// and the linearizability models. Nothing here does I/O except checkLinearizableParallel, which runs the same
// search on worker threads within a time and memory budget.
export type { Op, OpType } from "../src/history/op.ts";
export type { Anomaly, Checker, Evidence, Step, Validity, Verdict } from "./types.ts";
export { merge } from "./types.ts";

export { checkLinearizable, DEFAULT_BUDGET, type LinearizableOptions } from "./linearizable/index.ts";
export {
  checkLinearizableParallel,
  LinearizablePool,
  defaultWorkers,
  type ParallelOptions,
} from "./linearizable/parallel.ts";
export type { Model, ModelOp, ModelOptions } from "./linearizable/model.ts";
export { createModel, MODELS as LINEARIZABLE_MODELS, type ModelSpec } from "./linearizable/models/index.ts";
export { casRegister, register, type RegisterOptions } from "./linearizable/models/cas-register.ts";
export { keyed } from "./linearizable/models/keyed.ts";
export { kv, stringRegister } from "./linearizable/models/kv.ts";
export { multiRegister } from "./linearizable/models/multi-register.ts";
export { mutex } from "./linearizable/models/mutex.ts";
export { fifoQueue, unorderedQueue } from "./linearizable/models/queue.ts";
export { set } from "./linearizable/models/set.ts";
export { describeSpec, linearizableChecker } from "./linearizable/spec.ts";

export { checkSequential, type SequentialOptions } from "./sequential/index.ts";
export { checkCausal, type CausalModel, type CausalOptions } from "./causal/index.ts";
export {
  checkSession,
  checkConvergence,
  GUARANTEES,
  registerAdapter,
  type Guarantee,
  type SessionOptions,
} from "./session/index.ts";
export { realTimeViolations } from "./session/realtime.ts";
export { checkFinalAgreement } from "./convergence/final-agreement.ts";
export { checkSet } from "./set/index.ts";
export { checkBank, type BankOptions } from "./bank/index.ts";
export { checkCounter } from "./counter/index.ts";
export { checkChat, chatAdapter } from "./chat/index.ts";
export { spectrum, formatSpectrum, type Decides, type ModelName, type Spectrum, type ModelResult } from "./spectrum.ts";
export { checkCausalMemory, type CausalMemoryOptions } from "./causal-memory/index.ts";
export { checkSetFull, type SetFullOptions } from "./set-full/index.ts";
export { checkLongFork, type LongForkOptions } from "./long-fork/index.ts";
export {
  checkTxn,
  formatIsolation,
  parseIsolationModels,
  validateTxnHistory,
  ISOLATION_MODELS,
  FORBIDS,
  type IsolationModel,
  type IsolationResult,
  type TxnCheckOptions,
  type TxnVerdict,
} from "./txn/index.ts";
