import {
  type Clock,
  compactionRound,
  diffRequestCounts,
  emptyRequestCounts,
  Manifest,
  type ManifestOptions,
  MemoryObjectStore,
  type ObjectStore,
  ObjectStoreDecorator,
  type Random,
  RealClock,
  type RequestCounts,
  type RetentionPolicy,
  SeededRandom,
  type StoreRequest,
  totalRequests,
  VirtualClock,
} from '@manifest-lab/manifest-core';
import { arrivalTimes } from './arrivals.js';
import { clientMeter, headCached, processStore } from './client-stores.js';
import { type Client, type RunContext, readTransaction, type StoredValue, writeTransaction } from './clients.js';
import type { WorkloadConfig } from './config.js';
import { type HistoryEvent, HistoryRecorder, type HistorySink } from './history.js';
import { KeyPool } from './key-pool.js';
import type { LatencySummary } from './latency-histogram.js';
import type { MeteredObjectStore } from './metered-store.js';
import {
  type ArrivalCounters,
  type ErrorClass,
  type HistogramName,
  LATE_THRESHOLD_MS,
  type ReadCounters,
  type SeriesPoint,
  WorkloadMetrics,
  WRITER_GROUPS,
  type WriteCounters,
  type WriterGroup,
  type WriterGroupCounters,
} from './metrics.js';
import { type ArrivalOutcome, runOpenLoop } from './open-loop.js';
import { WRITE_FAILURE_CLASSES, type WriteOutcome } from './outcomes.js';
import { AttemptPhases, WRITE_PHASES, type WritePhase } from './phases.js';
import { newRetryState } from './retry-policy.js';
import { RunClock } from './run-clock.js';
import { TraceRecorder } from './trace.js';

export interface WorkloadEnvironment {
  /** Storage to run against. Default: the embedded store with the config's latency profile. */
  readonly store?: ObjectStore;
  /** Manifest prefix. Default: `run`. */
  readonly prefix?: string;
  /** Called at each simulated (or real) second with the time reached. */
  readonly onProgress?: (elapsedMs: number, durationMs: number) => void;
  /**
   * Wrap the store every client sees — e.g. to inject a fault or plant a bug — given the run's
   * clock and a random stream derived from its seed.
   */
  readonly wrapStore?: (store: ObjectStore, clock: Clock, random: Random) => ObjectStore;
  /**
   * Wrap one client's store — e.g. a fault that cuts only some clients — given its name
   * (`writer-0`, `reader-3`), the run's clock and a random stream of its own. Called again for
   * each new process of a client that crashed and restarted.
   */
  readonly wrapClientStore?: (store: ObjectStore, client: string, clock: Clock, random: Random) => ObjectStore;
  /**
   * Build each client's manifest — e.g. a deliberately broken variant, to test a checker. Given
   * the client's name (`writer-0`, `compactor`): called again, with the same name, for each new
   * process of a client that crashed and restarted.
   */
  readonly manifestFactory?: (options: ManifestOptions, client: string) => Manifest<string, StoredValue>;
  /** Record every client's transactions, phases and requests as spans (`WorkloadRun.trace`). */
  readonly trace?: boolean;
  /**
   * The run's fault windows (injected by the caller, e.g. through `wrapClientStore`): each start
   * and stop becomes a nemesis entry in the history, and write metrics are split into
   * transactions that arrived during a fault and those that did not.
   */
  readonly faultWindows?: readonly FaultWindowRecord[];
  /**
   * Give one client its own view of the clock — e.g. a wall clock running ahead (clock skew).
   * Only `wallNow` may differ: every client shares the run's timeline.
   */
  readonly wrapClientClock?: (clock: Clock, client: string) => Clock;
  /**
   * Processes that run beside the clients for the whole run — e.g. compactors and GC as a
   * nemesis. Each is started after the clients' stores exist and stopped when the clients finish.
   */
  readonly background?: (ctx: BackgroundContext) => { stop(): Promise<void> };
  /** After the run, read every key's final value with a fresh, fault-free client (`WorkloadRun.finalState`). */
  readonly readFinalState?: boolean;
  /** Told of every request and transaction as it ends, warm-up included (e.g. for live metrics). */
  readonly observe?: WorkloadObserver;
  /** Hand the history to this sink as it is recorded, keeping none of it (`WorkloadRun.history` is then empty). */
  readonly historySink?: HistorySink;
}

