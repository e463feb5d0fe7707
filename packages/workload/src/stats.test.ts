import { SeededRandom } from '@manifest-lab/manifest-core';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency-histogram.js';
import { bootstrap, newcombe, percentileOfBuckets, quantileSorted, wilson } from './stats.js';

const SEED = Number(process.env.MANIFEST_LAB_SEED ?? 5);

describe('wilson', () => {
  it('matches published Wilson score intervals', () => {
    // Newcombe (1998), Table I: 0/10, 1/10 (rounded to 4 places); 5/10 symmetric.
    const a = wilson(0, 10);
    expect(a?.lo).toBe(0);
    expect(a?.hi).toBeCloseTo(0.2775, 4);
    const b = wilson(1, 10);
    expect(b?.lo).toBeCloseTo(0.0179, 4);
    expect(b?.hi).toBeCloseTo(0.4042, 4);
    const c = wilson(5, 10);
    expect((c?.lo as number) + (c?.hi as number)).toBeCloseTo(1, 10);
    expect(wilson(0, 0)).toBeNull();
  });

  it(`covers the true proportion about 95 % of the time (seed ${SEED})`, () => {
    const random = new SeededRandom(SEED);
    const p = 0.07;
    const n = 120;
    let covered = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      let k = 0;
      for (let i = 0; i < n; i++) if (random.next() < p) k++;
      const iv = wilson(k, n);
      if (iv !== null && iv.lo <= p && p <= iv.hi) covered++;
    }
    expect(covered / trials, `seed ${SEED}`).toBeGreaterThan(0.92);
    expect(covered / trials, `seed ${SEED}`).toBeLessThan(0.98);
  });
});

describe('bootstrap', () => {
  it(`brackets the mean of replicas and is reproducible from its seed (seed ${SEED})`, () => {
    const units = [0.8, 1.1, 0.95, 1.3, 0.7, 1.05, 0.9, 1.2];
    const mean = (d: readonly number[]) => d.reduce((a, b) => a + b, 0) / d.length;
    const a = bootstrap(units, mean, new SeededRandom(SEED));
    const b = bootstrap(units, mean, new SeededRandom(SEED));
    expect(a).toEqual(b);
    expect(a?.lo).toBeLessThan(mean(units));
    expect(a?.hi).toBeGreaterThan(mean(units));
    expect(a?.lo).toBeGreaterThanOrEqual(Math.min(...units));
    expect(a?.hi).toBeLessThanOrEqual(Math.max(...units));
    expect(bootstrap([1], mean, new SeededRandom(SEED))).toBeNull();
  });

  it('interpolates quantiles', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0)).toBe(1);
    expect(quantileSorted([1, 2, 3, 4], 1)).toBe(4);
  });
});

describe('percentileOfBuckets', () => {
  it(`agrees with HDR's own percentiles on a decoded histogram, pooled or not (seed ${SEED})`, () => {
    const random = new SeededRandom(SEED);
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    const both = new LatencyHistogram();
    for (let i = 0; i < 500; i++) {
      const x = Math.exp(3 + random.next() * 4);
      (i % 3 === 0 ? a : b).record(x);
      both.record(x);
    }
    const parts = [LatencyHistogram.decodeBuckets(a.encode()), LatencyHistogram.decodeBuckets(b.encode())];
    const s = both.summary();
    expect(percentileOfBuckets(parts, 50)).toBe(s.p50_ms);
    expect(percentileOfBuckets(parts, 99)).toBe(s.p99_ms);
    expect(percentileOfBuckets(parts, 100)).toBe(s.max_ms);
    expect(percentileOfBuckets([], 50)).toBeNull();
  });
});

describe('newcombe', () => {
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
  ])('%i/%i − %i/%i matches Newcombe (1998), method 10', (k1, n1, k2, n2, lo, hi) => {
    const d = newcombe({ k: k1, n: n1 }, { k: k2, n: n2 });
    expect(d?.value).toBeCloseTo(k1 / n1 - k2 / n2, 12);
    expect(d?.lo).toBeCloseTo(lo, 4);
    expect(d?.hi).toBeCloseTo(hi, 4);
  });

  it('is antisymmetric, and null without trials', () => {
    const ab = newcombe({ k: 7, n: 40 }, { k: 2, n: 35 });
    const ba = newcombe({ k: 2, n: 35 }, { k: 7, n: 40 });
    expect(ab?.lo).toBeCloseTo(-(ba?.hi as number), 12);
    expect(ab?.hi).toBeCloseTo(-(ba?.lo as number), 12);
    expect(newcombe({ k: 1, n: 2 }, { k: 0, n: 0 })).toBeNull();
  });
});
