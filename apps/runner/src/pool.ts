/**
 * One configuration's replicas pooled into one row. Counts add up; proportions are pooled
 * over attempts or transactions with Wilson intervals; throughputs and percentiles get a
 * bootstrap over replicas (seeds). Everything undefined stays null.
 */
import { deriveSeed, SeededRandom } from '@manifest-lab/manifest-core';
import {
  bootstrap,
  type Interval,
  LatencyHistogram,
  MIN_PERCENTILE_SAMPLES,
  PooledBuckets,
  SATURATION_RATIO,
  type WorkloadConfig,
  WRITE_FAILURE_CLASSES,
  WRITE_OUTCOMES,
  WRITER_GROUPS,
  type WriteFailureClass,
  type WriteOutcome,
  type WriterGroup,
  wilson,
} from '@manifest-lab/workload';
import type { RunDocument } from './run-output.js';

/** A point estimate with its 95 % interval (nulls where undefined). */
export interface Estimate {
  readonly value: number | null;
  readonly lo: number | null;
  readonly hi: number | null;
}

/** A proportion `k / n` with its Wilson interval. */
export interface Rate extends Estimate {
  readonly k: number;
  readonly n: number;
}

/** A latency percentile of the pooled samples; `flagged` when there are too few for it. */
export interface Percentile extends Estimate {
  readonly samples: number;
  readonly flagged: boolean;
}

export interface ConfigSummary {
  readonly schema: 'manifest-lab/config@1';
  readonly sweep: string;
  readonly id: string;
  /** The configuration (its `seed` is replica 0's). */
  readonly config: WorkloadConfig;
  readonly replicas: number;
  readonly seeds: readonly number[];
  /** Each replica's directory, relative to the config's. */
  readonly runs: readonly string[];
  readonly counts: {
    readonly write_txns: number;
    readonly write_attempts: number;
    readonly commits: number;
    readonly precondition_failures: number;
    readonly retries: number;
    readonly retried_txns: number;
    readonly read_txns: number;
    readonly read_errors: number;
  };
  readonly outcomes: Readonly<Record<WriteOutcome, number>>;
  readonly top_failure_class: WriteFailureClass | null;
  readonly rates: {
    readonly txn_failure_rate: Rate;
    readonly precondition_failure_rate: Rate;
    readonly retry_success_rate: Rate;
    readonly retry_failure_rate: Rate;
  };
  readonly avg_retry_count: number | null;
  readonly throughput: {
    readonly write_tps: Estimate;
    readonly read_tps: Estimate;
    readonly write_offered_tps: Estimate;
    readonly write_achieved_tps: Estimate;
    readonly read_offered_tps: Estimate;
    readonly read_achieved_tps: Estimate;
  };
  readonly latency: Readonly<Record<LatencyColumn, Percentile>>;
  readonly window_mean_ms: number | null;
  readonly load: {
    readonly write_late: number;
    readonly write_dropped: number;
    readonly read_late: number;
    readonly read_dropped: number;
    /** Achieved / offered, pooled over replicas. */
    readonly write_achieved_ratio: number | null;
    readonly read_achieved_ratio: number | null;
    readonly saturated: boolean;
  };
  /** The longest overrun past `duration_s` among the replicas, seconds. */
  readonly overrun_s: number;
  readonly conflict_model: {
    /** The model's per-attempt conflict probability, averaged over every compared attempt. */
    readonly model_conflict_rate: number | null;
    /** Conflicts / compared attempts (those whose window ended inside the measured window). */
    readonly measured_conflict_rate: number | null;
    /** Compared attempts with another commit inside their window (the model without Poisson). */
    readonly direct_conflict_rate: number | null;
    /** model / measured; null when nothing conflicted. */
    readonly ratio: number | null;
    readonly lambda_others: number | null;
    readonly windows: number;
  };
  readonly requests_per_commit: number | null;
  /** Requests of write attempts that did not commit, per commit; null when a replica predates the measure. */
  readonly wasted_requests_per_commit: number | null;
  /** Local vs remote writers (configs with `remote_writers` > 0), pooled over replicas. */
  readonly groups: Readonly<Record<WriterGroup, GroupSummary>> | null;
  readonly isolation: {
    readonly valid: true | false | 'unknown';
    readonly runs_valid: number;
    readonly anomaly_types: readonly string[];
    /** The white-box replay, over the runs whose store could be read back. */
    readonly white_box: { readonly runs: number; readonly runs_valid: number; readonly anomaly_types: readonly string[] };
  };
}

/** One writer group's pooled counts, with Wilson intervals on its failure rates. */
export interface GroupSummary {
  readonly write_attempts: number;
  readonly commits: number;
  readonly txn_failure_rate: Rate;
  /** Lost CAS races per attempt. */
  readonly precondition_failure_rate: Rate;
}

