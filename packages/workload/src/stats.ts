/**
 * The statistics every number the lab prints goes through: a rate is a count over a count with
 * a 95 % Wilson interval; a throughput or a percentile pooled over replicas gets a bootstrap
 * interval that resamples whole replicas (seeds), because samples inside one run are not
 * independent. Undefined results are `null` — printed as empty cells, never as 0.
 */
import type { Random } from '@manifest-lab/manifest-core';

export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

/** z for a two-sided 95 % interval. */
export const Z95 = 1.959963984540054;

/** Bootstrap resamples per interval: enough for stable 2.5/97.5 % quantiles at this scale. */
export const BOOTSTRAP_RESAMPLES = 1000;

/** Fewer samples than this make a p99 a maximum in disguise: flag it. */
export const MIN_PERCENTILE_SAMPLES = 100;

/** Wilson score interval for `k` successes in `n` trials; null when `n` is 0. */
export function wilson(k: number, n: number, z = Z95): Interval | null {
  if (n <= 0) return null;
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

/**
 * Percentile bootstrap over units (replicas): draw `units.length` units with replacement,
 * compute `stat` of the draw, and take the 2.5 and 97.5 % quantiles of the results. Needs at
 * least two units (one unit says nothing about the spread between seeds); `stat` may return
 * null for a draw it cannot evaluate, which is skipped.
 */
export function bootstrap<T>(
  units: readonly T[],
  stat: (draw: readonly T[]) => number | null,
  random: Random,
  resamples = BOOTSTRAP_RESAMPLES,
): Interval | null {
  if (units.length < 2) return null;
  const values: number[] = [];
  const draw: T[] = new Array<T>(units.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < units.length; i++) draw[i] = units[Math.floor(random.next() * units.length)] as T;
    const v = stat(draw);
    if (v !== null && Number.isFinite(v)) values.push(v);
  }
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  return { lo: quantileSorted(values, 0.025), hi: quantileSorted(values, 0.975) };
}

/** Linear-interpolated quantile of sorted values. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/** A latency distribution as (value, count) buckets — what an HDR histogram records. */
export type Buckets = readonly (readonly [value: number, count: number])[];

/**
 * The value at percentile `p` (0–100) of the union of several bucket lists: the smallest value
 * with at least ⌈p/100 · n⌉ samples at or below it (HDR's rule); null with no samples.
 */
export function percentileOfBuckets(parts: readonly Buckets[], p: number): number | null {
  const merged = new Map<number, number>();
  let total = 0;
  for (const part of parts) {
    for (const [v, c] of part) {
      merged.set(v, (merged.get(v) ?? 0) + c);
      total += c;
    }
  }
  if (total === 0) return null;
  const values = [...merged.keys()].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const v of values) {
    seen += merged.get(v) as number;
    if (seen >= rank) return v;
  }
  return values[values.length - 1] as number;
}
