import {
  type Clock,
  diffRequestCounts,
  Manifest,
  type ManifestOptions,
  MemoryObjectStore,
  type ObjectStore,
  type Random,
  RealClock,
  type RequestCounts,
  SeededRandom,
  totalRequests,
  VirtualClock,
} from '@manifest-lab/manifest-core';
import { arrivalTimes } from './arrivals.js';
import { type Client, type RunContext, readTransaction, type StoredValue, writeTransaction } from './clients.js';
import type { WorkloadConfig } from './config.js';
import { type HistoryEvent, HistoryRecorder } from './history.js';
import { KeyPool } from './key-pool.js';
import type { LatencySummary } from './latency-histogram.js';
import { MeteredObjectStore } from './metered-store.js';
import {
  type ArrivalCounters,
  type ErrorClass,
  type HistogramName,
  LATE_THRESHOLD_MS,
  type ReadCounters,
  type SeriesPoint,
  WorkloadMetrics,
  type WriteCounters,
} from './metrics.js';
import { type ArrivalOutcome, runOpenLoop } from './open-loop.js';
import { RunClock } from './run-clock.js';

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
  /** Build each client's manifest — e.g. a deliberately broken variant, to test a checker. */
  readonly manifestFactory?: (options: ManifestOptions) => Manifest<string, StoredValue>;
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
  readonly rates: {
    /** Precondition failures per write attempt. */
    readonly precondition_failure_rate: number;
    /** Retries per write transaction. */
    readonly avg_retry_count: number;
    /** Of transactions that retried, the share that committed / that still failed. */
    readonly retry_success_rate: number;
    readonly retry_failure_rate: number;
    /** Writers' storage requests per committed transaction. */
    readonly requests_per_commit: number;
  };
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
  const metrics = new WorkloadMetrics(config.warmup_s * 1000);
  const history = new HistoryRecorder(() => clock.now());
  const keys = new KeyPool(config.num_writers, config.keys_per_writer, config.shared_keys, config.key_overlap_ratio);
  const durationMs = config.duration_s * 1000;
  let element = 0;
  let process = config.num_writers + config.num_readers;
  const ctx: RunContext = {
    config,
    clock,
    keys,
    metrics,
    history,
    nextElement: () => ++element,
    nextProcess: () => process++,
  };
  const writerStore = new MeteredObjectStore(store, clock, metrics);
  const readerStore = new MeteredObjectStore(store, clock, metrics);
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
  const client = (role: string, index: number, s: ObjectStore, processId: number): Client => ({
    manifest: makeManifest({
      store: s,
      prefix,
      clock,
      random: root.fork(`${role}-${index}/manifest`),
      retention: { leaseTtlMs: config.lease_ttl_ms },
      profile: config.profile,
    }),
    random: root.fork(`${role}-${index}/choices`),
    process: processId,
  });

  const program = async () => {
    const before = store.requestCounts();
    const progress = env.onProgress === undefined ? undefined : ticker(clock, durationMs, env.onProgress);
    const compactor = config.compact_interval_s > 0 ? runCompactor(config, clock, store, prefix, root.fork('compactor')) : undefined;
    await Promise.all([
      ...Array.from({ length: config.num_writers }, (_, i) => {
        const c = client('writer', i, writerStore, i);
        const arrivals = arrivalTimes(config.arrival, config.writer_rate, durationMs, root.fork(`writer-${i}/arrivals`));
        return runOpenLoop(clock, arrivals, config.max_backlog, onArrival(metrics.arrivals), (t) =>
          writeTransaction(ctx, c, i, t),
        );
      }),
      ...Array.from({ length: config.num_readers }, (_, j) => {
        const c = client('reader', j, readerStore, config.num_writers + j);
        const arrivals = arrivalTimes(config.arrival, config.reader_rate, durationMs, root.fork(`reader-${j}/arrivals`));
        return runOpenLoop(clock, arrivals, config.max_backlog, onArrival(readArrivals), (t) =>
          readTransaction(ctx, c, t),
        );
      }),
    ]);
    await progress?.stop();
    await compactor?.stop();
    return diffRequestCounts(store.requestCounts(), before);
  };
  const requestCounts = virtual === undefined ? await program() : await virtual.run(program);
  const elapsedMs = clock.now();
  return {
    config,
    metrics: report(config, metrics, readArrivals, writerStore.ownCounts(), readerStore.ownCounts()),
    timeSeries: metrics.series(),
    history: history.events,
    requestCounts,
    elapsedMs,
    prefix,
    store,
  };
}

function report(
  config: WorkloadConfig,
  m: WorkloadMetrics,
  readArrivals: ArrivalCounters,
  writers: RequestCounts,
  readers: RequestCounts,
): WorkloadMetricsReport {
  const seconds = config.duration_s - config.warmup_s;
  const w = m.write;
  const s = m.summaries();
  const requestLatency: Record<string, LatencySummary> = {};
  for (const [k, v] of Object.entries(s)) if (k.startsWith('request_')) requestLatency[k.slice('request_'.length)] = v;
  return {
    measured_seconds: seconds,
    write: { tps: ratio(w.successes, seconds), counters: { ...w }, latency: s.write_txn, commit_latency: s.commit },
    read: { tps: ratio(m.read.successes, seconds), counters: { ...m.read }, latency: s.read_txn },
    rates: {
      precondition_failure_rate: ratio(w.precondition_failures, w.attempts),
      avg_retry_count: ratio(w.retries, w.txns),
      retry_success_rate: ratio(w.retry_successes, w.retried_txns),
      retry_failure_rate: ratio(w.retry_failures, w.retried_txns),
      requests_per_commit: ratio(totalRequests(writers), w.successes),
    },
    arrivals: { write: { ...m.arrivals }, read: { ...readArrivals } },
    start_lag: s.start_lag,
    errors_by_class: { ...m.errorsByClass },
    requests: { writers, readers },
    request_latency: requestLatency,
    histograms: m.encodedHistograms(),
  };
}

/**
 * A compactor process: every `compact_interval_s` it folds the manifest into a checkpoint and
 * publishes it (`compactOnce`; no GC), until stopped. Its failures are part of the experiment,
 * not errors of the run.
 */
function runCompactor(config: WorkloadConfig, clock: Clock, store: ObjectStore, prefix: string, random: Random) {
  const manifest = new Manifest<string, StoredValue>({
    store,
    prefix,
    clock,
    random,
    profile: config.profile,
    retention: { leaseTtlMs: config.lease_ttl_ms },
  });
  return every(clock, config.compact_interval_s * 1000, () => manifest.compactor().compactOnce().then(() => undefined, () => undefined));
}

/** `a / b` rounded to 6 decimals; 0 when `b` is 0. */
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
