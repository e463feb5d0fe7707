import { SeededRandom } from '@manifest-lab/manifest-core';
import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './retry-policy.js';

const base = { baseMs: 50, maxMs: 300 };

describe('retryDelayMs', () => {
  it('none, fixed and capped exponential', () => {
    const r = new SeededRandom(1);
    expect([1, 2, 3].map((n) => retryDelayMs({ ...base, backoff: 'none' }, n, r))).toEqual([0, 0, 0]);
    expect([1, 2, 3].map((n) => retryDelayMs({ ...base, backoff: 'fixed' }, n, r))).toEqual([50, 50, 50]);
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs({ ...base, backoff: 'exponential' }, n, r))).toEqual([50, 100, 200, 300, 300]);
  });

  it('exponential-jitter draws uniformly below the capped exponential', () => {
    const r = new SeededRandom(2);
    const xs = Array.from({ length: 2000 }, () => retryDelayMs({ ...base, backoff: 'exponential-jitter' }, 3, r));
    expect(Math.max(...xs)).toBeLessThan(200);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(mean - 100)).toBeLessThan(8);
  });
});
