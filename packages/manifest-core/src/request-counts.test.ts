/**
 * Storage-request costs of the 'fusio-0.5' profile (reference §4), counted on the memory
 * store. F = lease files, C = 1 when HEAD references a checkpoint, n = segments to replay.
 */
import { describe, expect, it } from 'vitest';
import { PreconditionFailedError } from './errors.js';
import { Manifest } from './manifest.js';
import { InterceptOnce, isHeadCas } from './test/hooked-object-store.js';
import { totalRequests } from './ports/object-store.js';
import { commitEntries as commit } from './test/commit-entries.js';
import { LEASE_AND_CHECKPOINT_CASES, leakLeases, requestCost } from './test/request-cost.js';
import { simulate } from './test/simulation.js';

type V = string | number;

describe('request counts per operation (reference §4)', () => {
  for (const [F, C] of LEASE_AND_CHECKPOINT_CASES) {
    it(`uncontended write transaction = F + C + 9 (F=${F}, C=${C})`, () =>
      simulate<void, string, V>(async ({ manifest, store }) => {
        await commit(manifest, { seed: 0 });
        if (C === 1) await manifest.compactor().compactOnce();
        await leakLeases(manifest, F);
        const counts = await requestCost(store, () => commit(manifest, { a: 1, b: 2, c: 3 }));
        expect(counts).toEqual({ GET: F + 3 + C, HEAD: 0, PUT: 0, CPUT: 3, LIST: 2, DELETE: 1 });
        expect(totalRequests(counts)).toBe(F + C + 9);
      }));
  }

  it('the write transaction grows by one LIST per 1000 segments (pg(S))', () =>
    simulate<void, string, V>(async ({ manifest, store }) => {
      for (let i = 0; i < 1000; i++) await commit(manifest, { k: i });
      const counts = await requestCost(store, () => commit(manifest, { k: -1 }));
      expect(counts.LIST).toBe(1 + 1); // leases + one page of 1000 segments
      const more = await requestCost(store, () => commit(manifest, { k: -2 }));
      expect(more.LIST).toBe(1 + 2); // 1001 segments: two pages
    }));

  for (const C of [0, 1] as const) {
    it(`read transaction, best case = 5 + C (C=${C})`, () =>
      simulate<void, string, V>(async ({ manifest, store }) => {
        await commit(manifest, { a: 1 });
        if (C === 1) await manifest.compactor().compactOnce();
        await commit(manifest, { k: 'newest' });
        const counts = await requestCost(store, async () => {
          const r = await manifest.sessionRead();
          expect(await r.get('k')).toBe('newest');
          await r.end();
        });
        expect(totalRequests(counts)).toBe(5 + C);
        expect(counts).toEqual({ GET: 2 + C, HEAD: 0, PUT: 0, CPUT: 1, LIST: 1, DELETE: 1 });
      }));

    it(`read transaction, worst case (key absent) = n + 3C + 4 (C=${C})`, () =>
      simulate<void, string, V>(async ({ manifest, store }) => {
        await commit(manifest, { a: 1 });
        if (C === 1) await manifest.compactor().compactOnce();
        const n = 4;
        for (let i = 0; i < n; i++) await commit(manifest, { [`k${i}`]: i });
        const counts = await requestCost(store, async () => {
          const r = await manifest.sessionRead();
          expect(await r.get('absent')).toBeUndefined();
          await r.end();
        });
        // With no checkpoint, segment 1 is replayed too.
        const replayed = C === 1 ? n : n + 1;
        expect(totalRequests(counts)).toBe(replayed + 3 * C + 4);
      }));
  }

  it('get_latest costs the same as a read transaction', () =>
    simulate<void, string, V>(async ({ manifest, store }) => {
      await commit(manifest, { k: 1 });
      expect(totalRequests(await requestCost(store, () => manifest.getLatest('k')))).toBe(5);
    }));

  it('scan transaction = 1 + C + 1 + 2C + n GET/PUT + 2 LIST passes + 1 DELETE', () =>
    simulate<void, string, V>(async ({ manifest, store }) => {
      await commit(manifest, { a: 1 });
      await manifest.compactor().compactOnce();
      for (let i = 0; i < 3; i++) await commit(manifest, { [`k${i}`]: i });
      const counts = await requestCost(store, async () => {
        const r = await manifest.sessionRead();
        await r.scan();
        await r.end();
      });
      expect(counts).toEqual({ GET: 1 + 1 + 2 + 3, HEAD: 0, PUT: 0, CPUT: 1, LIST: 2, DELETE: 1 });
    }));

  it('commit alone: 4 on success; 2 when HEAD moved; 3 when the segment exists; 4 when the HEAD CAS loses', () =>
    simulate<void, string, V>(async ({ manifest, store }) => {
      const ok = await manifest.sessionWrite();
      ok.put('a', 1);
      expect(await requestCost(store, () => ok.commit())).toEqual({ GET: 1, HEAD: 0, PUT: 0, CPUT: 2, LIST: 0, DELETE: 1 });

      const stale = await manifest.sessionWrite();
      await commit(manifest, { b: 1 });
      expect(await requestCost(store, () => stale.commit().catch(() => undefined))).toEqual({
        GET: 1, HEAD: 0, PUT: 0, CPUT: 0, LIST: 0, DELETE: 1,
      });

      const blocked = await manifest.sessionWrite();
      const snap = blocked.snapshot;
      await manifest.parts.segments.putNext((snap.lastSegmentSeq ?? 0) + 1, snap.txnId + 1, new Uint8Array());
      expect(await requestCost(store, () => blocked.commit().catch(() => undefined))).toEqual({
        GET: 1, HEAD: 0, PUT: 0, CPUT: 1, LIST: 0, DELETE: 1,
      });
    }));

  it('commit alone, losing the HEAD CAS: 1 GET + 2 conditional PUT + 1 DELETE', () =>
    simulate<void, string, V>(async ({ manifest, store, clock }) => {
      const hooked = new InterceptOnce(store, isHeadCas);
      await commit(manifest, { a: 1 });
      const m = new Manifest<string, V>({ store: hooked, prefix: 'test', clock });
      const w = await m.sessionWrite();
      w.put('x', 1);
      // Another process rewrites HEAD between our segment PUT and our HEAD PUT (1 plain PUT).
      hooked.arm(async () => {
        await store.put(
          manifest.parts.layout.head,
          new TextEncoder().encode('{"version":1,"checkpoint_id":null,"last_segment_seq":2,"last_txn_id":2}'),
        );
      });
      let err: unknown;
      const counts = await requestCost(store, async () => {
        err = await w.commit().catch((e: unknown) => e);
      });
      expect(hooked.fired).toBe(true);
      expect(err).toBeInstanceOf(PreconditionFailedError);
      expect(counts).toEqual({ GET: 1, HEAD: 0, PUT: 1, CPUT: 2, LIST: 0, DELETE: 1 });
    }));

  it('recover_orphans with nothing to adopt = pg(F) LIST + F GET + 1 GET HEAD + pg(S) LIST', () =>
    simulate<void, string, V>(async ({ manifest, store }) => {
      await commit(manifest, { a: 1 });
      await leakLeases(manifest, 2);
      expect(await requestCost(store, () => manifest.recoverOrphans())).toEqual({
        GET: 2 + 1, HEAD: 0, PUT: 0, CPUT: 0, LIST: 2, DELETE: 0,
      });
    }));

  it('session_read = 1 + C GET + 1 conditional PUT', () =>
    simulate<void, string, V>(async ({ manifest, store }) => {
      await commit(manifest, { a: 1 });
      await manifest.compactor().compactOnce();
      expect(await requestCost(store, () => manifest.sessionRead())).toEqual({
        GET: 2, HEAD: 0, PUT: 0, CPUT: 1, LIST: 0, DELETE: 0,
      });
    }));
});