/** Latency percentiles pooled from the replicas' HDR histograms. */
const LATENCY = {
  write_p50_ms: ['write_txn', 50],
  write_p95_ms: ['write_txn', 95],
  write_p99_ms: ['write_txn', 99],
  read_p50_ms: ['read_txn', 50],
  read_p95_ms: ['read_txn', 95],
  read_p99_ms: ['read_txn', 99],
  commit_p50_ms: ['commit', 50],
  commit_p99_ms: ['commit', 99],
  window_p50_ms: ['window', 50],
} as const;
export type LatencyColumn = keyof typeof LATENCY;
export const LATENCY_COLUMNS = Object.keys(LATENCY) as LatencyColumn[];

/** Pool the replicas of one configuration (in replica order). */
export function poolReplicas(sweep: string, id: string, runs: readonly string[], docs: readonly RunDocument[]): ConfigSummary {
  const first = docs[0];
  if (first === undefined) throw new Error(`config ${id} has no replica to pool`);
  const random = new SeededRandom(deriveSeed(first.config.seed, `${sweep}/${id}/bootstrap`));
  const sum = (f: (d: RunDocument) => number) => docs.reduce((a, d) => a + f(d), 0);
  const w = (d: RunDocument) => d.metrics.write.counters;
  const outcomes = Object.fromEntries(WRITE_OUTCOMES.map((o) => [o, sum((d) => d.metrics.outcomes[o])])) as Record<WriteOutcome, number>;
  let top: WriteFailureClass | null = null;
  for (const c of WRITE_FAILURE_CLASSES) if (outcomes[c] > 0 && (top === null || outcomes[c] > outcomes[top])) top = c;
  const txns = sum((d) => w(d).txns);
  const attempts = sum((d) => w(d).attempts);
  const pf = sum((d) => w(d).precondition_failures);
  const retried = sum((d) => w(d).retried_txns);
  const mean = (f: (d: RunDocument) => number) => (draw: readonly RunDocument[]) => draw.reduce((a, d) => a + f(d), 0) / draw.length;
  const tps = (f: (d: RunDocument) => number): Estimate => ({ value: round(mean(f)(docs)), ...interval(bootstrap(docs, mean(f), random)) });

  const pooled = new Map<string, PooledBuckets>();
  const pooledOf = (name: string) => {
    let b = pooled.get(name);
    if (b === undefined) {
      b = new PooledBuckets(docs.map((d) => LatencyHistogram.decodeBuckets((d.metrics.histograms as Record<string, string>)[name] ?? '')));
      pooled.set(name, b);
    }
    return b;
  };
  const indices = docs.map((_, i) => i);
  const latency = Object.fromEntries(
    LATENCY_COLUMNS.map((col): [LatencyColumn, Percentile] => {
      const [hist, p] = LATENCY[col];
      const b = pooledOf(hist);
      const samples = indices.reduce((a, i) => a + b.count(i), 0);
      const iv = bootstrap(indices, (draw) => b.percentile(draw, p), random);
      return [col, { value: b.percentile(indices, p), ...interval(iv), samples, flagged: samples < MIN_PERCENTILE_SAMPLES }];
    }),
  ) as Record<LatencyColumn, Percentile>;

  const windows = sum((d) => d.metrics.conflict_model.windows);
  const modelRate =
    windows === 0 ? null : sum((d) => (d.metrics.conflict_model.model_conflict_rate ?? 0) * d.metrics.conflict_model.windows) / windows;
  // The model's own comparison set: attempts whose window ended inside the measured window.
  const windowConflicts = sum((d) => d.metrics.conflict_model.conflicts);
  const measured = windows === 0 ? null : windowConflicts / windows;
  const scheduled = (k: 'write' | 'read') => sum((d) => d.metrics.load[k].scheduled);
  const completed = (k: 'write' | 'read') => sum((d) => d.metrics.load[k].completed);
  const achievedRatio = (k: 'write' | 'read') => (scheduled(k) === 0 ? null : round(completed(k) / scheduled(k)));
  const writeRatio = achievedRatio('write');
  const readRatio = achievedRatio('read');
  const validRuns = docs.filter((d) => d.isolation.valid === true).length;
  const commits = sum((d) => w(d).successes);
  const writerRequests = sum((d) => Object.values(d.metrics.requests.writers).reduce((a, b) => a + b, 0));
  const wasted = sum((d) => w(d).wasted_requests ?? Number.NaN);

  return {
    schema: 'manifest-lab/config@1',
    sweep,
    id,
    config: first.config,
    replicas: docs.length,
    seeds: docs.map((d) => d.config.seed),
    runs,
    counts: {
      write_txns: txns,
      write_attempts: attempts,
      commits,
      precondition_failures: pf,
      retries: sum((d) => w(d).retries),
      retried_txns: retried,
      read_txns: sum((d) => d.metrics.read.counters.txns),
      read_errors: sum((d) => d.metrics.read.counters.errors),
    },
    outcomes,
    top_failure_class: top,
    rates: {
      txn_failure_rate: rate(txns - outcomes.committed, txns),
      precondition_failure_rate: rate(pf, attempts),
      retry_success_rate: rate(sum((d) => w(d).retry_successes), retried),
      retry_failure_rate: rate(sum((d) => w(d).retry_failures), retried),
    },
    avg_retry_count: txns === 0 ? null : round(sum((d) => w(d).retries) / txns),
    throughput: {
      write_tps: tps((d) => d.metrics.write.tps),
      read_tps: tps((d) => d.metrics.read.tps),
      write_offered_tps: tps((d) => d.metrics.load.write.offered_tps),
      write_achieved_tps: tps((d) => d.metrics.load.write.achieved_tps),
      read_offered_tps: tps((d) => d.metrics.load.read.offered_tps),
      read_achieved_tps: tps((d) => d.metrics.load.read.achieved_tps),
    },
    latency,
    window_mean_ms: windows === 0 ? null : round(sum((d) => (d.metrics.conflict_model.window_mean_ms ?? 0) * d.metrics.conflict_model.windows) / windows),
    load: {
      write_late: sum((d) => d.metrics.load.write.late),
      write_dropped: sum((d) => d.metrics.load.write.dropped),
      read_late: sum((d) => d.metrics.load.read.late),
      read_dropped: sum((d) => d.metrics.load.read.dropped),
      write_achieved_ratio: writeRatio,
      read_achieved_ratio: readRatio,
      saturated: (writeRatio !== null && writeRatio < SATURATION_RATIO) || (readRatio !== null && readRatio < SATURATION_RATIO),
    },
    overrun_s: Math.max(...docs.map((d) => d.metrics.overrun_s)),
    conflict_model: {
      model_conflict_rate: modelRate === null ? null : round(modelRate),
      measured_conflict_rate: measured === null ? null : round(measured),
      direct_conflict_rate:
        windows === 0 ? null : round(sum((d) => (d.metrics.conflict_model.direct_conflict_rate ?? 0) * d.metrics.conflict_model.windows) / windows),
      ratio: modelRate === null || measured === null || measured === 0 ? null : round(modelRate / measured),
      lambda_others: attempts === 0 ? null : round(sum((d) => d.metrics.conflict_model.lambda_others * w(d).attempts) / attempts),
      windows,
    },
    requests_per_commit: commits === 0 ? null : round(writerRequests / commits),
    wasted_requests_per_commit: commits === 0 || Number.isNaN(wasted) ? null : round(wasted / commits),
    groups: poolGroups(docs),
    isolation: {
      valid: validRuns === docs.length ? true : docs.some((d) => d.isolation.valid === false) ? false : 'unknown',
      runs_valid: validRuns,
      anomaly_types: [...new Set(docs.flatMap((d) => d.isolation.anomaly_types))].sort(),
      white_box: {
        runs: docs.filter((d) => d.isolation.white_box !== undefined).length,
        runs_valid: docs.filter((d) => d.isolation.white_box?.valid === true).length,
        anomaly_types: [...new Set(docs.flatMap((d) => d.isolation.white_box?.anomaly_types ?? []))].sort(),
      },
    },
  };
}

