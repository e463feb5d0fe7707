import { describe, expect, it } from 'vitest';
import { deriveSeed, SeededRandom } from './random.js';

describe('SeededRandom', () => {
  it('replays the same draws from the same seed', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const xs = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBe(100);
    expect(new SeededRandom(43).next()).not.toBe(xs[0]);
  });

  it('draws integers within inclusive bounds', () => {
    const r = new SeededRandom(1);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const v = r.int(3, 6);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThanOrEqual(6);
      seen.add(v);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it('forks independently of how many draws the parent made', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    b.next();
    b.next();
    expect(a.fork('writer-1').next()).toBe(b.fork('writer-1').next());
    expect(a.fork('writer-1').next()).not.toBe(a.fork('writer-2').next());
    expect(deriveSeed(7, 1)).not.toBe(deriveSeed(7, '1'));
  });

  it('distinguishes seeds above 2^32', () => {
    expect(new SeededRandom(2 ** 40).next()).not.toBe(new SeededRandom(0).next());
    expect(() => new SeededRandom(0.5)).toThrow(/safe integer/);
  });
});
