/**
 * Retry settings from a sweep over `max_retry_count` × `retry_backoff` (e.g. sweeps/retry.json):
 * per metric, the best setting and every setting whose interval overlaps the best's — the data
 * cannot tell those apart, so any of them is as good a choice on that metric.
 */
import { rowsOf } from '../csv.js';
import { num } from '../rates.js';
import { overlaps, tQuantile975, wilson } from '../stats.js';
import type { Cell, ConfigEntry, SweepResult } from '../types.js';
import { CONDITION_FIELDS, constantFields } from './readiness-envelope.js';
import { configEvidence, type Evidence, join } from './readiness-evidence.js';

export const RETRY_FIELDS = ['max_retry_count', 'retry_backoff', 'retry_backoff_ms', 'retry_backoff_max_ms'] as const;

export type RetryMetricId = 'success' | 'throughput' | 'p99' | 'requests_per_commit' | 'wasted_requests_per_commit';

/** An estimate with its 95 % interval (null ends when there is none), its sample size and what that counts. */
export interface Estimate {
  readonly value: number | null;
  readonly lo: number | null;
  readonly hi: number | null;
  readonly n: number;
}

/** best: the best; tied: its interval overlaps the best's; worse: it does not; unknown: no interval to compare. */
export type Standing = 'best' | 'tied' | 'worse' | 'unknown';

export interface RetryScore {
  readonly id: string;
  readonly setting: Readonly<Record<string, Cell>>;
  readonly estimate: Estimate;
  readonly standing: Standing;
  readonly evidence: Evidence;
}

export interface RetryMetric {
  readonly id: RetryMetricId;
  readonly label: string;
  readonly better: 'higher' | 'lower';
  /** What `n` counts and how the interval was made. */
  readonly basis: string;
  readonly unit: string;
  /** Sorted best first. */
  readonly scores: readonly RetryScore[];
}

export interface RetrySweep {
  readonly name: string;
  readonly dir: string;
  readonly axes: readonly string[];
  readonly conditions: Readonly<Record<string, Cell>>;
  readonly metrics: readonly RetryMetric[];
  /** Settings tied with the best on per-transaction success (the best included). */
  readonly candidates: readonly RetryScore[];
  /**
   * Of the candidates, those that are best or indistinguishable from the candidates' best on
   * every other metric, each metric judged on its own: per metric the candidates are ranked
   * among themselves (the best by its conservative interval end, as `rank` does) and those
   * whose interval overlaps that best's are kept; the recommendation is the intersection over
   * the metrics. A metric on which no candidate can be compared (no intervals) is left out; a
   * candidate without an interval on a compared metric is not kept. Empty when the candidates
   * trade off (each is beaten on some metric): then no setting dominates and the table decides.
   */
  readonly recommended: readonly RetryScore[];
  /** Metrics that could not be computed, and why (e.g. a column another version of the lab writes). */
  readonly absent: readonly { readonly metric: RetryMetricId; readonly reason: string }[];
  readonly file: string;
}

/** Per-replica values of a runs.csv column, by configuration id. */
function perReplica(sweep: SweepResult, column: string): Map<string, number[]> | null {
  if (!sweep.runs.columnNames().includes(column)) return null;
  const out = new Map<string, number[]>();
  for (const r of rowsOf(sweep.runs)) {
    const config = String(r.run_id ?? '').split('/')[0] ?? '';
    const v = num(r, column);
    if (v !== null) out.set(config, [...(out.get(config) ?? []), v]);
  }
  return out;
}

/**
 * Mean over replicas with a Student-t 95 % interval on n − 1 degrees of freedom (none from a
 * single replica): with the handful of replicas a sweep has, the normal 1.96 would be too narrow
 * (t is 2.45 at 7 replicas, 12.7 at 2) and call settings "worse" that the data cannot tell apart.
 */