/**
 * Live observations: read-only callbacks that change nothing in the run. Durations are run-clock
 * ms; a transaction's runs from its intended arrival (as the run's latency histograms do).
 */
export interface WorkloadObserver {
  request?(kind: StoreRequest['kind'], ms: number, ok: boolean): void;
  /** `outcome`: a `WriteOutcome` for writers, `read_ok` or `read_error` for readers. */
  transaction?(role: 'writer' | 'reader', outcome: string, ms: number, attempts: number): void;
}

/** What a background process gets: the run's clock and a manifest of its own per name. */
export interface BackgroundContext {
  readonly config: WorkloadConfig;
  readonly clock: Clock;
  /**
   * A manifest for the named process (e.g. `compactor-1`), through `wrapClientStore` and
   * `wrapClientClock` like any client; `retention` overrides the run's (lease TTL included).
   */
  manifest(name: string, retention?: Partial<RetentionPolicy>): Manifest<string, StoredValue>;
  /** Tell the metrics that a background process moved HEAD (for the conflict model). */
  headMoved(): void;
}

/** Every key's list after the run, or why it could not be read (e.g. HEAD names a deleted checkpoint). */
export type FinalState = { readonly ok: true; readonly lists: Readonly<Record<string, readonly number[]>> } | { readonly ok: false; readonly error: string };

export interface FaultWindowRecord {
  readonly label: string;
  readonly start_s: number;
  readonly end_s: number;
}

/** Write transactions that arrived during a fault window, or outside every one. */
export interface FaultSplit {
  /** Seconds of the measured window this covers. */
  readonly seconds: number;
  readonly txns: number;
  readonly committed: number;
  readonly attempts: number;
  readonly precondition_failures: number;
  readonly txn_failure_rate: number | null;
  readonly precondition_failure_rate: number | null;
  /** Commits of these transactions per second of this part of the window. */
  readonly write_tps: number | null;
}

/** One writer group's counts and rates (see `WorkloadMetricsReport.groups`). */
export interface WriterGroupReport extends WriterGroupCounters {
  /** Non-committed / transactions. */
  readonly txn_failure_rate: number | null;
  /** Precondition failures (lost CAS races) per attempt. */
  readonly precondition_failure_rate: number | null;
  readonly wasted_requests_per_commit: number | null;
}

/** What the config's compactor (`compact_interval_s`) did. */
export interface CompactionCounts {
  /** Rounds that published a checkpoint. */
  checkpoints: number;
  /** `gc_compute` calls that installed a plan / found none to install (three-phase GC). */
  gc_plans: number;
  gc_skipped: number;
  /** Rounds that failed (part of the experiment, not an error of the run). */
  errors: number;
}

/** Offered vs achieved load of one client kind, per second of the measured window. */
export interface LoadReport {
  /** Arrivals scheduled in the measured window. */
  readonly scheduled: number;
  /** Transactions that ended (any outcome) in the measured window. */
  readonly completed: number;
  /** Arrivals scheduled in the measured window, per second. */
  readonly offered_tps: number;
  /** Transactions that ended (any outcome) in the measured window, per second. */
  readonly achieved_tps: number;
  /** achieved / offered; null when nothing was offered. */
  readonly achieved_ratio: number | null;
  readonly late: number;
  readonly dropped: number;
  /** Achieved below `SATURATION_RATIO` of offered. */
  readonly saturated: boolean;
}

/** A client kind achieving less than this share of its offered load is saturated. */
export const SATURATION_RATIO = 0.9;

/**
 * The HEAD-CAS conflict model: with HEAD moved by others at rate λ (Poisson), an attempt whose
 * snapshot→CAS window is w conflicts with probability 1 − exp(−λ·w). The model rate is that
 * probability averaged over the measured attempts, each with its own window and its writer's
 * λ (the other writers' commits plus the compactor's checkpoints): averaging per attempt,
 * rather than plugging in the mean window, keeps long-tailed windows from biasing it low.
 */
