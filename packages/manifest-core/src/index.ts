// Ports
export type { Clock } from './ports/clock.js';
export type { Random } from './ports/random.js';
export {
  diffRequestCounts,
  emptyRequestCounts,
  listAll,
  listPages,
  MAX_LIST_PAGE,
  REQUEST_KINDS,
  totalRequests,
} from './ports/object-store.js';
export type {
  ListOptions,
  ListPage,
  ObjectHeadInfo,
  ObjectStore,
  PutCondition,
  PutOptions,
  RequestCounts,
  RequestKind,
  StoredObject,
} from './ports/object-store.js';

// Port implementations
export { RealClock } from './clock/real-clock.js';
export { DEFAULT_VIRTUAL_EPOCH_MS, VirtualClock, type VirtualClockOptions } from './clock/virtual-clock.js';
export { deriveSeed, SeededRandom } from './random.js';
export { type DumpedObject, MemoryObjectStore } from './stores/memory-object-store.js';
export { md5ETag } from './stores/etag.js';
export { FsObjectStore, type FsObjectStoreOptions } from './stores/fs-object-store.js';
export { probeConditionalWrites, S3ObjectStore, type S3ObjectStoreOptions } from './stores/s3-object-store.js';
export { RequestCounter } from './stores/request-counter.js';
export { dumpObjects, ObjectStoreDecorator, type StoreRequest } from './stores/object-store-decorator.js';

// Errors
export {
  AmbiguousError,
  CorruptError,
  type ErrorKind,
  FatalError,
  isPreconditionFailed,
  ManifestLabError,
  NotFoundError,
  SnapshotGoneError,
  PreconditionFailedError,
  ProcessCrashedError,
  ThrottledError,
  TimeoutError,
  TransientError,
  UnimplementedError,
} from './errors.js';

// The manifest
export { Manifest, type ManifestOptions } from './manifest.js';
export { MANIFEST_PHASES, type ManifestPhase, type Tracer, traced } from './tracer.js';
export { type CommitResult, ReadSession, WriteSession } from './session.js';
export { LeaseKeeper, keeperIntervalMs } from './lease-keeper.js';
export { Compactor, type PublishedCheckpoint } from './compactor.js';
export { type CompactionRoundHooks, type CompactorCalls, compactionRound, GC_MODES, type GcMode } from './compaction-round.js';
export type { Snapshot } from './snapshot.js';
export type { KeyRange } from './read-path.js';
export { type BackoffPolicy, backoffDelays, DEFAULT_BACKOFF } from './backoff.js';
export { DEFAULT_RETENTION, type RetentionPolicy } from './retention.js';
export { classifyError, DEFAULT_PROFILE, type Profile, PROFILE_RULES, PROFILES, type ProfileRules, type RetryClass } from './profile.js';
export type { Runtime } from './runtime.js';
export { ManifestParts } from './manifest-parts.js';
export type { ActiveLease, LeaseHandle } from './lease-store.js';


// The object layout and wire format (for inspection and white-box checks)
export { basename, checkpointId, HEAD_FILE, Layout, pad20, parseSegmentSeq, TXN_ID_METADATA } from './layout.js';
export {
  type CheckpointMeta,
  decodeCheckpointMeta,
  decodeCheckpointPayload,
  decodeGcPlan,
  decodeHead,
  decodeLease,
  decodeSegment,
  EMPTY_GC_PLAN,
  encodeCheckpointMeta,
  encodeCheckpointPayload,
  encodeGcPlan,
  encodeHead,
  encodeLease,
  encodeSegment,
  type GcPlan,
  type HeadDoc,
  type LeaseDoc,
  type SegmentDoc,
  type SegmentRange,
  type SegmentRecord,
} from './wire.js';
export { compareCodePoints, compareKeys, type JsonValue, type Key } from './json.js';
export {
  type FixedLatency,
  LATENCY_PROFILE_NAMES,
  LATENCY_PROFILES,
  type LatencyDistribution,
  type LatencyModel,
  type LatencyProfileName,
  type LognormalLatency,
  PrefixThrottle,
  S3_THROTTLE_LIMITS,
  sampleLatency,
  type ThrottleLimits,
} from './stores/latency-model.js';
export type { MemoryObjectStoreOptions } from './stores/memory-object-store.js';
export { CheckpointStore, type LoadedCheckpoint } from './checkpoint-store.js';
export { GcPlanStore, type LoadedGcPlan } from './gc-plan-store.js';
export { HeadStore, type LoadedHead } from './head-store.js';
export { LeaseStore } from './lease-store.js';
export { SegmentStore } from './segment-store.js';
