/**
 * Storage requests per operation under the strict profiles (issue 12, part 2), counted on the
 * memory store, next to fusio 0.5's (request-counts.test.ts): an uncontended write transaction
 * makes at most 5 requests, a read transaction 3 plus one GET per immutable object (segment,
 * checkpoint meta or payload) this process has not read before. F = leaked lease files,
 * C = 1 when HEAD names a checkpoint.
 */
import { describe, expect, it } from 'vitest';
import { type RequestCounts, totalRequests } from './ports/object-store.js';
import type { Profile } from './profile.js';
import { commitEntries as commit } from './test/commit-entries.js';
import { LEASE_AND_CHECKPOINT_CASES, leakLeases, requestCost } from './test/request-cost.js';
import { simulate } from './test/simulation.js';

type V = string | number;
const STRICT_PROFILES: readonly Profile[] = ['strict', 'strict-rebase'];

/** GET HEAD, lease CPUT, segment CPUT, HEAD CPUT, lease DELETE. */
const WRITE: RequestCounts = { GET: 1, HEAD: 0, PUT: 0, CPUT: 3, LIST: 0, DELETE: 1 };
/** GET HEAD, lease CPUT, lease DELETE — plus one GET per uncached immutable object. */
const READ = (uncached: number): RequestCounts => ({ GET: 1 + uncached, HEAD: 0, PUT: 0, CPUT: 1, LIST: 0, DELETE: 1 });