export interface ConflictModel {
  /** HEAD moves by others (other writers' commits, checkpoints) per second, averaged over attempts. */
  readonly lambda_others: number;
  /**
   * The attempts compared: measured attempts that reached a conflict check, with that check
   * answered inside the measured window (where λ is counted too); their windows' mean and median.
   */
  readonly window_mean_ms: number | null;
  readonly window_p50_ms: number | null;
  readonly windows: number;
  /** Of those attempts, how many failed on a precondition. */
  readonly conflicts: number;
  /** Mean over attempts of 1 − exp(−λ_i · w); null without a measured window. */
  readonly model_conflict_rate: number | null;
  /** The textbook form with the mean window plugged in: 1 − exp(−λ_others · mean w). */
  readonly model_conflict_rate_mean_window: number | null;
  /** conflicts / windows: the measured rate over the same attempts, for comparison. */
  readonly measured_conflict_rate: number | null;
  /**
   * The same attempts' share with another party's commit (or checkpoint) inside their window,
   * from the actual commit times: the model without its Poisson assumption. It should match the
   * measured rate almost exactly (a conflict is a HEAD move inside the window); where the model
   * misses, this says whether the window or the Poisson assumption is to blame.
   */
  readonly direct_conflict_rate: number | null;
}

/** What one run measured; JSON-serialisable and a pure function of (config, code) in virtual time. */
export interface WorkloadMetricsReport {
  readonly measured_seconds: number;
  readonly write: {
    readonly tps: number;
    readonly counters: WriteCounters;
    readonly latency: LatencySummary;
    readonly commit_latency: LatencySummary;
  };
  readonly read: { readonly tps: number; readonly counters: ReadCounters; readonly latency: LatencySummary };
  /** How each measured write transaction ended (the classes add up to the transactions). */
  readonly outcomes: Readonly<Record<WriteOutcome, number>>;
  /** The failure class with the most transactions, or null when all committed. */
  readonly top_failure_class: Exclude<WriteOutcome, 'committed'> | null;
  readonly load: { readonly write: LoadReport; readonly read: LoadReport; readonly saturated: boolean };
  /** How far the run went past `duration_s` finishing what had started, seconds. */
  readonly overrun_s: number;
  /** Per write-attempt phase latencies (queueing and backoff per transaction / retry). */
  readonly phases: Readonly<Record<WritePhase, LatencySummary>>;
  readonly window: LatencySummary;
  readonly conflict_model: ConflictModel;
  /** With fault windows: the windows, and write metrics during and outside them. */
  readonly faults?: {
    readonly windows: readonly FaultWindowRecord[];
    readonly during: FaultSplit;
    readonly outside: FaultSplit;
  };
  readonly rates: {
    /** Transactions that did not commit (any class) per transaction; null with no transactions. */
    readonly txn_failure_rate: number | null;
    /** Precondition failures per write attempt. */
    readonly precondition_failure_rate: number | null;
    /** Retries per write transaction. */
    readonly avg_retry_count: number | null;
    /** Of transactions that retried, the share that committed / that still failed (null: none retried). */
    readonly retry_success_rate: number | null;
    readonly retry_failure_rate: number | null;
    /** Writers' storage requests per committed transaction. */
    readonly requests_per_commit: number | null;
    /** Requests of write attempts that did not commit (conflicts, errors, crashes) per committed transaction. */
    readonly wasted_requests_per_commit: number | null;
  };
  /** With `remote_writers` > 0: local and remote writers' measured transactions (multi-region). */
  readonly groups?: Readonly<Record<WriterGroup, WriterGroupReport>>;
  /** With `compact_gc` other than none: what the config's compactor did. */
  readonly compaction?: CompactionCounts & { readonly gc: WorkloadConfig['compact_gc'] };
  readonly arrivals: { readonly write: ArrivalCounters; readonly read: ArrivalCounters };
  readonly start_lag: LatencySummary;
  readonly errors_by_class: Partial<Record<ErrorClass, number>>;
  /** Requests after the warm-up: by writers, by readers. */
  readonly requests: { readonly writers: RequestCounts; readonly readers: RequestCounts };
  readonly request_latency: Record<string, LatencySummary>;
  /** HdrHistogram compressed base64, per histogram. */
  readonly histograms: Record<HistogramName, string>;
}

export interface WorkloadRun {
  readonly config: WorkloadConfig;
  readonly metrics: WorkloadMetricsReport;
  readonly timeSeries: SeriesPoint[];
  readonly history: readonly HistoryEvent[];
  /** Every request of the run, warm-up included. */
  readonly requestCounts: RequestCounts;
  /** Time covered: virtual ms in simulation, real ms otherwise. */
  readonly elapsedMs: number;
  readonly prefix: string;
  readonly store: ObjectStore;
  /** The run's spans, when `env.trace` was set. */
  readonly trace?: TraceRecorder;
  /** Every key's list after the run, when `env.readFinalState` was set. */
  readonly finalState?: FinalState;
}

