import { describe, expect, it } from 'vitest';
import { newcombe, overlaps, pooled, tQuantile975, wilson, Z95 } from './stats.js';

// Published values: Newcombe (1998), Statistics in Medicine 17, "Two-sided confidence intervals
// for the single proportion" (method 3, the Wilson score interval) and "Interval estimation
// for the difference between independent proportions" (method 10, the hybrid score interval).
describe('wilson', () => {
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i/%i matches Newcombe 1998', (k, n, lo, hi) => {
    const w = wilson(k, n);
    expect(w.value).toBeCloseTo(k / n, 12);
    expect(w.lo).toBeCloseTo(lo, 4);
    expect(w.hi).toBeCloseTo(hi, 4);
  });

  it('is null for no trials and 1 at k = n', () => {
    expect(wilson(0, 0)).toEqual({ k: 0, n: 0, value: null, lo: null, hi: null });
    expect(wilson(5, 5).hi).toBe(1);
    expect(() => wilson(6, 5)).toThrow(RangeError);
  });
});

describe('newcombe', () => {
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
  ])('%i/%i − %i/%i matches Newcombe 1998 method 10', (k1, n1, k2, n2, lo, hi) => {
    const d = newcombe(wilson(k1, n1), wilson(k2, n2));
    expect(d.value).toBeCloseTo(k1 / n1 - k2 / n2, 12);
    expect(d.lo).toBeCloseTo(lo, 4);
    expect(d.hi).toBeCloseTo(hi, 4);
  });

  it('is antisymmetric and null without data', () => {
    const a = wilson(7, 40);
    const b = wilson(2, 35);
    const ab = newcombe(a, b);
    const ba = newcombe(b, a);
    expect(ab.lo).toBeCloseTo(-ba.hi!, 12);
    expect(ab.hi).toBeCloseTo(-ba.lo!, 12);
    expect(newcombe(a, wilson(0, 0))).toEqual({ value: null, lo: null, hi: null });
  });
});

describe('pooled and overlaps', () => {
  it('pools counts, not rates', () => {
    expect(pooled([{ k: 1, n: 10 }, { k: 0, n: 90 }])).toEqual(wilson(1, 100));
  });

  it('says whether intervals share a point', () => {
    expect(overlaps({ value: 0.1, lo: 0, hi: 0.2 }, { value: 0.3, lo: 0.2, hi: 0.4 })).toBe(true);
    expect(overlaps({ value: 0.1, lo: 0, hi: 0.19 }, { value: 0.3, lo: 0.2, hi: 0.4 })).toBe(false);
    expect(overlaps({ value: null, lo: null, hi: null }, { value: 0.3, lo: 0.2, hi: 0.4 })).toBe(false);
  });
});

describe('tQuantile975', () => {
  it('matches published Student-t 97.5 % quantiles (R qt(0.975, df))', () => {
    const known: [number, number][] = [
      [1, 12.7062047362],
      [2, 4.30265272975],
      [6, 2.44691185114],
      [10, 2.22813885199],
      [29, 2.04522964213],
      [30, 2.04227245630],
      [31, 2.03951344640],
      [40, 2.02107539031],
      [60, 2.00029782201],
      [120, 1.97993040508],
    ];
    for (const [df, t] of known) expect(tQuantile975(df), `df ${df}`).toBeCloseTo(t, 6);
  });

  it('decreases with df towards the normal quantile, and refuses non-integer or non-positive df', () => {
    let last = Number.POSITIVE_INFINITY;
    for (let df = 1; df <= 200; df++) {
      const t = tQuantile975(df);
      expect(t).toBeLessThan(last);
      expect(t).toBeGreaterThan(Z95);
      last = t;
    }
    expect(tQuantile975(1e6)).toBeCloseTo(Z95, 5);
    expect(() => tQuantile975(0)).toThrow(RangeError);
    expect(() => tQuantile975(2.5)).toThrow(RangeError);
  });
});
