import { describe, expect, it } from 'vitest';
import { backoffDelays, DEFAULT_BACKOFF } from './backoff.js';
import { SeededRandom } from './random.js';

describe('backoffDelays', () => {
  it('yields the reference nominal sequence 20..640 ms without jitter', () => {
    const delays = [...backoffDelays({ ...DEFAULT_BACKOFF, jitter: false }, new SeededRandom(0))];
    expect(delays).toEqual([20, 40, 80, 160, 320, 640]);
  });

  it('jitters each delay into [d, 2d)', () => {
    const nominal = [20, 40, 80, 160, 320, 640];
    for (let seed = 0; seed < 50; seed++) {
      const delays = [...backoffDelays(DEFAULT_BACKOFF, new SeededRandom(seed))];
      expect(delays).toHaveLength(6); // the 3 s cap never binds at the defaults (max 2.52 s)
      delays.forEach((d, i) => {
        const n = nominal[i] as number;
        expect(d).toBeGreaterThanOrEqual(n);
        expect(d).toBeLessThan(2 * n);
      });
    }
  });

  it('caps delays at maxMs and stops before the total sleep cap', () => {
    const policy = { ...DEFAULT_BACKOFF, jitter: false, maxMs: 100, maxRetries: 10, maxBackoffSleepMs: 500 };
    expect([...backoffDelays(policy, new SeededRandom(0))]).toEqual([20, 40, 80, 100, 100, 100]);
    expect([...backoffDelays({ ...policy, maxBackoffSleepMs: 0 }, new SeededRandom(0))]).toHaveLength(10);
    expect([...backoffDelays({ ...policy, maxRetries: 0 }, new SeededRandom(0))]).toEqual([]);
  });
});
