/**
 * The `strict` profile's hazard fixes (profile.ts `PROFILE_RULES`), each shown side by side:
 * the hazard under `fusio-0.5` (the setups of hazards.test.ts) and its absence under `strict`.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_VIRTUAL_EPOCH_MS } from './clock/virtual-clock.js';
import { encodeUtf8 } from './json.js';
import { Manifest } from './manifest.js';
import { PROFILE_RULES, type Profile } from './profile.js';
import { decodeObjects } from './test/decode-objects.js';
import { commitEntries } from './test/commit-entries.js';
import { HookedObjectStore, InterceptOnce, isHeadCas, slowFirstCheckpointPut } from './test/hooked-object-store.js';
import { simulate } from './test/simulation.js';
import { decodeLease, encodeLease } from './wire.js';

const T0 = DEFAULT_VIRTUAL_EPOCH_MS;
const both = ['fusio-0.5', 'strict'] as const satisfies readonly Profile[];

describe('PROFILE_RULES', () => {
  it('fusio-0.5 has every fix off, strict every fix but rebaseOnConflict on, strict-rebase every rule on', () => {
    for (const [name, on] of Object.entries(PROFILE_RULES['fusio-0.5'])) if (name !== 'profile') expect([name, on]).toEqual([name, false]);
    for (const [name, on] of Object.entries(PROFILE_RULES.strict)) {
      if (name !== 'profile') expect([name, on]).toEqual([name, name !== 'rebaseOnConflict']);
    }
    for (const [name, on] of Object.entries(PROFILE_RULES['strict-rebase'])) if (name !== 'profile') expect([name, on]).toEqual([name, true]);
  });
});

describe('§6.8 leaseListingSkipsVanished: a lease deleted between LIST and GET', () => {
  for (const profile of both) {
    it(`${profile}: ${profile === 'strict' ? 'is simply gone' : 'fails list_active'}`, () =>
      simulate(
        async ({ manifest, store }) => {
          await manifest.parts.leases.create(1, null, 1000);
          const racing = new HookedObjectStore(store, {
            async before(req) {
              if (req.kind === 'GET' && req.key.includes('/leases/')) await store.delete(req.key);
            },
          });
          const m2 = new Manifest({ store: racing, prefix: 'test', clock: manifest.runtime.clock, profile });
          if (profile === 'fusio-0.5') await expect(m2.parts.leases.listActive(0)).rejects.toThrow(/vanished/);
          else expect(await m2.parts.leases.listActive(0)).toEqual([]);
        },
        { manifest: { profile } },
      ));
  }
});

describe('§6.7 skewTolerantExpiry: a lease is live until expires_at_ms + maxClockSkewMs', () => {
  for (const profile of both) {
    it(`${profile}: list_active around the expiry`, () =>
      simulate(
        async ({ manifest }) => {
          const leases = manifest.parts.leases;
          await leases.create(1, null, 10_000);
          const liveAt = async (t: number) => (await leases.listActive(T0 + t)).length === 1;
          expect(await liveAt(9_999)).toBe(true);
          expect(await liveAt(10_000)).toBe(profile === 'strict');
          expect(await liveAt(10_999)).toBe(profile === 'strict');
          expect(await liveAt(11_000)).toBe(false);
        },
        { manifest: { profile, retention: { maxClockSkewMs: 1000 } } },
      ));

    // The §6.1 setup: writer A stalls past its lease TTL; another writer opens a session 0.5 s
    // after A's lease expired by its own clock — inside the skew bound.
    it(`${profile}: ${profile === 'strict' ? 'no adoption' : 'adoption'} of a writer whose lease lapsed 0.5 s ago (within the skew bound)`, () =>
      simulate<void, string, number>(
        async ({ manifest: other, store, clock, open }) => {
          const seed = await other.sessionWrite();
          seed.put('counter', 0);
          await seed.commit();
          const aStore = new InterceptOnce(store, isHeadCas, () => clock.sleep(61_000));
          const a = open({ store: aStore });
          const w = await a.sessionWrite();
          w.put('counter', 1);
          const outcome = w.commit().then(
            () => 'ok',
            (err: unknown) => (err as Error).name,
          );
          await clock.sleep(60_500);
          const b = await other.sessionWrite();
          expect(b.snapshot.txnId).toBe(profile === 'strict' ? 1 : 2);
          await b.end();
          // Under strict A's commit lands; under fusio it was adopted and A is told it failed.
          expect(await outcome).toBe(profile === 'strict' ? 'ok' : 'PreconditionFailedError');
          expect(await other.getLatest('counter')).toBe(1);
        },
        { manifest: { profile } },
      ));
  }
});

describe('§6.4 gcKeepsLeasedReads: GC keeps what a live lease may read', () => {
  it('strict leases record their snapshot checkpoint in fields fusio 0.5 ignores', () =>
    simulate(
      async ({ manifest, store }) => {
        const w = await manifest.sessionWrite();
        w.put('k', 1);
        await w.commit();
        await manifest.compactor().compactOnce();
        const r = await manifest.sessionRead();
        const lease = decodeObjects(store.dump()).find((o) => o.key.includes('/leases/'));
        const doc = JSON.parse(lease?.text ?? '{}') as Record<string, unknown>;
        expect(Object.keys(doc)).toEqual(['id', 'snapshot_txn_id', 'expires_at_ms', 'head_tag', 'read_checkpoint_id', 'read_from_seq']);
        expect(doc).toMatchObject({ snapshot_txn_id: 1, read_checkpoint_id: 'ckpt-00000000000000000001', read_from_seq: 2 });
        await r.heartbeat(); // a heartbeat keeps the fields
        const after = decodeObjects(store.dump()).find((o) => o.key.includes('/leases/'));
        expect(decodeLease(encodeUtf8(after?.text ?? '')).reads).toEqual({ checkpoint_id: 'ckpt-00000000000000000001', from_seq: 2 });
        await r.end();
      },
      { manifest: { profile: 'strict' } },
    ));

  it('the extra fields round-trip; a lease without them decodes as before', () => {
    const doc = { id: 'lease-1', snapshot_txn_id: 3, expires_at_ms: 9, reads: { checkpoint_id: null, from_seq: 1 } };
    expect(new TextDecoder().decode(encodeLease(doc))).toBe(
      '{"id":"lease-1","snapshot_txn_id":3,"expires_at_ms":9,"read_checkpoint_id":null,"read_from_seq":1}',
    );
    expect(decodeLease(encodeLease(doc))).toEqual(doc);
    expect(decodeLease(encodeUtf8('{"id":"lease-1","snapshot_txn_id":3,"expires_at_ms":9}'))).toEqual({
      id: 'lease-1',
      snapshot_txn_id: 3,
      expires_at_ms: 9,
    });
  });

  for (const profile of both) {
    it(`${profile}: a pinned reader at txn 3 ${profile === 'strict' ? 'keeps' : 'loses'} its data under three-phase GC (step2_leases.rs)`, () =>
      simulate<void, string, string>(
        async ({ manifest }) => {
          for (const v of ['alice', 'bob', 'carol']) {
            const w = await manifest.sessionWrite();
            w.put('user:1', v);
            await w.commit();
          }
          const pinned = await manifest.sessionRead();
          const stored = pinned.snapshot;
          const c = manifest.compactor();
          await c.compactOnce();
          expect(await c.gcCompute()).not.toBeNull();
          await c.gcApply();
          await c.gcDeleteAndReset();
          const left = await manifest.parts.segments.listFrom(0, 10);
          const handoff = await manifest.sessionAt(stored);
          if (profile === 'strict') {
            expect(left).toEqual([1, 2, 3]);
            expect(await handoff.get('user:1')).toBe('carol');
          } else {
            expect(left).toEqual([]);
            expect(await handoff.get('user:1')).toBeUndefined();
          }
          await handoff.end();
          await pinned.end();
          if (profile === 'strict') {
            // Once the lease is gone, the next plan collects them.
            expect(await c.gcCompute()).not.toBeNull();
            await c.gcApply();
            await c.gcDeleteAndReset();
            expect(await manifest.parts.segments.listFrom(0, 10)).toEqual([]);
            expect(await manifest.getLatest('user:1')).toBe('carol');
          }
        },
        { manifest: { profile, retention: { checkpointsMinTtlMs: 0, segmentsMinTtlMs: 0, maxClockSkewMs: 0 } } },
      ));

    it(`${profile}: compact_and_gc ${profile === 'strict' ? 'spares' : 'deletes'} segments of a reader above the lsn that reads through an older checkpoint`, () =>
      simulate<void, string, number>(
        async ({ manifest, store, clock, open }) => {
          const commit = (i: number) => commitEntries(manifest, { [`k${i}`]: i });
          for (let i = 1; i <= 3; i++) await commit(i);
          // The compactor snapshots at txn 3 and is slow (1 s) to write its checkpoint.
          const slowStore = slowFirstCheckpointPut(store, clock, 1000);
          const gc = open({ store: slowStore }).compactor().compactAndGc();
          await clock.sleep(10);
          await commit(4);
          const reader = await manifest.sessionRead(); // txn 4 > lsn 3, no checkpoint
          expect(reader.snapshot).toMatchObject({ txnId: 4, checkpointId: null });
          await gc;
          const got = await reader.get('k2');
          await reader.end();
          expect(got).toBe(profile === 'strict' ? 2 : undefined);
        },
        { manifest: { profile } },
      ));
  }
});

describe('§6.5 compactorNeverRollsBack: a slow compactor does not publish ckpt-10 over ckpt-20', () => {
  for (const profile of both) {
    it(`${profile}: ${profile === 'strict' ? 'HEAD keeps ckpt-20, nothing lost' : 'HEAD rolls back, txns 11..20 lost'}`, () =>
      simulate<void, string, number>(
        async ({ manifest, store, clock, open }) => {
          const commit = (i: number) => commitEntries(manifest, { [`k${i}`]: i });
          for (let i = 1; i <= 10; i++) await commit(i);
          const xStore = slowFirstCheckpointPut(store, clock, 1000);
          const slow = open({ store: xStore }).compactor().compactOnce();
          for (let i = 11; i <= 20; i++) await commit(i);
          const y = await manifest.compactor().compactAndGc();
          expect(y.checkpointId).toBe('ckpt-00000000000000000020');
          const xs = await slow;
          const head = await manifest.parts.head.load();
          if (profile === 'strict') {
            expect(xs.checkpointId).toBe('ckpt-00000000000000000020'); // HEAD's, not its own
            expect(head?.head.checkpoint_id).toBe('ckpt-00000000000000000020');
            expect(await manifest.getLatest('k15')).toBe(15);
            expect(await manifest.scanLatest()).toHaveLength(20);
          } else {
            expect(xs.checkpointId).toBe('ckpt-00000000000000000010');
            expect(head?.head.checkpoint_id).toBe('ckpt-00000000000000000010');
            expect(await manifest.getLatest('k15')).toBeUndefined();
            expect(await manifest.scanLatest()).toHaveLength(10);
          }
        },
        { manifest: { profile } },
      ));
  }
});

describe('§6.6 gcPlanRepeatable: GC plans keep working after the first', () => {
  for (const profile of both) {
    it(`${profile}: after a completed plan, the next gc_compute ${profile === 'strict' ? 'installs another' : 'installs nothing'}`, () =>
      simulate<void, string, number>(
        async ({ manifest }) => {
          const commit = (i: number) => commitEntries(manifest, { [`k${i}`]: i });
          const c = manifest.compactor();
          const round = async () => {
            await c.compactOnce();
            const planned = await c.gcCompute();
            await c.gcApply();
            await c.gcDeleteAndReset();
            return planned !== null;
          };
          const holder = await manifest.sessionRead(); // fusio plans only while a lease is live
          for (let i = 1; i <= 3; i++) await commit(i);
          await holder.end();
          const reader = await manifest.sessionRead();
          expect(await round()).toBe(true);
          await reader.end();
          for (let i = 4; i <= 6; i++) await commit(i);
          const reader2 = await manifest.sessionRead();
          expect(await round()).toBe(profile === 'strict');
          await reader2.end();
          // fusio: no plan; strict: a plan, but reader2 (txn 6, through ckpt-3) still reads 4..6.
          expect(await manifest.parts.segments.listFrom(0, 10)).toEqual([4, 5, 6]);
          // With no lease at all, strict still plans (and collects 4..7); fusio does not.
          await commit(7);
          expect(await round()).toBe(profile === 'strict');
          expect(await manifest.parts.segments.listFrom(0, 10)).toEqual(profile === 'strict' ? [] : [4, 5, 6, 7]);
          expect((await manifest.scanLatest()).map(([, v]) => v)).toEqual([1, 2, 3, 4, 5, 6, 7]);
        },
        { manifest: { profile, retention: { checkpointsMinTtlMs: 0, segmentsMinTtlMs: 0, maxClockSkewMs: 0 } } },
      ));
  }
});
