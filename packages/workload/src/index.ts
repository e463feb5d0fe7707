export { type ArrivalProcess, arrivalTimes } from './arrivals.js';
export { type Client, type RunContext, readTransaction, type StoredValue, writeTransaction } from './clients.js';
export {
  ARRIVALS,
  CONFIG_DESCRIPTIONS,
  CONFIG_FIELDS,
  ConfigError,
  defaultWorkloadConfig,
  parseWorkloadConfig,
  RETRY_BACKOFFS,
  type RetryBackoff,
  seedIdentity,
  TIME_MODES,
  type WorkloadConfig,
  type WorkloadConfigInput,
  workloadConfigSchema,
} from './config.js';
export { HeadCacheStore } from './head-cache-store.js';
export {
  type EventType,
  type HistoryError,
  type HistoryEvent,
  HistoryRecorder,
  type HistorySink,
  historyToJsonl,
  isTxnEvent,
  type MicroOp,
  type NemesisEvent,
  type TxnEvent,
} from './history.js';
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
  WRITER_GROUPS,
  type WriteCounters,
  type WriterGroup,
  type WriterGroupCounters,
} from './metrics.js';
export { type ArrivalOutcome, runOpenLoop } from './open-loop.js';
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
export { RemoteLatencyStore } from './remote-latency-store.js';
export { type RetryPolicy, retryDelayMs } from './retry-policy.js';
export { RunClock } from './run-clock.js';
export {
  type BackgroundContext,
  type CompactionCounts as WorkloadCompactionCounts,
  type ConflictModel,
  type FaultSplit,
  type FaultWindowRecord,
  type FinalState,
  type LoadReport,
  runWorkload,
  SATURATION_RATIO,
  type WorkloadEnvironment,
  type WorkloadMetricsReport,
  type WorkloadObserver,
  type WorkloadRun,
  type WriterGroupReport,
} from './run-workload.js';
export {
  BOOTSTRAP_RESAMPLES,
  type Buckets,
  bootstrap,
  type Difference,
  type Interval,
  MIN_PERCENTILE_SAMPLES,
  newcombe,
  PooledBuckets,
  percentileOfBuckets,
  quantileSorted,
  wilson,
  Z95,
} from './stats.js';
export { type SpanCategory, TraceRecorder } from './trace.js';
export { WriterCrashStore } from './writer-crash-store.js';
