/**
 * What a soak run's buckets show, with 95 % intervals: is the system stationary (first third of
 * the measured buckets against the last), how fast does storage grow, do leases leak, and does
 * the process's memory stay bounded. Rules are named constants, documented in apps/runner/README.md.
 */
import { type Difference, type Interval, newcombe, wilson, Z95 } from '@manifest-lab/workload';
import type { SoakBucket } from './buckets.js';
import type { CacheCalibration } from './decoded-caches.js';

/** A change smaller than this share of the earlier level is not called drift, however certain. */
export const MATERIAL_CHANGE = 0.1;
/** A txn failure rate moving by less than this (absolute) is not called drift. */
export const MATERIAL_FAILURE_DIFF = 0.02;
/**
 * Memory is bounded when the upper 95 % bound of the slope (second half of the run) of the live
 * heap, less the manifests' decoded caches, is below this.
 */
export const MEMORY_SLOPE_LIMIT_MB_PER_H = 10;
/** Fewest buckets a half (or third) needs for a verdict. */
export const MIN_BUCKETS = 3;
/**
 * Shortest second half, seconds of run time, for a memory verdict: over less, start-up (code
 * compiled, modules and caches warming) passes for a trend.
 */
export const MIN_MEMORY_SPAN_S = 600;

export interface Estimate extends Interval {
  readonly value: number;
}

export interface ThirdSummary {
  readonly buckets: number;
  readonly seconds: number;
  readonly write_txns: number;
  readonly write_failures: number;
  readonly commits: number;
  readonly read_txns: number;
  readonly txn_failure_rate: number | null;
  readonly commits_per_s: number;
  readonly reads_per_s: number;
  /** Medians of the per-bucket percentiles. */
  readonly write_p50_ms: number | null;
  readonly write_p99_ms: number | null;
  readonly read_p50_ms: number | null;
  readonly read_p99_ms: number | null;
}

export type Verdict<T extends string> = T | 'inconclusive';

export interface SoakAnalysis {
  readonly schema: 'manifest-lab/soak@1';
  readonly bucket_s: number;
  readonly buckets: number;
  readonly measured_buckets: number;
  readonly stationarity: {
    readonly first: ThirdSummary;
    readonly last: ThirdSummary;
    /** Last third's txn failure rate minus the first's (Newcombe). */
    readonly failure_rate_diff: Difference | null;
    /** Last third's rate over the first's (exact conditional binomial, Wilson). */
    readonly commit_rate_ratio: Estimate | null;
    readonly read_rate_ratio: Estimate | null;
    /** Least-squares slopes of the per-bucket percentiles over run time, ms per hour. */
    readonly write_p50_slope_ms_per_h: Estimate | null;
    readonly write_p99_slope_ms_per_h: Estimate | null;
    readonly read_p50_slope_ms_per_h: Estimate | null;
    readonly read_p99_slope_ms_per_h: Estimate | null;
    /** What drifted (materially, and beyond its interval); empty when stationary. */
    readonly drifts: readonly string[];
    readonly verdict: Verdict<'stationary' | 'drifting'>;
  };
  readonly objects: {
    readonly first: BucketObjects;
    readonly last: BucketObjects;
    /** Least-squares growth over the measured buckets, objects per hour. */
    readonly segments_per_h: Estimate | null;
    readonly checkpoints_per_h: Estimate | null;
    readonly objects_per_h: Estimate | null;
  };
  readonly leases: { readonly max_live: number; readonly max_expired: number; readonly final_expired: number; readonly leaked: boolean };
  readonly memory: {
    readonly heap_live_first_mb: number;
    readonly heap_live_last_mb: number;
    readonly heap_live_max_first_half_mb: number;
    readonly heap_live_max_last_half_mb: number;
    readonly heap_used_max_mb: number;
    readonly rss_max_mb: number;
    /** Least-squares slope of the live heap over the second half of the measured buckets. */
    readonly heap_live_slope_mb_per_h: Estimate | null;
    /** The decoded caches' entries weighed after the run (null: not measured, nothing subtracted). */
    readonly caches: (CacheCalibration & { readonly end_mb: number; readonly bound_mb: number }) | null;
    /** The same slope of the live heap less the decoded caches (entries × their weight): what the verdict judges. */
    readonly heap_beyond_caches_slope_mb_per_h: Estimate | null;
    readonly verdict: Verdict<'bounded' | 'growing'>;
  };
  readonly wall_s: number;
}

