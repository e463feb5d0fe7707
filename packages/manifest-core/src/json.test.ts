import { describe, expect, it } from 'vitest';
import { compareCodePoints, compareKeys } from './json.js';
import { parseSegmentSeq, segmentSeqOfKey } from './layout.js';
import { simulate } from './test/simulation.js';

describe('key order', () => {
  it('compares strings by code point (UTF-8 byte order), not UTF-16 units', () => {
    const emoji = '\u{1F600}';
    const fullwidth = '\uFF5E';
    expect(emoji < fullwidth).toBe(true); // JavaScript's order
    expect(compareCodePoints(emoji, fullwidth)).toBeGreaterThan(0); // Rust's and S3's order
    const [e, f] = [new TextEncoder().encode(emoji), new TextEncoder().encode(fullwidth)];
    expect((e[0] ?? 0) > (f[0] ?? 0)).toBe(true); // UTF-8 lead bytes F0 > EF
    expect(compareCodePoints('ab', 'abc')).toBeLessThan(0);
    expect(compareCodePoints('b', 'abc')).toBeGreaterThan(0);
    expect(compareCodePoints('x', 'x')).toBe(0);
  });

  it('orders integer keys numerically, before string keys', () => {
    const keys = ['b', 10, 'a', 2, '10'];
    expect(keys.sort(compareKeys)).toEqual([2, 10, '10', 'a', 'b']);
  });

  it('scan ranges use that order', () =>
    simulate<void, string, number>(async ({ manifest }) => {
      const w = await manifest.sessionWrite();
      for (const [i, k] of ['a', '\uFF5E', '\u{1F600}', 'z'].entries()) w.put(k, i);
      await w.commit();
      const keys = (await manifest.scanLatest({ start: 'b', end: '\u{1F600}' })).map(([k]) => k);
      expect(keys).toEqual(['z', '\uFF5E']);
    }));
});

describe('segment filenames', () => {
  it('parses seg-<digits>[.ext] like the crate, ignoring anything else', () => {
    expect(parseSegmentSeq('seg-00000000000000000042.json')).toBe(42);
    expect(parseSegmentSeq('seg-7')).toBe(7);
    expect(parseSegmentSeq('seg-12.bin')).toBe(12);
    expect(parseSegmentSeq('seg-.json')).toBeNull();
    expect(parseSegmentSeq('seg-1x.json')).toBeNull();
    expect(parseSegmentSeq('ckpt-1.json')).toBeNull();
    expect(parseSegmentSeq('seg-99999999999999999999.json')).toBeNull(); // beyond 2^53
    expect(segmentSeqOfKey('p/segments/seg-00000000000000000003.json')).toBe(3);
  });
});
