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

/** Student-t 97.5th percentiles for 1…30 degrees of freedom (R `qt(0.975, df)`, SciPy `t.ppf(0.975, df)`). */
const T975 = [
  12.706204736174694, 4.302652729749462, 3.1824463052837078, 2.7764451051977934, 2.5705818356363146, 2.4469118511449786, 2.364624251592784,
  2.306004135204166, 2.262157162798205, 2.228138851986274, 2.200985160091639, 2.1788128296672284, 2.1603686564627913, 2.144786687917804,
  2.131449545559776, 2.1199052992212546, 2.1098155778333156, 2.1009220402410382, 2.0930240544083087, 2.085963447265864, 2.0796138447276795,
  2.0738730679040254, 2.0686576104190486, 2.0638985616280245, 2.0595385527532972, 2.0555294386428735, 2.0518305164802846, 2.0484071417952454,
  2.045229642132703, 2.0422724563012378,
] as const;

/**
 * The 97.5th percentile of Student's t with `df` degrees of freedom: the multiplier of a
 * two-sided 95 % interval for a mean of `df + 1` values. Exact (to double precision) for 1…30
 * from a table; beyond, the Cornish–Fisher expansion around the normal (Abramowitz & Stegun
 * 26.7.5), accurate to better than 1e-6 there and tending to `Z95`.
 */
export function tQuantile975(df: number): number {
  if (!(Number.isInteger(df) && df >= 1)) throw new RangeError(`tQuantile975: df must be a positive integer, got ${df}`);
  const tabled = T975[df - 1];
  if (tabled !== undefined) return tabled;
  const z = Z95;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  const g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384;
  const g4 = (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / 92160;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}