type BucketObjects = Pick<SoakBucket, 'segments' | 'checkpoints' | 'objects' | 'leases_live' | 'leases_expired' | 'history_events'>;

export function analyseSoak(all: readonly SoakBucket[], bucketS: number, calibration: CacheCalibration | null = null): SoakAnalysis {
  const measured = all.filter((b) => b.measured);
  const third = Math.floor(measured.length / 3);
  const first = summarise(measured.slice(0, third));
  const last = summarise(measured.slice(measured.length - third));
  const hours = (b: SoakBucket) => (b.start_s + b.end_s) / 2 / 3600;
  const slopeOf = (key: 'write_p50_ms' | 'write_p99_ms' | 'read_p50_ms' | 'read_p99_ms') =>
    leastSquares(measured.flatMap((b) => (b[key] === null ? [] : [[hours(b), b[key] as number] as const])));
  const failure = third >= MIN_BUCKETS ? newcombe({ k: last.write_failures, n: last.write_txns }, { k: first.write_failures, n: first.write_txns }) : null;
  const commitRatio = third >= MIN_BUCKETS ? rateRatio(first.commits, first.seconds, last.commits, last.seconds) : null;
  const readRatio = third >= MIN_BUCKETS ? rateRatio(first.read_txns, first.seconds, last.read_txns, last.seconds) : null;
  const slopes = {
    write_p50_slope_ms_per_h: slopeOf('write_p50_ms'),
    write_p99_slope_ms_per_h: slopeOf('write_p99_ms'),
    read_p50_slope_ms_per_h: slopeOf('read_p50_ms'),
    read_p99_slope_ms_per_h: slopeOf('read_p99_ms'),
  };
  const spanH = measured.length === 0 ? 0 : ((measured.at(-1) as SoakBucket).end_s - (measured[0] as SoakBucket).start_s) / 3600;
  const drifts: string[] = [];
  if (failure !== null && (failure.lo > 0 || failure.hi < 0) && Math.abs(failure.value) >= MATERIAL_FAILURE_DIFF) drifts.push('txn failure rate');
  for (const [name, r] of [['commit rate', commitRatio], ['read rate', readRatio]] as const) {
    if (r !== null && (r.lo > 1 || r.hi < 1) && Math.abs(r.value - 1) >= MATERIAL_CHANGE) drifts.push(name);
  }
  // The p99 slopes are informational: a p99 of one bucket rests on its few slowest transactions.
  for (const [name, s, level] of [
    ['write p50', slopes.write_p50_slope_ms_per_h, first.write_p50_ms],
    ['read p50', slopes.read_p50_slope_ms_per_h, first.read_p50_ms],
  ] as const) {
    if (third >= MIN_BUCKETS && s !== null && level !== null && level > 0 && (s.lo > 0 || s.hi < 0) && Math.abs(s.value * spanH) >= MATERIAL_CHANGE * level) drifts.push(name);
  }
  const conclusive = third >= MIN_BUCKETS;
  const objectsOf = (b: SoakBucket | undefined): BucketObjects => ({
    segments: b?.segments ?? 0,
    checkpoints: b?.checkpoints ?? 0,
    objects: b?.objects ?? 0,
    leases_live: b?.leases_live ?? 0,
    leases_expired: b?.leases_expired ?? 0,
    history_events: b?.history_events ?? 0,
  });
  const growth = (key: 'segments' | 'checkpoints' | 'objects') => leastSquares(measured.map((b) => [b.end_s / 3600, b[key]] as const));
  const half = measured.slice(Math.floor(measured.length / 2));
  const firstHalf = measured.slice(0, Math.floor(measured.length / 2));
  const cachesMb = (b: Pick<SoakBucket, 'decoded_segments' | 'decoded_checkpoints'>) =>
    calibration === null ? 0 : (b.decoded_segments * calibration.segment_entry_kb + b.decoded_checkpoints * calibration.checkpoint_entry_kb) / 1000;
  const halfSpanS = half.length === 0 ? 0 : (half.at(-1) as SoakBucket).end_s - (half[0] as SoakBucket).start_s;
  const memSlope = half.length >= MIN_BUCKETS ? leastSquares(half.map((b) => [b.end_s / 3600, b.heap_live_mb] as const)) : null;
  const beyondSlope =
    half.length >= MIN_BUCKETS ? leastSquares(half.map((b) => [b.end_s / 3600, b.heap_live_mb - cachesMb(b)] as const)) : null;
  const max = (bs: readonly SoakBucket[], f: (b: SoakBucket) => number) => bs.reduce((m, b) => Math.max(m, f(b)), 0);
  return {
    schema: 'manifest-lab/soak@1',
    bucket_s: bucketS,
    buckets: all.length,
    measured_buckets: measured.length,
    stationarity: {
      first,
      last,
      failure_rate_diff: failure,
      commit_rate_ratio: commitRatio,
      read_rate_ratio: readRatio,
      ...slopes,
      drifts,
      verdict: drifts.length > 0 ? 'drifting' : conclusive ? 'stationary' : 'inconclusive',
    },
    objects: {
      first: objectsOf(measured[0]),
      last: objectsOf(measured.at(-1)),
      segments_per_h: growth('segments'),
      checkpoints_per_h: growth('checkpoints'),
      objects_per_h: growth('objects'),
    },
    leases: {
      max_live: max(all, (b) => b.leases_live),
      max_expired: max(all, (b) => b.leases_expired),
      final_expired: all.at(-1)?.leases_expired ?? 0,
      leaked: all.some((b) => b.leases_expired > 0),
    },
    memory: {
      heap_live_first_mb: measured[0]?.heap_live_mb ?? 0,
      heap_live_last_mb: measured.at(-1)?.heap_live_mb ?? 0,
      heap_live_max_first_half_mb: max(firstHalf, (b) => b.heap_live_mb),
      heap_live_max_last_half_mb: max(half, (b) => b.heap_live_mb),
      heap_used_max_mb: max(all, (b) => b.heap_used_mb),
      rss_max_mb: max(all, (b) => b.rss_mb),
      heap_live_slope_mb_per_h: memSlope,
      caches:
        calibration === null
          ? null
          : {
              ...calibration,
              end_mb: round(cachesMb({ decoded_segments: calibration.segments, decoded_checkpoints: calibration.checkpoints })),
              bound_mb: round(cachesMb({ decoded_segments: calibration.segment_capacity, decoded_checkpoints: calibration.checkpoint_capacity })),
            },
      heap_beyond_caches_slope_mb_per_h: beyondSlope,
      verdict: halfSpanS >= MIN_MEMORY_SPAN_S ? memoryVerdict(beyondSlope) : 'inconclusive',
    },
    wall_s: all.at(-1)?.wall_s ?? 0,
  };
}

