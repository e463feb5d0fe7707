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

/** A difference of two rates with its 95 % interval. */
export interface Difference extends Interval {
  readonly value: number;
}

/**
 * The difference `a − b` of two independent proportions (k of n each) with Newcombe's hybrid
 * score interval (1998, method 10), built from each side's Wilson interval: it keeps its
 * coverage near 0, where rates of rare failures live. Null when either side has no trials.
 */
export function newcombe(a: { readonly k: number; readonly n: number }, b: { readonly k: number; readonly n: number }): Difference | null {
  const ia = wilson(a.k, a.n);
  const ib = wilson(b.k, b.n);
  if (ia === null || ib === null) return null;
  const pa = a.k / a.n;
  const pb = b.k / b.n;
  const d = pa - pb;
  return {
    value: d,
    lo: d - Math.sqrt((pa - ia.lo) ** 2 + (ib.hi - pb) ** 2),
    hi: d + Math.sqrt((ia.hi - pa) ** 2 + (pb - ib.lo) ** 2),
  };
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
 * HDR's rank for percentile `p` of `total` samples: ⌈p/100 · total⌉, guarded against the one-ulp
 * excess of the floating-point product, and at least 1.
 */
function rankAt(p: number, total: number): number {
  const fp = (Math.min(p, 100) / 100) * total;
  return Math.max(Math.ceil(fp - ulp(fp)), 1);
}

function ulp(x: number): number {
  return x === 0 ? Number.MIN_VALUE : 2 ** (Math.floor(Math.log2(Math.abs(x))) - 52);
}

/**
 * The value at percentile `p` (0–100) of the union of several bucket lists: the smallest value
 * with at least ⌈p/100 · n⌉ samples at or below it (HDR's rule); null with no samples.
 */
export function percentileOfBuckets(parts: readonly Buckets[], p: number): number | null {
  return new PooledBuckets(parts).percentile(parts.map((_, i) => i), p);
}

/**
 * Several replicas' buckets on one shared value axis, with cumulative counts per replica, so
 * the percentile of any multiset of replicas (a bootstrap draw) costs a binary search over the
 * values with one sum per replica drawn — not a merge and a sort.
 */
export class PooledBuckets {
  readonly values: Float64Array;
  /** cumulative[r][i]: replica r's samples at or below values[i]. */
  readonly #cumulative: Float64Array[];

  constructor(parts: readonly Buckets[]) {
    const all = new Set<number>();
    for (const part of parts) for (const [v] of part) all.add(v);
    this.values = Float64Array.from([...all].sort((a, b) => a - b));
    const index = new Map<number, number>();
    for (const [i, v] of this.values.entries()) index.set(v, i);
    this.#cumulative = parts.map((part) => {
      const c = new Float64Array(this.values.length);
      for (const [v, n] of part) {
        const i = index.get(v) as number;
        c[i] = (c[i] as number) + n;
      }
      for (let i = 1; i < c.length; i++) c[i] = (c[i] as number) + (c[i - 1] as number);
      return c;
    });
  }

  /** Samples of replica `r`. */
  count(r: number): number {
    const c = this.#cumulative[r];
    return c === undefined || c.length === 0 ? 0 : (c[c.length - 1] as number);
  }

  /** Percentile `p` of the replicas in `draw` (indices, repeats allowed); null with no samples. */
  percentile(draw: readonly number[], p: number): number | null {
    let total = 0;
    for (const r of draw) total += this.count(r);
    if (total === 0) return null;
    const rank = rankAt(p, total);
    let lo = 0;
    let hi = this.values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      let atOrBelow = 0;
      for (const r of draw) atOrBelow += (this.#cumulative[r] as Float64Array)[mid] as number;
      if (atOrBelow >= rank) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo] as number;
  }
}
