export type { Anomaly } from './anomaly.js';
export { type CheckOptions, type CheckResult, checkHistory, type Workload, WORKLOADS } from './check.js';
export {
  CYCLE_EXISTS_TYPES,
  CYCLE_SPECS,
  CYCLE_TYPES,
  classify,
  cycleExistsCases,
  cycleType,
  DEFAULT_SEARCH_BUDGET,
  type FindCyclesOptions,
  findCycles,
} from './cycles.js';
export { ALL_RELS, DepGraph, PROCESS, REALTIME, RW, WR, WW } from './graph.js';
export { type History, HistoryError, type HKey, isNemesis, keyId, type Mop, type NemesisOp, type Op, type OpType, pairHistory, parseHistory, type Txn, validateOp } from './history.js';
export {
  anomaliesImplying,
  anomaliesProhibitedBy,
  boundary,
  canonicalModel,
  friendlyModel,
  impliedAnomalies,
  impossibleModels,
  KNOWN_MODELS,
  type ModelName,
  MODELS,
  modelsImplying,
} from './models.js';
export { checkWhiteBox, type WhiteBoxAnomaly, type WhiteBoxResult } from './white-box.js';
export { type SyntheticOptions, syntheticListAppend } from './synthetic.js';