/**
 * Bounded: the live heap's second-half slope is below `MEMORY_SLOPE_LIMIT_MB_PER_H` with 95 %
 * confidence. Growing: it is above the limit with 95 % confidence. Otherwise the run was too
 * short or too noisy to tell.
 */
export function memoryVerdict(slope: Estimate | null): Verdict<'bounded' | 'growing'> {
  if (slope === null) return 'inconclusive';
  if (slope.hi < MEMORY_SLOPE_LIMIT_MB_PER_H) return 'bounded';
  if (slope.lo > MEMORY_SLOPE_LIMIT_MB_PER_H) return 'growing';
  return 'inconclusive';
}

function summarise(bs: readonly SoakBucket[]): ThirdSummary {
  const sum = (f: (b: SoakBucket) => number) => bs.reduce((a, b) => a + f(b), 0);
  const seconds = sum((b) => b.end_s - b.start_s);
  const writeTxns = sum((b) => b.write_txns);
  const failures = sum((b) => b.write_failures);
  const commits = sum((b) => b.commits);
  const reads = sum((b) => b.read_txns);
  const med = (key: 'write_p50_ms' | 'write_p99_ms' | 'read_p50_ms' | 'read_p99_ms') => median(bs.flatMap((b) => (b[key] === null ? [] : [b[key] as number])));
  return {
    buckets: bs.length,
    seconds: round(seconds),
    write_txns: writeTxns,
    write_failures: failures,
    commits,
    read_txns: reads,
    txn_failure_rate: writeTxns === 0 ? null : round(failures / writeTxns),
    commits_per_s: seconds === 0 ? 0 : round(commits / seconds),
    reads_per_s: seconds === 0 ? 0 : round(reads / seconds),
    write_p50_ms: med('write_p50_ms'),
    write_p99_ms: med('write_p99_ms'),
    read_p50_ms: med('read_p50_ms'),
    read_p99_ms: med('read_p99_ms'),
  };
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  xs.sort((a, b) => a - b);
  const m = xs.length >> 1;
  return round(xs.length % 2 === 1 ? (xs[m] as number) : ((xs[m - 1] as number) + (xs[m] as number)) / 2);
}

