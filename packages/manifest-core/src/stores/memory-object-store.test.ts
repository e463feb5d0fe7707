import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PreconditionFailedError } from '../errors.js';
import { encodeUtf8 } from '../json.js';
import { listAll } from '../ports/object-store.js';
import { MemoryObjectStore } from './memory-object-store.js';

const bytes = (s: string) => encodeUtf8(s);

describe('MemoryObjectStore', () => {
  it('uses the quoted MD5 of the body as ETag, equal for equal bodies', async () => {
    const s = new MemoryObjectStore();
    const a = await s.put('a', bytes('hello'));
    const b = await s.put('b', bytes('hello'));
    const c = await s.put('c', bytes('world'));
    expect(a).toBe(`"${createHash('md5').update('hello').digest('hex')}"`);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect((await s.get('a'))?.etag).toBe(a);
    expect((await s.head('a'))?.etag).toBe(a);
  });

  it('gives every GET its own bytes, small (pooled) and large alike', async () => {
    const s = new MemoryObjectStore();
    const big = 'y'.repeat(10_000);
    await s.put('a', bytes('hello'));
    await s.put('b', bytes('world'));
    await s.put('big', bytes(big));
    const [a1, b1, a2, g1] = [await s.get('a'), await s.get('b'), await s.get('a'), await s.get('big')];
    a1?.body.fill(0x21);
    g1?.body.fill(0x21);
    const text = (o: { body: Uint8Array } | null) => new TextDecoder().decode(o?.body);
    expect([text(a1), text(b1), text(a2)]).toEqual(['!!!!!', 'world', 'hello']);
    expect([text(await s.get('a')), text(await s.get('big'))]).toEqual(['hello', big]);
    expect(s.dump().map((o) => text(o))).toEqual(['hello', 'world', big]);
    expect(a2?.body).toBeInstanceOf(Uint8Array);
    expect(a2?.body.byteLength).toBe(5);
  });

  it('If-None-Match: * creates once, then fails the precondition', async () => {
    const s = new MemoryObjectStore();
    await s.put('k', bytes('1'), { condition: { ifNoneMatch: '*' } });
    await expect(s.put('k', bytes('2'), { condition: { ifNoneMatch: '*' } })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect(new TextDecoder().decode((await s.get('k'))?.body)).toBe('1');
  });

  it('If-Match succeeds only on the current ETag, and fails on a missing key', async () => {
    const s = new MemoryObjectStore();
    await expect(s.put('k', bytes('x'), { condition: { ifMatch: '"nope"' } })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect(await s.get('k')).toBeNull();
    const t1 = await s.put('k', bytes('1'));
    const t2 = await s.put('k', bytes('2'), { condition: { ifMatch: t1 } });
    await expect(s.put('k', bytes('3'), { condition: { ifMatch: t1 } })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect((await s.get('k'))?.etag).toBe(t2);
  });

  it('of many concurrent CAS writers on one tag, exactly one wins', async () => {
    const s = new MemoryObjectStore();
    const t0 = await s.put('head', bytes('0'));
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => s.put('head', bytes(`w${i}`), { condition: { ifMatch: t0 } })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('lists lexicographically by UTF-8 bytes, in pages with startAfter and limit', async () => {
    const s = new MemoryObjectStore();
    // U+FF5E sorts before U+1F600 in UTF-8 (and code points), but after it in UTF-16 units.
    const keys = ['p/b', 'p/a', 'p/\u{1F600}', 'p/\uFF5E', 'p/c/d', 'q/a', 'o/z'];
    for (const k of keys) await s.put(k, bytes(k));
    const page1 = await s.list('p/', { limit: 2 });
    expect(page1).toEqual({ keys: ['p/a', 'p/b'], truncated: true });
    const page2 = await s.list('p/', { startAfter: 'p/b', limit: 2 });
    expect(page2).toEqual({ keys: ['p/c/d', 'p/\uFF5E'], truncated: true });
    const page3 = await s.list('p/', { startAfter: 'p/\uFF5E', limit: 2 });
    expect(page3).toEqual({ keys: ['p/\u{1F600}'], truncated: false });
    expect(await s.list('nothing/')).toEqual({ keys: [], truncated: false });
  });

  it('pages at 1000 keys like S3, one LIST request per page', async () => {
    const s = new MemoryObjectStore();
    for (let i = 0; i < 2500; i++) await s.put(`k/${String(i).padStart(5, '0')}`, bytes(''));
    s.resetCounts();
    const all = await listAll(s, 'k/');
    expect(all).toHaveLength(2500);
    expect(all).toEqual([...all].sort());
    expect(s.requestCounts().LIST).toBe(3);
  });

  it('counts requests by kind and resets', async () => {
    const s = new MemoryObjectStore();
    await s.put('a', bytes('1'));
    await s.put('b', bytes('1'), { condition: { ifNoneMatch: '*' } });
    await s.get('a');
    await s.get('missing');
    await s.head('a');
    await s.list('');
    await s.delete('a');
    await s.delete('missing');
    await expect(s.put('b', bytes('2'), { condition: { ifNoneMatch: '*' } })).rejects.toThrow();
    expect(s.requestCounts()).toEqual({ GET: 2, HEAD: 1, PUT: 1, CPUT: 2, LIST: 1, DELETE: 2 });
    s.resetCounts();
    expect(s.requestCounts()).toEqual({ GET: 0, HEAD: 0, PUT: 0, CPUT: 0, LIST: 0, DELETE: 0 });
  });

  it('keeps metadata and content type, and dumps every object in key order', async () => {
    const s = new MemoryObjectStore();
    await s.put('z', bytes('1'), { contentType: 'application/json', metadata: { 'fusio-txn-id': '7' } });
    await s.put('a', bytes('2'));
    const info = await s.head('z');
    expect(info).toMatchObject({ size: 1, contentType: 'application/json', metadata: { 'fusio-txn-id': '7' } });
    const dump = s.dump();
    expect(dump.map((o) => o.key)).toEqual(['a', 'z']);
    expect(dump[1]?.metadata).toEqual({ 'fusio-txn-id': '7' });
    expect(s.requestCounts().GET).toBe(0);
  });

  it('stores a copy: mutating the caller buffer or a read result changes nothing', async () => {
    const s = new MemoryObjectStore();
    const body = bytes('abc');
    await s.put('k', body);
    body[0] = 0x7a;
    const got = await s.get('k');
    got?.body.fill(0);
    expect(new TextDecoder().decode((await s.get('k'))?.body)).toBe('abc');
  });

  it('deletes; a deleted key is gone from get, head and list', async () => {
    const s = new MemoryObjectStore();
    await s.put('d/1', bytes('1'));
    await s.put('d/2', bytes('2'));
    await s.delete('d/1');
    expect(await s.get('d/1')).toBeNull();
    expect(await s.head('d/1')).toBeNull();
    expect((await s.list('d/')).keys).toEqual(['d/2']);
    expect(s.size).toBe(1);
  });
});
