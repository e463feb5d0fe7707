import { describe, expect, it } from 'vitest';
import { Compactor } from './compactor.js';
import { DecodedCache } from './decoded-cache.js';
import { cloneJson, encodeUtf8, type JsonValue } from './json.js';
import { simulate } from './test/simulation.js';
import { encodeSegment } from './wire.js';

const decode = (body: Uint8Array) => JSON.parse(new TextDecoder().decode(body)) as { v: number[] };

describe('DecodedCache', () => {
  it('decodes a body once per key, ETag and bytes; a changed body or tag decodes again', () => {
    const cache = new DecodedCache<{ v: number[] }>();
    let decodes = 0;
    const counted = (b: Uint8Array) => {
      decodes++;
      return decode(b);
    };
    const a = cache.get('k', '"1"', encodeUtf8('{"v":[1]}'), counted);
    expect(cache.get('k', '"1"', encodeUtf8('{"v":[1]}'), counted)).toBe(a);
    expect(decodes).toBe(1);
    // Same tag, other bytes (a store whose ETags are not content hashes): not a hit.
    expect(cache.get('k', '"1"', encodeUtf8('{"v":[2]}'), counted)).toEqual({ v: [2] });
    expect(cache.get('k', '"2"', encodeUtf8('{"v":[2]}'), counted)).toEqual({ v: [2] });
    expect(decodes).toBe(3);
    expect(cache.stats).toEqual({ hits: 1, misses: 3 });
  });

  it('keeps its own copy of the bytes and hands out deep-frozen values', () => {
    const cache = new DecodedCache<{ v: number[] }>();
    const body = encodeUtf8('{"v":[1]}');
    const first = cache.get('k', '"t"', body, decode);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.v)).toBe(true);
    expect(() => first.v.push(2)).toThrow(TypeError);
    body[6] = 0x32; // the caller reuses its buffer: '{"v":[2]}'
    expect(cache.get('k', '"t"', body, decode)).toEqual({ v: [2] });
  });

  it('drops the oldest entries beyond its capacity, and decodes every time at capacity 0', () => {
    const cache = new DecodedCache<{ v: number[] }>(2);
    for (const k of ['a', 'b', 'c']) cache.get(k, '"t"', encodeUtf8('{"v":[]}'), decode);
    expect(cache.size).toBe(2);
    cache.capacity = 0;
    expect(cache.size).toBe(0);
    const x = cache.get('a', '"t"', encodeUtf8('{"v":[]}'), decode);
    expect(cache.get('a', '"t"', encodeUtf8('{"v":[]}'), decode)).not.toBe(x);
    expect(cache.size).toBe(0);
    expect(() => new DecodedCache(-1)).toThrow(RangeError);
  });
});

describe('reads through the decoded caches', () => {
  it('hand out values the caller may change without changing later reads', () =>
    simulate<void, string, JsonValue>(async ({ manifest }) => {
      const w = await manifest.sessionWrite();
      w.put('k', { l: [1, 2], nested: { x: 1 } });
      await w.commit();
      const first = (await manifest.getLatest('k')) as { l: number[]; nested: { x: number } };
      first.l.push(3);
      first.nested.x = 2;
      expect(await manifest.getLatest('k')).toEqual({ l: [1, 2], nested: { x: 1 } });
      const [[, scanned]] = (await manifest.scanLatest()) as [[string, { l: number[] }]];
      scanned.l.push(4);
      expect(await manifest.scanLatest()).toEqual([['k', { l: [1, 2], nested: { x: 1 } }]]);
      expect(manifest.parts.segments.decoded.stats.hits).toBeGreaterThan(0);
    }));

  it('read checkpoint values the same way: the last entry of a key, copied', () =>
    simulate<void, string, JsonValue>(async ({ manifest }) => {
      for (const v of [1, 2]) {
        const w = await manifest.sessionWrite();
        w.put('k', { v });
        await w.commit();
      }
      await new Compactor(manifest).compactOnce();
      const got = (await manifest.getLatest('k')) as { v: number };
      got.v = 99;
      expect(await manifest.getLatest('k')).toEqual({ v: 2 });
      expect(await manifest.scanLatest()).toEqual([['k', { v: 2 }]]);
      expect(manifest.parts.checkpoints.decoded.stats.hits).toBeGreaterThan(0);
    }));

  it('a segment rewritten in place under the same key is decoded afresh', () =>
    simulate(async ({ manifest, store }) => {
      const segs = manifest.parts.segments;
      const key = manifest.parts.layout.segment(1);
      await store.put(key, encodeSegment({ txn_id: 1, records: [{ key: 'a', op: 'Put', value: 1 }] }));
      expect((await segs.read(1)).records).toEqual([{ key: 'a', op: 'Put', value: 1 }]);
      await store.put(key, encodeSegment({ txn_id: 1, records: [{ key: 'a', op: 'Put', value: 2 }] }));
      expect((await segs.read(1)).records).toEqual([{ key: 'a', op: 'Put', value: 2 }]);
      expect(await segs.get(1)).toEqual(await segs.read(1));
    }));
});

describe('cloneJson', () => {
  it('copies deeply, keeping key order, -0 and an own __proto__ key', () => {
    const parsed = JSON.parse('{"b":1,"a":[1,{"c":null}],"2":true,"__proto__":{"x":-0},"s":"t"}') as JsonValue;
    const copy = cloneJson(parsed);
    expect(copy).toEqual(parsed);
    expect(copy).not.toBe(parsed);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(parsed));
    expect(Object.keys(copy as object)).toEqual(Object.keys(parsed as object));
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy as object, '__proto__')).toBe(true);
    const own = Object.getOwnPropertyDescriptor(copy, '__proto__')?.value as { x: number };
    expect(Object.is(own.x, -0)).toBe(true);
    expect((copy as { a: unknown[] }).a).not.toBe((parsed as { a: unknown[] }).a);
    for (const v of [null, 1, 'x', true, []] as JsonValue[]) expect(cloneJson(v)).toEqual(v);
  });
});
