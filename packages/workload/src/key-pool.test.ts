import { SeededRandom } from '@manifest-lab/manifest-core';
import { describe, expect, it } from 'vitest';
import { KeyPool } from './key-pool.js';

const SEED = Number(process.env.MANIFEST_LAB_SEED ?? 11);

describe('KeyPool', () => {
  it('gives writers disjoint private keys and one shared pool', () => {
    const pool = new KeyPool(3, 4, 5, 0.5);
    expect(pool.shared).toHaveLength(5);
    const privates = [0, 1, 2].map((w) => pool.privateKeys(w));
    expect(new Set(privates.flat()).size).toBe(12);
    expect(pool.all()).toHaveLength(17);
    expect(() => pool.privateKeys(3)).toThrow(/no writer 3/);
  });

  for (const overlap of [0, 0.1, 0.3, 0.7, 1]) {
    it(`draws the shared pool for a share ${overlap} of choices (seed ${SEED})`, () => {
      const pool = new KeyPool(2, 1000, 1000, overlap);
      const r = new SeededRandom(SEED);
      let shared = 0;
      const n = 20_000;
      for (let i = 0; i < n; i++) {
        const [k] = pool.writerKeys(i % 2, 1, r);
        if (k?.startsWith('shared/')) shared++;
      }
      expect(Math.abs(shared / n - overlap), `seed ${SEED}`).toBeLessThan(0.015);
    });
  }

  it('returns distinct sorted keys, using the other pool once one is exhausted', () => {
    const pool = new KeyPool(1, 2, 2, 1);
    const r = new SeededRandom(SEED);
    const keys = pool.writerKeys(0, 4, r);
    expect(keys).toEqual([...pool.shared, ...pool.privateKeys(0)].sort());
    expect(pool.writerKeys(0, 10, r)).toHaveLength(4);
    expect(new Set(pool.readerKeys(3, r)).size).toBe(3);
  });

  it('overlap 0 never lets two writers touch the same key', () => {
    const pool = new KeyPool(2, 5, 5, 0);
    const r = new SeededRandom(SEED);
    const a = new Set(Array.from({ length: 200 }, () => pool.writerKeys(0, 3, r)).flat());
    const b = new Set(Array.from({ length: 200 }, () => pool.writerKeys(1, 3, r)).flat());
    expect([...a].filter((k) => b.has(k))).toEqual([]);
  });
});
