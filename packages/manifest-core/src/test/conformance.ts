/**
 * The `ObjectStore` conformance suite: the S3 semantics manifest-core relies on, for any
 * backend. Import it in a vitest file and call it with a factory:
 *
 *   import { describeObjectStoreConformance } from '@manifest-lab/manifest-core/test';
 *   describeObjectStoreConformance('my store', async () => ({ store: new MyStore(), cleanup: async () => {} }));
 */
import { describe, expect, it } from 'vitest';
import { PreconditionFailedError } from '../errors.js';
import { compareCodePoints } from '../json.js';
import { listAll, type ObjectStore } from '../ports/object-store.js';
import { md5ETag } from '../stores/etag.js';

export interface StoreUnderTest {
  readonly store: ObjectStore;
  readonly cleanup: () => Promise<void>;
}

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

export function describeObjectStoreConformance(name: string, open: () => Promise<StoreUnderTest>, options: { timeoutMs?: number } = {}): void {
  const timeout = options.timeoutMs ?? 30_000;
  const withStore = (fn: (s: ObjectStore) => Promise<void>) => async () => {
    const { store, cleanup } = await open();
    try {
      await fn(store);
    } finally {
      await cleanup();
    }
  };

  describe(`ObjectStore conformance: ${name}`, () => {
    it('missing keys read as null; deletes of missing keys succeed', withStore(async (s) => {
      expect(await s.get('c/none')).toBeNull();
      expect(await s.head('c/none')).toBeNull();
      await s.delete('c/none');
    }), timeout);

    it('round-trips body, ETag (quoted MD5), content type and metadata', withStore(async (s) => {
      const tag = await s.put('c/obj', text('hello'), { contentType: 'application/json', metadata: { 'fusio-txn-id': '42' } });
      expect(tag).toBe(md5ETag(text('hello')));
      const got = await s.get('c/obj');
      expect(decode(got?.body)).toBe('hello');
      expect(got?.etag).toBe(tag);
      expect(got?.contentType).toBe('application/json');
      expect(got?.metadata['fusio-txn-id']).toBe('42');
      const head = await s.head('c/obj');
      expect(head).toMatchObject({ etag: tag, size: 5, metadata: { 'fusio-txn-id': '42' } });
      expect(await s.put('c/obj2', text('hello'))).toBe(tag); // identical bodies, identical ETags
    }), timeout);

    it('If-None-Match: * creates once, then fails the precondition', withStore(async (s) => {
      await s.put('c/once', text('1'), { condition: { ifNoneMatch: '*' } });
      await expect(s.put('c/once', text('2'), { condition: { ifNoneMatch: '*' } })).rejects.toBeInstanceOf(PreconditionFailedError);
      expect(decode((await s.get('c/once'))?.body)).toBe('1');
    }), timeout);

    it('If-Match succeeds on the current ETag only, and fails on a missing key', withStore(async (s) => {
      const t1 = await s.put('c/cas', text('1'));
      const t2 = await s.put('c/cas', text('2'), { condition: { ifMatch: t1 } });
      await expect(s.put('c/cas', text('3'), { condition: { ifMatch: t1 } })).rejects.toBeInstanceOf(PreconditionFailedError);
      expect((await s.get('c/cas'))?.etag).toBe(t2);
      await expect(s.put('c/missing', text('x'), { condition: { ifMatch: t1 } })).rejects.toBeInstanceOf(PreconditionFailedError);
      expect(await s.get('c/missing')).toBeNull();
    }), timeout);

    it('of 20 concurrent If-Match writers on one ETag, exactly one wins', withStore(async (s) => {
      for (let round = 0; round < 3; round++) {
        const t0 = await s.put('c/race', text(`base-${round}`));
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => s.put('c/race', text(`w${round}-${i}`), { condition: { ifMatch: t0 } })),
        );
        const winners = results.filter((r) => r.status === 'fulfilled');
        expect(winners, `round ${round}`).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(PreconditionFailedError);
        const winner = (winners[0] as PromiseFulfilledResult<string>).value;
        expect((await s.get('c/race'))?.etag).toBe(winner);
      }
    }), timeout);

    it('of 20 concurrent If-None-Match creators, exactly one wins', withStore(async (s) => {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => s.put('c/create', text(`c${i}`), { condition: { ifNoneMatch: '*' } })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    }), timeout);

    it('lists lexicographically, by prefix, in pages with startAfter and limit', withStore(async (s) => {
      const keys = ['l/b', 'l/a', 'l/c/d', 'l/c/e', 'l/e', 'lz', 'k/a'];
      for (const k of keys) await s.put(k, text(k));
      expect(await s.list('l/', { limit: 2 })).toEqual({ keys: ['l/a', 'l/b'], truncated: true });
      expect(await s.list('l/', { startAfter: 'l/b', limit: 2 })).toEqual({ keys: ['l/c/d', 'l/c/e'], truncated: true });
      expect(await s.list('l/', { startAfter: 'l/c/e', limit: 2 })).toEqual({ keys: ['l/e'], truncated: false });
      expect((await s.list('l/c/')).keys).toEqual(['l/c/d', 'l/c/e']);
      expect(await listAll(s, 'l')).toEqual(['l/a', 'l/b', 'l/c/d', 'l/c/e', 'l/e', 'lz']);
      expect((await s.list('nothing/')).keys).toEqual([]);
    }), timeout);

    it('deletes: a deleted key is gone from get, head and list', withStore(async (s) => {
      await s.put('d/1', text('1'));
      await s.put('d/2', text('2'));
      await s.delete('d/1');
      expect(await s.get('d/1')).toBeNull();
      expect(await s.head('d/1')).toBeNull();
      expect((await s.list('d/')).keys).toEqual(['d/2']);
    }), timeout);

    it('keys with spaces, percent signs, dots and non-ASCII round-trip and sort by UTF-8 bytes', withStore(async (s) => {
      const keys = ['u/a b', 'u/100%', 'u/..', 'u/é', 'u/日本', 'u/x.y.json'];
      for (const k of keys) await s.put(k, text(k));
      for (const k of keys) expect(decode((await s.get(k))?.body)).toBe(k);
      const listed = (await s.list('u/')).keys;
      const byBytes = [...keys].sort(compareCodePoints); // code-point order = UTF-8 byte order
      expect(listed).toEqual(byBytes);
    }), timeout);

    it('counts requests by kind', withStore(async (s) => {
      s.resetCounts();
      await s.put('n/a', text('1'));
      await s.put('n/b', text('1'), { condition: { ifNoneMatch: '*' } });
      await s.get('n/a');
      await s.head('n/a');
      await s.list('n/');
      await s.delete('n/a');
      expect(s.requestCounts()).toEqual({ GET: 1, HEAD: 1, PUT: 1, CPUT: 1, LIST: 1, DELETE: 1 });
    }), timeout);
  });
}