function poolGroups(docs: readonly RunDocument[]): Record<WriterGroup, GroupSummary> | null {
  if (!docs.every((d) => d.metrics.groups !== undefined)) return null;
  const one = (g: WriterGroup): GroupSummary => {
    const sum = (f: (c: NonNullable<RunDocument['metrics']['groups']>[WriterGroup]) => number) =>
      docs.reduce((a, d) => a + f((d.metrics.groups as NonNullable<RunDocument['metrics']['groups']>)[g]), 0);
    const txns = sum((c) => c.txns);
    const commits = sum((c) => c.committed);
    const attempts = sum((c) => c.attempts);
    return { write_attempts: attempts, commits, txn_failure_rate: rate(txns - commits, txns), precondition_failure_rate: rate(sum((c) => c.precondition_failures), attempts) };
  };
  return Object.fromEntries(WRITER_GROUPS.map((g) => [g, one(g)])) as Record<WriterGroup, GroupSummary>;
}

function rate(k: number, n: number): Rate {
  const iv = wilson(k, n);
  return { k, n, value: n === 0 ? null : round(k / n), lo: iv === null ? null : round(iv.lo), hi: iv === null ? null : round(iv.hi) };
}

function interval(iv: Interval | null): { lo: number | null; hi: number | null } {
  return iv === null ? { lo: null, hi: null } : { lo: round(iv.lo), hi: round(iv.hi) };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
