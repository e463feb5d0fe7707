/**
 * Interval estimates. The report recomputes intervals from counts rather than trusting any it
 * did not make, so these are implemented here (the lab's own live in `workload`, which the
 * report must not import); tests check them against published values.
 */

/** The 97.5th percentile of the standard normal: a two-sided 95 % interval. */
export const Z95 = 1.959963984540054;

/** A proportion `k / n` with its 95 % interval; `value`, `lo`, `hi` are null when `n` is 0. */
export interface Proportion {
  readonly k: number;
  readonly n: number;
  readonly value: number | null;
  readonly lo: number | null;
  readonly hi: number | null;
}

/** An estimate with a 95 % interval (all null when undefined). */
export interface Interval {
  readonly value: number | null;
  readonly lo: number | null;
  readonly hi: number | null;
}

/**
 * Wilson's score interval (Wilson 1927; method 3 in Newcombe 1998): unlike the normal
 * approximation it stays inside [0, 1] and is honest at k = 0, which most configs have.
 */
export function wilson(k: number, n: number, z = Z95): Proportion {
  if (!(n > 0)) return { k, n, value: null, lo: null, hi: null };
  if (k < 0 || k > n) throw new RangeError(`wilson: k = ${k} is outside 0…${n}`);
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = ((z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n)));
  // Clamp the last-ulp overshoot at k = 0 and k = n.
  return { k, n, value: p, lo: k === 0 ? 0 : Math.max(0, centre - half), hi: k === n ? 1 : Math.min(1, centre + half) };
}

/**
 * Newcombe's hybrid score interval for p1 − p2 (Newcombe 1998, "Interval estimation for the
 * difference between independent proportions", method 10): built from each proportion's
 * Wilson interval, it keeps good coverage when rates are near 0, where the Wald interval fails.
 */
export function newcombe(a: Proportion, b: Proportion): Interval {
  if (a.value === null || b.value === null || a.lo === null || a.hi === null || b.lo === null || b.hi === null) {
    return { value: null, lo: null, hi: null };
  }
  const d = a.value - b.value;
  const lo = d - Math.sqrt((a.value - a.lo) ** 2 + (b.hi - b.value) ** 2);
  const hi = d + Math.sqrt((a.hi - a.value) ** 2 + (b.value - b.lo) ** 2);
  return { value: d, lo, hi };
}

/** Pool counts: the sum of `k` over the sum of `n`, with its Wilson interval. */
export function pooled(parts: readonly { readonly k: number; readonly n: number }[]): Proportion {
  let k = 0;
  let n = 0;
  for (const p of parts) {
    k += p.k;
    n += p.n;
  }
  return wilson(k, n);
}

/** Do two intervals share a point? */
export function overlaps(a: Interval, b: Interval): boolean {
  return a.lo !== null && a.hi !== null && b.lo !== null && b.hi !== null && a.lo <= b.hi && b.lo <= a.hi;
}