/**
 * Run one experiment: writers and readers on an open-model arrival schedule against one
 * manifest, every choice drawn from `config.seed`. In `virtual` time the run is deterministic
 * and takes milliseconds of CPU per simulated minute; `real` runs the same code on the clock.
 */
export async function runWorkload(config: WorkloadConfig, env: WorkloadEnvironment = {}): Promise<WorkloadRun> {
  const root = new SeededRandom(config.seed);
  const virtual = config.time === 'virtual' ? new VirtualClock() : undefined;
  const clock: Clock = new RunClock(virtual ?? new RealClock());
  const base = env.store ?? new MemoryObjectStore({ latency: config.latency_profile, clock, random: root.fork('latency') });
  const store = env.wrapStore === undefined ? base : env.wrapStore(base, clock, root.fork('wrap'));
  const prefix = env.prefix ?? 'run';
  const durationMs = config.duration_s * 1000;
  const metrics = new WorkloadMetrics(config.warmup_s * 1000, durationMs, config.num_writers);
  const history = new HistoryRecorder(() => clock.now(), env.historySink);
  const keys = new KeyPool(config.num_writers, config.keys_per_writer, config.shared_keys, config.key_overlap_ratio);
  const trace = env.trace === true ? new TraceRecorder() : undefined;
  const faultWindows = env.faultWindows ?? [];
  if (faultWindows.length > 0) metrics.faultAt = (ms) => faultWindows.some((w) => ms >= w.start_s * 1000 && ms < w.end_s * 1000);
  let element = 0;
  let txn = 0;
  let process = config.num_writers + config.num_readers;
  const ctx: RunContext = {
    config,
    clock,
    keys,
    metrics,
    history,
    trace,
    observe: env.observe,
    nextElement: () => ++element,
    nextProcess: () => process++,
    nextTxn: () => ++txn,
  };
  // One meter per client (requests are attributed to its attempts), summed by role in the report.
  const meters: Record<'writer' | 'reader', MeteredObjectStore[]> = { writer: [], reader: [] };
  const meterFor = (role: 'writer' | 'reader', index: number) => {
    const m = clientMeter(config, role, index, store, clock, metrics, env.observe);
    meters[role].push(m);
    return m;
  };
  if (config.remote_writers > 0) {
    metrics.groupOf = (i) => (i < config.remote_writers ? 'remote' : 'local');
    metrics.groups.remote.writers = config.remote_writers;
    metrics.groups.local.writers = config.num_writers - config.remote_writers;
  }
  const compaction: CompactionCounts = { checkpoints: 0, gc_plans: 0, gc_skipped: 0, errors: 0 };
  const readArrivals: ArrivalCounters = { scheduled: 0, started: 0, late: 0, dropped: 0 };
  const onArrival = (c: ArrivalCounters) => (t: number, outcome: ArrivalOutcome) => {
    if (!metrics.measured(t)) return;
    c.scheduled++;
    if (outcome.kind === 'dropped') {
      c.dropped++;
      return;
    }
    c.started++;
    if (outcome.lagMs > LATE_THRESHOLD_MS) c.late++;
    metrics.histograms.start_lag.record(outcome.lagMs);
  };

  const makeManifest = env.manifestFactory ?? ((o: ManifestOptions) => new Manifest<string, StoredValue>(o));
  const client = (role: string, index: number, s: MeteredObjectStore, processId: number): Client => {
    const track = processId;
    trace?.track(track, `${role} ${index}`);
    const name = `${role}-${index}`;
    const phases = new AttemptPhases(
      trace === undefined ? undefined : (name, start, end, error) => trace.span(track, 'phase', name, start, end, error === undefined ? undefined : { error: String(error) }),
    );
    const build = clientManifest(name, s, phases, trace === undefined ? undefined : (own) => new TracedStore(own, clock, trace, track));
    let incarnation = 0;
    const c: Client = {
      manifest: build(0),
      random: root.fork(`${role}-${index}/choices`),
      process: processId,
      track,
      phases,
      retry: newRetryState(),
      meter: s,
      // A crashed process comes back with nothing of its predecessor's memory (caches, leases, backoff).
      restart: () => {
        c.manifest = build(++incarnation);
        c.retry = newRetryState();
      },
    };
    return c;
  };
  /** A named process's manifest factory, by incarnation (restarts draw fresh random streams). */
  const clientManifest =
    (name: string, s: ObjectStore, tracer?: AttemptPhases, traced?: (own: ObjectStore) => ObjectStore, retention?: Partial<RetentionPolicy>) => {
      const clientClock = env.wrapClientClock === undefined ? clock : env.wrapClientClock(clock, name);
      return (incarnation: number): Manifest<string, StoredValue> => {
      const suffix = incarnation === 0 ? '' : `#${incarnation}`;
      // A store per incarnation: a crashed process's store stays dead, its replacement's is new.
      const proc = processStore(config, name, s, clock, () => root.fork(`${name}/crash${suffix}`));
      const own = env.wrapClientStore === undefined ? proc : env.wrapClientStore(proc, name, clock, root.fork(`${name}/faults${suffix}`));
      return makeManifest(
        {
        store: headCached(config, name, prefix, traced === undefined ? own : traced(own), clock),
        prefix,
        clock: clientClock,
        random: root.fork(`${name}/manifest${suffix}`),
        retention: { leaseTtlMs: config.lease_ttl_ms, maxClockSkewMs: config.max_clock_skew_ms, ...retention },
        profile: config.profile,
        recoveryEvery: config.orphan_recovery_every,
        ...(tracer === undefined ? {} : { tracer }),
        },
        name,
      );
      };
    };
  const headMoved = (by: number) => {
    if (metrics.inWindow(clock.now())) metrics.window.compactions++;
    metrics.headMovesBy[by]?.push(clock.now());
  };

  const program = async () => {
    const before = store.requestCounts();
    const progress = env.onProgress === undefined ? undefined : ticker(clock, durationMs, env.onProgress);
    const compactor =
      config.compact_interval_s > 0
        ? runCompactor(config, clock, store, prefix, root.fork('compactor'), () => headMoved(config.num_writers), compaction)
        : undefined;
    const background = env.background?.({
      config,
      clock,
      // Not through the writers' meter: compactor requests are not writer traffic.
      manifest: (name, retention) => clientManifest(name, store, undefined, undefined, retention)(0),
      headMoved: () => headMoved(config.num_writers),
    });
    const nemesis = faultWindows.length === 0 ? undefined : markFaults(clock, history, faultWindows, durationMs);
    await Promise.all([
      ...Array.from({ length: config.num_writers }, (_, i) => {
        const c = client('writer', i, meterFor('writer', i), i);
        const arrivals = arrivalTimes(config.arrival, config.writer_rate, durationMs, root.fork(`writer-${i}/arrivals`));
        return runOpenLoop(clock, arrivals, config.max_backlog, onArrival(metrics.arrivals), (t) =>
          writeTransaction(ctx, c, i, t),
        );
      }),
      ...Array.from({ length: config.num_readers }, (_, j) => {
        const c = client('reader', j, meterFor('reader', j), config.num_writers + j);
        const arrivals = arrivalTimes(config.arrival, config.reader_rate, durationMs, root.fork(`reader-${j}/arrivals`));
        return runOpenLoop(clock, arrivals, config.max_backlog, onArrival(readArrivals), (t) =>
          readTransaction(ctx, c, t),
        );
      }),
    ]);
    await nemesis;
    await progress?.stop();
    await compactor?.stop();
    await background?.stop();
    const counts = diffRequestCounts(store.requestCounts(), before);
    if (env.readFinalState === true) finalState = await readFinalState(config, clock, base, prefix, keys.all());
    return counts;
  };
  let finalState: FinalState | undefined;
  const requestCounts = virtual === undefined ? await program() : await virtual.run(program);
  history.flush();
  const elapsedMs = clock.now();
  return {
    config,
    metrics: report(config, metrics, readArrivals, sumCounts(meters.writer), sumCounts(meters.reader), elapsedMs, faultWindows, compaction),
    timeSeries: metrics.series(),
    history: history.events,
    requestCounts,
    elapsedMs,
    prefix,
    store,
    ...(trace === undefined ? {} : { trace }),
    ...(finalState === undefined ? {} : { finalState }),
  };
}

