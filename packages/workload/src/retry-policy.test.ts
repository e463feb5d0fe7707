import { SeededRandom } from '@manifest-lab/manifest-core';
import { describe, expect, it } from 'vitest';
import { RETRY_BACKOFFS } from './config.js';
import { adaptiveScale, newRetryState, observeAttempt, type RetryPolicy, retryDelayMs } from './retry-policy.js';

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

describe('decorrelated jitter', () => {
  const policy: RetryPolicy = { baseMs: 50, maxMs: 2000, backoff: 'decorrelated-jitter' };

  it('stays within [base, cap] and each sleep is at most three times the previous', () => {
    const r = new SeededRandom(3);
    const state = newRetryState();
    for (let txn = 0; txn < 200; txn++) {
      let prev = policy.baseMs;
      for (let retry = 1; retry <= 10; retry++) {
        const d = retryDelayMs(policy, retry, r, state);
        expect(d).toBeGreaterThanOrEqual(policy.baseMs);
        expect(d).toBeLessThanOrEqual(Math.min(policy.maxMs, 3 * prev));
        expect(state.prevSleepMs).toBe(d);
        prev = d;
      }
    }
  });

  it('grows from the previous sleep: later retries sleep longer on average, and a new transaction starts over', () => {
    const r = new SeededRandom(4);
    const mean = (retry: number) => {
      let sum = 0;
      for (let i = 0; i < 2000; i++) {
        const state = newRetryState();
        let d = 0;
        for (let k = 1; k <= retry; k++) d = retryDelayMs({ ...policy, maxMs: 1e9 }, k, r, state);
        sum += d;
      }
      return sum / 2000;
    };
    // Uncapped, E[sleep_n] = (base + 3·E[sleep_n-1]) / 2 with sleep_0 = base: 100, 175, 287.5 ms.
    const [m1, m2, m3] = [mean(1), mean(2), mean(3)];
    expect(Math.abs(m1 / 100 - 1)).toBeLessThan(0.05);
    expect(Math.abs(m2 / 175 - 1)).toBeLessThan(0.08);
    expect(Math.abs(m3 / 287.5 - 1)).toBeLessThan(0.08);
    const state = { prevSleepMs: 1500, conflictRate: 0.5 };
    expect(retryDelayMs(policy, 1, r, state)).toBeLessThanOrEqual(150);
  });
});

describe('adaptive backoff', () => {
  const policy: RetryPolicy = { baseMs: 50, maxMs: 2000, backoff: 'adaptive' };

  it('tracks the conflict rate as an EWMA of attempt outcomes', () => {
    const state = newRetryState();
    expect(state.conflictRate).toBe(0.5);
    for (let i = 0; i < 30; i++) observeAttempt(state, true);
    expect(state.conflictRate).toBeGreaterThan(0.99);
    for (let i = 0; i < 30; i++) observeAttempt(state, false);
    expect(state.conflictRate).toBeLessThan(0.01);
    expect(adaptiveScale(0)).toBeCloseTo(0.25);
    expect(adaptiveScale(0.5)).toBeCloseTo(1);
    expect(adaptiveScale(1)).toBeCloseTo(4);
  });

  it('backs off more when conflicts are frequent and less when rare', () => {
    const hot = newRetryState();
    const cold = newRetryState();
    for (let i = 0; i < 20; i++) {
      observeAttempt(hot, i % 5 !== 0); // 80% of attempts conflict
      observeAttempt(cold, i % 5 === 0); // 20%
    }
    const sleeps = (state: typeof hot, seed: number) => {
      const r = new SeededRandom(seed);
      return Array.from({ length: 500 }, (_, i) => retryDelayMs(policy, 1 + (i % 4), r, state));
    };
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const [h, c] = [sleeps(hot, 5), sleeps(cold, 5)];
    // Same draws, so every hot sleep is at least the matching cold one.
    for (const [i, x] of h.entries()) expect(x).toBeGreaterThanOrEqual(c[i] as number);
    expect(sum(h)).toBeGreaterThan(3 * sum(c));
    // Rare conflicts retry sooner than plain exponential jitter, frequent ones later.
    const r = new SeededRandom(5);
    const ej = Array.from({ length: 500 }, (_, i) => retryDelayMs({ ...policy, backoff: 'exponential-jitter' }, 1 + (i % 4), r));
    expect(sum(c)).toBeLessThan(sum(ej));
    expect(sum(h)).toBeGreaterThan(sum(ej));
  });
});

describe('determinism', () => {
  it('the same seed gives the same sleeps for every strategy', () => {
    for (const backoff of RETRY_BACKOFFS) {
      const run = () => {
        const r = new SeededRandom(42);
        const state = newRetryState();
        return Array.from({ length: 50 }, (_, i) => {
          observeAttempt(state, i % 3 !== 0);
          return retryDelayMs({ baseMs: 50, maxMs: 2000, backoff }, 1 + (i % 5), r, state);
        });
      };
      expect(run()).toEqual(run());
    }
  });
});