export function replicaMean(values: readonly number[]): Estimate {
  const n = values.length;
  if (n === 0) return { value: null, lo: null, hi: null, n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { value: mean, lo: null, hi: null, n };
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return { value: mean, lo: Math.max(0, mean - half), hi: mean + half, n };
}

/**
 * Rank by the conservative end (a higher-is-better metric by its lower bound, and vice versa), as
 * `bestWorst` does, so a lucky small sample does not win; then mark which overlap the best.
 */
export function rank(scores: readonly Omit<RetryScore, 'standing'>[], better: 'higher' | 'lower'): RetryScore[] {
  const sign = better === 'higher' ? -1 : 1;
  const key = (s: Omit<RetryScore, 'standing'>) => (better === 'higher' ? (s.estimate.lo ?? s.estimate.value) : (s.estimate.hi ?? s.estimate.value));
  const rated = scores.filter((s) => s.estimate.value !== null);
  const sorted = [...rated].sort((a, b) => sign * ((key(a) as number) - (key(b) as number)) || sign * ((a.estimate.value as number) - (b.estimate.value as number)) || (a.id < b.id ? -1 : 1));
  const best = sorted[0];
  const hasInterval = (e: Estimate) => e.lo !== null && e.hi !== null;
  return [...sorted, ...scores.filter((s) => s.estimate.value === null)].map((s) => {
    let standing: Standing;
    if (s === best) standing = 'best';
    else if (best === undefined || !hasInterval(s.estimate) || !hasInterval(best.estimate)) standing = 'unknown';
    else standing = overlaps(s.estimate, best.estimate) ? 'tied' : 'worse';
    return { ...s, standing };
  });
}

export function retrySweep(sweep: SweepResult): RetrySweep {
  const settingFields = sweep.axes;
  const base = (c: ConfigEntry) => ({ id: c.id, setting: Object.fromEntries(settingFields.map((f) => [f, c.row[f] ?? null])), evidence: configEvidence(sweep, c) });
  const metrics: RetryMetric[] = [];
  const absent: { metric: RetryMetricId; reason: string }[] = [];
  metrics.push({
    id: 'success',
    label: 'per-transaction success',
    better: 'higher',
    basis: 'committed of n write transactions, Wilson 95 %',
    unit: '%',
    scores: rank(
      sweep.configs.map((c) => {
        const p = wilson(num(c.row, 'commits') ?? 0, num(c.row, 'write_txns') ?? 0);
        return { ...base(c), estimate: { value: p.value, lo: p.lo, hi: p.hi, n: p.n } };
      }),
      'higher',
    ),
  });
  const fromRow = (id: RetryMetricId, label: string, column: string, better: 'higher' | 'lower', unit: string) => {
    metrics.push({
      id,
      label,
      better,
      basis: 'n replicas, bootstrap 95 % interval over replicas (none from one replica)',
      unit,
      scores: rank(
        sweep.configs.map((c) => ({
          ...base(c),
          estimate: { value: num(c.row, column), lo: num(c.row, `${column}_lo`), hi: num(c.row, `${column}_hi`), n: num(c.row, 'replicas') ?? c.runs.length },
        })),
        better,
      ),
    });
  };
  fromRow('throughput', 'effective throughput (committed write TPS)', 'write_tps', 'higher', 'txn/s');
  fromRow('p99', 'tail latency (write p99)', 'write_p99_ms', 'lower', 'ms');
  for (const [id, label] of [
    ['requests_per_commit', 'storage requests per commit'],
    ['wasted_requests_per_commit', 'wasted requests per commit (requests of attempts that did not commit)'],
  ] as const) {
    // Per replica from runs.csv gives an interval; a results.csv column alone gives only the value.
    const replicas = perReplica(sweep, id);
    if (replicas === null && !sweep.rows.columnNames().includes(id)) {
      absent.push({ metric: id, reason: `neither results.csv nor runs.csv of ${sweep.dir || '.'} has a ${id} column (newer manifest-lab versions write it; rerun the sweep to get it)` });
      continue;
    }
    const estimate = (c: ConfigEntry): Estimate =>
      replicas === null ? { value: num(c.row, id), lo: null, hi: null, n: num(c.row, 'replicas') ?? c.runs.length } : replicaMean(replicas.get(c.id) ?? []);
    metrics.push({
      id,
      label,
      better: 'lower',
      basis: replicas === null ? 'pooled over n replicas (results.csv has no per-replica values, so no interval)' : 'mean over n replicas, Student-t 95 % interval (none from one replica)',
      unit: 'requests',
      scores: rank(
        sweep.configs.map((c) => ({ ...base(c), estimate: estimate(c) })),
        'lower',
      ),
    });
  }
  // Success decides first: a setting that drops more transactions is no option however cheap.
  // Then each other metric on its own: the candidates ranked among themselves, those tied with
  // their best kept; the recommendation is what every metric keeps (see `recommended`).
  const success = metrics[0] as RetryMetric;
  const candidates = success.scores.filter((s) => s.standing === 'best' || s.standing === 'tied');
  const ids = new Set(candidates.map((s) => s.id));
  const keep = new Set(ids);
  for (const m of metrics.slice(1)) {
    const within = rank(
      m.scores.filter((s) => ids.has(s.id)),
      m.better,
    );
    if (!within.some((s) => s.standing === 'tied' || s.standing === 'worse')) continue;
    const good = new Set(within.filter((s) => s.standing === 'best' || s.standing === 'tied').map((s) => s.id));
    for (const id of keep) if (!good.has(id)) keep.delete(id);
  }
  const recommended = candidates.filter((s) => keep.has(s.id));
  return {
    name: sweep.name,
    dir: sweep.dir,
    axes: sweep.axes,
    conditions: constantFields(sweep, [...CONDITION_FIELDS.filter((f) => !(RETRY_FIELDS as readonly string[]).includes(f)), 'num_writers', 'writer_rate', 'key_overlap_ratio', 'num_readers']),
    metrics,
    candidates,
    recommended,
    absent,
    file: join(sweep.dir, 'results.csv'),
  };
}