/**
 * The ratio of two Poisson rates, (c2 / t2) / (c1 / t1), with a 95 % interval: given c1 + c2
 * events, c2 is binomial with p = t2 λ2 / (t1 λ1 + t2 λ2); a Wilson interval for p maps to one
 * for the ratio. Null when there were no events.
 */
export function rateRatio(c1: number, t1: number, c2: number, t2: number): Estimate | null {
  const n = c1 + c2;
  const w = wilson(c2, n);
  if (w === null || t1 <= 0 || t2 <= 0) return null;
  const toRatio = (p: number) => (p >= 1 ? Number.POSITIVE_INFINITY : (p / (1 - p)) * (t1 / t2));
  return { value: round(toRatio(c2 / n)), lo: round(toRatio(w.lo)), hi: round(toRatio(w.hi)) };
}

/** Lag-1 autocorrelation of the residuals is capped here: at 1 the interval would be unbounded. */
export const MAX_RESIDUAL_AUTOCORRELATION = 0.95;

/**
 * Least-squares slope of y on x with its 95 % t interval; null below 3 points or with no spread
 * in x. Per-bucket series (latency percentiles, the live heap) are serially correlated, which
 * the ordinary interval ignores: with the residuals' lag-1 autocorrelation ρ (points in x order)
 * above 0, the slope's standard error is widened by √((1 + ρ) / (1 − ρ)) and the t quantile is
 * taken at the effective sample size n (1 − ρ) / (1 + ρ) less 2, at least 2, degrees of freedom
 * (ρ capped at `MAX_RESIDUAL_AUTOCORRELATION`). `independent: true` gives the ordinary interval.
 */
export function leastSquares(points: readonly (readonly [x: number, y: number])[], opts: { readonly independent?: boolean } = {}): Estimate | null {
  const n = points.length;
  if (n < 3) return null;
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  let mx = 0;
  let my = 0;
  for (const [x, y] of sorted) {
    mx += x / n;
    my += y / n;
  }
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of sorted) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const residuals = sorted.map(([x, y]) => y - my - slope * (x - mx));
  let sse = 0;
  let lag1 = 0;
  for (const [i, e] of residuals.entries()) {
    sse += e * e;
    if (i > 0) lag1 += e * (residuals[i - 1] as number);
  }
  const rho = opts.independent === true || sse === 0 ? 0 : Math.min(MAX_RESIDUAL_AUTOCORRELATION, Math.max(0, lag1 / sse));
  const inflation = (1 + rho) / (1 - rho);
  const se = Math.sqrt((sse / (n - 2) / sxx) * inflation);
  const df = rho === 0 ? n - 2 : Math.max(2, Math.floor(n / inflation - 2));
  const half = tQuantile975(df) * se;
  return { value: round(slope), lo: round(slope - half), hi: round(slope + half) };
}

/** Two-sided 95 % Student t quantiles for 1–30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08,
  2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The 97.5 % quantile of Student's t; beyond the table, the Cornish–Fisher expansion (within 0.001 of it). */
export function tQuantile975(df: number): number {
  if (df <= 30) return T975[df - 1] as number;
  const z = Z95;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