/** Every key's list, read by a fresh client on the unwrapped store after the run. */
async function readFinalState(config: WorkloadConfig, clock: Clock, store: ObjectStore, prefix: string, keys: readonly string[]): Promise<FinalState> {
  const reader = new Manifest<string, StoredValue>({ store, prefix, clock, profile: config.profile, retention: { leaseTtlMs: config.lease_ttl_ms, maxClockSkewMs: config.max_clock_skew_ms } });
  try {
    // Not `scanLatest`: it leaks its lease when the scan fails (§6.9), and the objects left are findings.
    const session = await reader.sessionAt(await reader.snapshot());
    let scanned: [string, StoredValue][];
    try {
      scanned = await session.scan();
    } finally {
      await session.end();
    }
    const entries = new Map(scanned);
    const lists: Record<string, readonly number[]> = {};
    for (const k of [...keys].sort()) {
      const l = entries.get(k)?.l;
      if (l !== undefined) lists[k] = l;
    }
    return { ok: true, lists };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

function report(
  config: WorkloadConfig,
  m: WorkloadMetrics,
  readArrivals: ArrivalCounters,
  writers: RequestCounts,
  readers: RequestCounts,
  elapsedMs: number,
  faultWindows: readonly FaultWindowRecord[],
  compaction: CompactionCounts,
): WorkloadMetricsReport {
  const seconds = config.duration_s - config.warmup_s;
  const w = m.write;
  const s = m.summaries();
  const requestLatency: Record<string, LatencySummary> = {};
  for (const [k, v] of Object.entries(s)) if (k.startsWith('request_')) requestLatency[k.slice('request_'.length)] = v;
  const writeLoad = load(m.arrivals, m.window.write_completed, seconds);
  const readLoad = load(readArrivals, m.window.read_completed, seconds);
  let top: Exclude<WriteOutcome, 'committed'> | null = null;
  for (const c of WRITE_FAILURE_CLASSES) if (w.outcomes[c] > 0 && (top === null || w.outcomes[c] > w.outcomes[top])) top = c;
  return {
    measured_seconds: seconds,
    write: {
      tps: ratio(sum(m.window.commits_by_writer), seconds),
      counters: { ...w, outcomes: { ...w.outcomes } },
      latency: s.write_txn,
      commit_latency: s.commit,
    },
    read: { tps: ratio(m.window.read_ok, seconds), counters: { ...m.read }, latency: s.read_txn },
    outcomes: { ...w.outcomes },
    top_failure_class: top,
    load: { write: writeLoad, read: readLoad, saturated: writeLoad.saturated || readLoad.saturated },
    overrun_s: Math.max(0, Math.round(elapsedMs - config.duration_s * 1000) / 1000),
    phases: Object.fromEntries(WRITE_PHASES.map((p) => [p, s[`phase_${p}`]])) as Record<WritePhase, LatencySummary>,
    window: s.window,
    conflict_model: conflictModel(m, seconds),
    ...(faultWindows.length === 0 ? {} : { faults: faultSplit(m, faultWindows, config) }),
    rates: {
      txn_failure_rate: ratioOrNull(w.txns - w.outcomes.committed, w.txns),
      precondition_failure_rate: ratioOrNull(w.precondition_failures, w.attempts),
      avg_retry_count: ratioOrNull(w.retries, w.txns),
      retry_success_rate: ratioOrNull(w.retry_successes, w.retried_txns),
      retry_failure_rate: ratioOrNull(w.retry_failures, w.retried_txns),
      requests_per_commit: ratioOrNull(totalRequests(writers), w.successes),
      wasted_requests_per_commit: ratioOrNull(w.wasted_requests, w.successes),
    },
    ...(config.remote_writers === 0 ? {} : { groups: writerGroups(m) }),
    ...(config.compact_gc === 'none' ? {} : { compaction: { gc: config.compact_gc, ...compaction } }),
    arrivals: { write: { ...m.arrivals }, read: { ...readArrivals } },
    start_lag: s.start_lag,
    errors_by_class: { ...m.errorsByClass },
    requests: { writers, readers },
    request_latency: requestLatency,
    histograms: m.encodedHistograms(),
  };
}

function writerGroups(m: WorkloadMetrics): Record<WriterGroup, WriterGroupReport> {
  const one = (g: WriterGroupCounters): WriterGroupReport => ({
    ...g,
    txn_failure_rate: ratioOrNull(g.txns - g.committed, g.txns),
    precondition_failure_rate: ratioOrNull(g.precondition_failures, g.attempts),
    wasted_requests_per_commit: ratioOrNull(g.wasted_requests, g.committed),
  });
  return Object.fromEntries(WRITER_GROUPS.map((k) => [k, one(m.groups[k])])) as Record<WriterGroup, WriterGroupReport>;
}

function sumCounts(meters: readonly MeteredObjectStore[]): RequestCounts {
  const out = emptyRequestCounts();
  for (const m of meters) for (const [k, v] of Object.entries(m.ownCounts()) as [keyof RequestCounts, number][]) out[k] += v;
  return out;
}

function load(arrivals: ArrivalCounters, completed: number, seconds: number): LoadReport {
  const achievedRatio = arrivals.scheduled === 0 ? null : round6(completed / arrivals.scheduled);
  return {
    scheduled: arrivals.scheduled,
    completed,
    offered_tps: ratio(arrivals.scheduled, seconds),
    achieved_tps: ratio(completed, seconds),
    achieved_ratio: achievedRatio,
    late: arrivals.late,
    dropped: arrivals.dropped,
    saturated: achievedRatio !== null && achievedRatio < SATURATION_RATIO,
  };
}

/** Record each fault window's start and stop in the history, at its time (capped at the schedule's end). */
async function markFaults(clock: Clock, history: HistoryRecorder, windows: readonly FaultWindowRecord[], durationMs: number) {
  const marks = windows
    .flatMap((w) => [
      { at: Math.min(w.start_s * 1000, durationMs), f: 'start' as const, label: w.label },
      { at: Math.min(w.end_s * 1000, durationMs), f: 'stop' as const, label: w.label },
    ])
    .sort((a, b) => a.at - b.at || (a.f === b.f ? 0 : a.f === 'stop' ? -1 : 1));
  for (const m of marks) {
    if (m.at > clock.now()) await clock.sleep(m.at - clock.now());
    history.nemesis(m.f, m.label);
  }
}

function faultSplit(m: WorkloadMetrics, windows: readonly FaultWindowRecord[], config: WorkloadConfig) {
  // Seconds of the measured window under at least one fault (windows may overlap).
  const from = config.warmup_s;
  const to = config.duration_s;
  const cuts = windows
    .map((w) => [Math.max(from, w.start_s), Math.min(to, w.end_s)] as const)
    .filter(([a, b]) => b > a)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let end = from;
  for (const [a, b] of cuts) {
    if (b <= end) continue;
    covered += b - Math.max(a, end);
    end = b;
  }
  const split = (c: (typeof m.faultCounters)['during'], seconds: number): FaultSplit => ({
    seconds: round6(seconds),
    ...c,
    txn_failure_rate: ratioOrNull(c.txns - c.committed, c.txns),
    precondition_failure_rate: ratioOrNull(c.precondition_failures, c.attempts),
    write_tps: seconds > 0 ? ratio(c.committed, seconds) : null,
  });
  return {
    windows: [...windows],
    during: split(m.faultCounters.during, covered),
    outside: split(m.faultCounters.outside, to - from - covered),
  };
}

/** The HEAD-CAS model against this run; see `ConflictModel`. */
function conflictModel(m: WorkloadMetrics, seconds: number): ConflictModel {
  const { commits_by_writer: commits, attempts_by_writer: attempts, compactions } = m.window;
  const total = sum(commits);
  const allAttempts = sum(attempts);
  const lambdaOf = (i: number) => (seconds > 0 ? (total - (commits[i] ?? 0) + compactions) / seconds : 0);
  let lambda = 0;
  if (allAttempts > 0) for (const [i, a] of attempts.entries()) lambda += (a / allAttempts) * lambdaOf(i);
  let sumMs = 0;
  let sumP = 0;
  const all: number[] = [];
  let direct = 0;
  for (const [i, spans] of m.windowSpansByWriter.entries()) {
    const l = lambdaOf(i);
    for (const [start, end] of spans) {
      const w = end - start;
      all.push(w);
      sumMs += w;
      sumP += 1 - Math.exp((-l * w) / 1000);
      if (m.headMovesBy.some((moves, j) => j !== i && anyIn(moves, start, end))) direct++;
    }
  }
  const windows = all.length;
  const conflicts = sum(m.windowConflictsByWriter);
  const mean = windows === 0 ? null : sumMs / windows;
  all.sort((a, b) => a - b);
  return {
    lambda_others: round6(lambda),
    window_mean_ms: mean === null ? null : round6(mean),
    window_p50_ms: windows === 0 ? null : round6(all[Math.max(0, Math.ceil(windows / 2) - 1)] as number),
    windows,
    conflicts,
    model_conflict_rate: windows === 0 ? null : round6(sumP / windows),
    model_conflict_rate_mean_window: mean === null ? null : round6(1 - Math.exp(-lambda * (mean / 1000))),
    measured_conflict_rate: ratioOrNull(conflicts, windows),
    direct_conflict_rate: ratioOrNull(direct, windows),
  };
}

/** Whether ascending `times` has a value in (start, end]. */
function anyIn(times: readonly number[], start: number, end: number): boolean {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo < times.length && (times[lo] as number) <= end;
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * A compactor process: every `compact_interval_s` it folds the manifest into a checkpoint,
 * publishes it and collects garbage as `compact_gc` says (the chaos compaction nemesis's
 * `compactionRound`), until stopped. Its failures are part of the experiment, not errors of the run.
 */
function runCompactor(
  config: WorkloadConfig,
  clock: Clock,
  store: ObjectStore,
  prefix: string,
  random: Random,
  onPublished: () => void,
  counts: CompactionCounts,
) {
  const manifest = new Manifest<string, StoredValue>({
    store,
    prefix,
    clock,
    random,
    profile: config.profile,
    retention: { leaseTtlMs: config.lease_ttl_ms, maxClockSkewMs: config.max_clock_skew_ms },
  });
  let last = '';
  const hooks = {
    published: (id: string) => {
      counts.checkpoints++;
      // Re-publishing the same checkpoint leaves HEAD's bytes, and so its ETag, unchanged.
      if (id !== last) onPublished();
      last = id;
    },
    planned: (installed: boolean) => {
      if (installed) counts.gc_plans++;
      else counts.gc_skipped++;
    },
  };
  return every(clock, config.compact_interval_s * 1000, () =>
    config.compact_gc === 'none'
      ? manifest
          .compactor()
          .compactOnce()
          .then(
            (published) => hooks.published(published.checkpointId),
            () => {
              counts.errors++;
            },
          )
      : compactionRound(manifest.compactor(), config.compact_gc, hooks).catch(() => {
          counts.errors++;
        }),
  );
}

/** Records each request as a span on one client's trace track. */
class TracedStore extends ObjectStoreDecorator {
  constructor(
    inner: ObjectStore,
    private readonly clock: Clock,
    private readonly trace: TraceRecorder,
    private readonly track: number,
  ) {
    super(inner);
  }

  protected override async around<T>(request: StoreRequest, op: () => Promise<T>): Promise<T> {
    const start = this.clock.now();
    let outcome = 'ok';
    try {
      return await op();
    } catch (err) {
      outcome = err instanceof Error ? err.name : 'error';
      throw err;
    } finally {
      this.trace.span(this.track, 'request', `${request.kind} ${request.key.slice(request.key.lastIndexOf('/') + 1)}`, start, this.clock.now(), {
        key: request.key,
        outcome,
      });
    }
  }
}

/** `a / b` rounded to 6 decimals; null — undefined, not 0 — when `b` is 0. */
function ratioOrNull(a: number, b: number): number | null {
  return b === 0 ? null : ratio(a, b);
}

/** `a / b` rounded to 6 decimals; 0 when `b` is 0 (for throughputs over a window). */
function ratio(a: number, b: number): number {
  return b === 0 ? 0 : Math.round((a / b) * 1e6) / 1e6;
}

/** Report progress once per second of run time until stopped. */
function ticker(clock: Clock, durationMs: number, report: (elapsedMs: number, durationMs: number) => void) {
  return every(clock, 1000, async () => report(Math.min(clock.now(), durationMs), durationMs));
}

/** Run `tick` every `intervalMs` on `clock` until `stop()`, which resolves once the loop has ended. */
function every(clock: Clock, intervalMs: number, tick: () => Promise<void>) {
  const controller = new AbortController();
  const done = (async () => {
    try {
      for (;;) {
        await clock.sleep(intervalMs, controller.signal);
        await tick();
      }
    } catch {
      // stopped
    }
  })();
  return {
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}
