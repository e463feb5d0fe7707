export { arrivalTimes, type ArrivalProcess } from './arrivals.js';
export { type Client, readTransaction, type RunContext, type StoredValue, writeTransaction } from './clients.js';
export {
  ARRIVALS,
  CONFIG_DESCRIPTIONS,
  CONFIG_FIELDS,
  ConfigError,
  defaultWorkloadConfig,
  parseWorkloadConfig,
  RETRY_BACKOFFS,
  type RetryBackoff,
  TIME_MODES,
  type WorkloadConfig,
  type WorkloadConfigInput,
  workloadConfigSchema,
} from './config.js';
export {
  type EventType,
  type HistoryError,
  type HistoryEvent,
  HistoryRecorder,
  historyToJsonl,
  isTxnEvent,
  type MicroOp,
  type NemesisEvent,
  type TxnEvent,
} from './history.js';
export {
  classifyWriteFailure,
  errorMessage,
  type FailureContext,
  WRITE_FAILURE_CLASSES,
  WRITE_OUTCOMES,
  type WriteFailureClass,
  type WriteOutcome,
} from './outcomes.js';
export { AttemptPhases, type PhaseSink, WRITE_PHASES, type WritePhase } from './phases.js';
export { type SpanCategory, TraceRecorder } from './trace.js';
export { KeyPool } from './key-pool.js';
export { LatencyHistogram, type LatencySummary } from './latency-histogram.js';
export { MeteredObjectStore } from './metered-store.js';
export {
  type ArrivalCounters,
  type ErrorClass,
  errorClass,
  HISTOGRAMS,
  type HistogramName,
  LATE_THRESHOLD_MS,
  type ReadCounters,
  type SeriesPoint,
  type WindowCounters,
  WorkloadMetrics,
  type WriteCounters,
} from './metrics.js';
export { type ArrivalOutcome, runOpenLoop } from './open-loop.js';
export { RunClock } from './run-clock.js';
export { type RetryPolicy, retryDelayMs } from './retry-policy.js';
export {
  type BackgroundContext,
  type ConflictModel,
  type FaultSplit,
  type FinalState,
  type FaultWindowRecord,
  type LoadReport,
  runWorkload,
  SATURATION_RATIO,
  type WorkloadEnvironment,
  type WorkloadMetricsReport,
  type WorkloadObserver,
  type WorkloadRun,
} from './run-workload.js';
export {
  BOOTSTRAP_RESAMPLES,
  bootstrap,
  type Buckets,
  type Interval,
  MIN_PERCENTILE_SAMPLES,
  PooledBuckets,
  percentileOfBuckets,
  quantileSorted,
  wilson,
  Z95,
} from './stats.js';