describe.each(STRICT_PROFILES)('request counts under %s (issue 12 part 2)', (profile) => {
  for (const [F, C] of LEASE_AND_CHECKPOINT_CASES) {
    it(`uncontended write transaction = 5, whatever F and C (F=${F}, C=${C}; fusio 0.5: ${F + C + 9})`, () =>
      simulate<void, string, V>(
        async ({ manifest, store }) => {
          await commit(manifest, { seed: 0 });
          if (C === 1) await manifest.compactor().compactOnce();
          await commit(manifest, { warm: 1 }); // this process has now read HEAD's checkpoint meta
          await leakLeases(manifest, F);
          const counts = await requestCost(store, () => commit(manifest, { a: 1, b: 2, c: 3 }));
          expect(counts).toEqual(WRITE);
          expect(totalRequests(counts)).toBeLessThanOrEqual(5);
        },
        { manifest: { profile } },
      ));
  }

  it('a process that has never read the checkpoint pays one GET for its meta, once', () =>
    simulate<void, string, V>(
      async (world) => {
        await commit(world.manifest, { seed: 0 });
        await world.manifest.compactor().compactOnce();
        const fresh = world.open();
        expect(await requestCost(world.store, () => commit(fresh, { a: 1 }))).toEqual({ ...WRITE, GET: 2 });
        expect(await requestCost(world.store, () => commit(fresh, { a: 2 }))).toEqual(WRITE);
      },
      { manifest: { profile } },
    ));

  for (const C of [0, 1] as const) {
    it(`read transaction = 3 + uncached immutable objects, then 3 (C=${C}; fusio 0.5: ${5 + C} at best)`, () =>
      simulate<void, string, V>(
        async (world) => {
          await commit(world.manifest, { a: 1 });
          if (C === 1) await world.manifest.compactor().compactOnce();
          await commit(world.manifest, { k: 'newest' });
          const reader = world.open();
          const read = (key: string, expected: V | undefined) =>
            requestCost(world.store, async () => {
              const r = await reader.sessionRead();
              expect(await r.get(key)).toBe(expected);
              await r.end();
            });
          // First read: HEAD's checkpoint meta (C) and the newest segment are new to this process.
          expect(await read('k', 'newest')).toEqual(READ(C + 1));
          expect(await read('k', 'newest')).toEqual(READ(0));
          // A key only the checkpoint (C=1) or segment 1 (C=0) holds: that one object is new.
          expect(await read('a', 1)).toEqual(READ(1));
          expect(await read('a', 1)).toEqual(READ(0));
          expect(await read('absent', undefined)).toEqual(READ(0));
        },
        { manifest: { profile } },
      ));
  }

  it('a read never LISTs: n new segments cost n GETs; a scan of a warm snapshot costs 3', () =>
    simulate<void, string, V>(
      async (world) => {
        await commit(world.manifest, { a: 1 });
        await world.manifest.compactor().compactOnce();
        const n = 4;
        for (let i = 0; i < n; i++) await commit(world.manifest, { [`k${i}`]: i });
        const reader = world.open();
        // Cold: checkpoint meta + payload + n segments.
        expect(await requestCost(world.store, () => reader.scanLatest())).toEqual(READ(2 + n));
        expect(await requestCost(world.store, () => reader.scanLatest())).toEqual(READ(0));
        await commit(world.manifest, { late: 1 });
        expect(await requestCost(world.store, () => reader.getLatest('absent'))).toEqual(READ(1));
      },
      { manifest: { profile } },
    ));

  it('an ordinary conflict runs no recovery: no LIST', () =>
    simulate<void, string, V>(
      async ({ manifest, store }) => {
        await commit(manifest, { a: 0 });
        const [x, y] = [await manifest.sessionWrite(), await manifest.sessionWrite()];
        x.put('a', Number((await x.get('a')) ?? 0) + 1);
        y.put('a', Number((await y.get('a')) ?? 0) + 2);
        await x.commit();
        const counts = await requestCost(store, () => y.commit().catch(() => undefined));
        expect(counts.LIST).toBe(0);
        // Segment CPUT (412), the segment's GET (whose is it?), HEAD GET (published: a conflict), lease DELETE.
        expect(totalRequests(counts)).toBeLessThanOrEqual(profile === 'strict' ? 4 : 4 + 2);
      },
      { manifest: { profile } },
    ));

  it('an orphan at HEAD+1 is adopted by the next commit that meets it (lazy recovery)', () =>
    simulate<void, string, V>(
      async (world) => {
        await commit(world.manifest, { a: 1 });
        // A writer that crashed after its segment PUT: no lease left, segment 2 unpublished.
        const { segments } = world.manifest.parts;
        const { encodeSegment } = await import('./wire.js');
        await segments.putNext(2, 2, encodeSegment({ txn_id: 2, records: [{ key: 'orphan', op: 'Put', value: 1 }] }));
        const w = await world.manifest.sessionWrite();
        w.put('b', 2);
        if (profile === 'strict-rebase') {
          // Adopted, then rebased over: the commit lands at seq 3.
          await expect(w.commit()).resolves.toMatchObject({ segmentSeq: 3, txnId: 3 });
        } else {
          // The conflict is reported; the recovery it ran lets the retry commit.
          await expect(w.commit()).rejects.toThrow(/holds another writer's txn/);
          expect(await world.manifest.parts.head.load()).toMatchObject({ head: { last_segment_seq: 2, last_txn_id: 2 } });
          await expect(commit(world.manifest, { b: 2 })).resolves.toMatchObject({ segmentSeq: 3, txnId: 3 });
        }
        expect(await world.manifest.scanLatest()).toEqual([
          ['a', 1],
          ['b', 2],
          ['orphan', 1],
        ]);
      },
      { manifest: { profile } },
    ));
});

describe('the fusio-0.5 profile keeps the reference counts', () => {
  it('uncontended write = F + C + 9 and best read = 5 + C, side by side with strict on the same history', async () => {
    const measure = (profile: Profile) =>
      simulate<number[], string, V>(
        async (world) => {
          await commit(world.manifest, { a: 1 });
          await world.manifest.compactor().compactOnce();
          await commit(world.manifest, { warm: 1 });
          await leakLeases(world.manifest, 2);
          const write = totalRequests(await requestCost(world.store, () => commit(world.manifest, { k: 'newest' })));
          const read = totalRequests(await requestCost(world.store, () => world.manifest.getLatest('k')));
          return [write, read];
        },
        { manifest: { profile } },
      );
    expect(await measure('fusio-0.5')).toEqual([2 + 1 + 9, 5 + 1]);
    // strict: 5, and 3 + the newest segment, which this process wrote but never read.
    expect(await measure('strict')).toEqual([5, 4]);
    expect(await measure('strict-rebase')).toEqual([5, 4]);
  });
});
