/**
 * Deterministic reproductions, in virtual time, of the reference's correctness hazards (§6).
 * These document behaviour the 'fusio-0.5' profile must reproduce and the lab will expose: each
 * test asserts that the hazard *happens*.
 */
import { describe, expect, it } from 'vitest';
import { PreconditionFailedError } from './errors.js';
import { Manifest } from './manifest.js';
import { commitEntries } from './test/commit-entries.js';
import { HookedObjectStore, InterceptOnce, isHeadCas, slowFirstCheckpointPut } from './test/hooked-object-store.js';
import { simulate } from './test/simulation.js';

describe('§6.1 commit reports PreconditionFailed for a transaction that became visible', () => {
  it('a writer stalled past its lease TTL is adopted, told it failed, and its retry applies twice', () =>
    simulate<void, string, number>(async ({ manifest: other, store, clock }) => {
      const seed = await other.sessionWrite();
      seed.put('counter', 0);
      await seed.commit();

      // Writer A stalls 61 s (lease TTL is 60 s) between its segment PUT and its HEAD PUT.
      const aStore = new InterceptOnce(store, isHeadCas, () => clock.sleep(61_000));
      const a = new Manifest<string, number>({ store: aStore, prefix: 'test', clock });

      const increment = async () => {
        const w = await a.sessionWrite();
        const n = (await w.get('counter')) ?? 0;
        w.put('counter', n + 1);
        return w.commit();
      };

      const firstTry = increment().then(
        () => 'ok' as const,
        (err: unknown) => err,
      );
      // Meanwhile another process opens a write session after A's lease expired: recovery adopts A's segment.
      await clock.sleep(60_500);
      const b = await other.sessionWrite();
      expect(b.snapshot.txnId).toBe(2); // A's txn 2 is published by adoption
      await b.end();
      expect(await other.getLatest('counter')).toBe(1);

      const outcome = await firstTry;
      expect(outcome).toBeInstanceOf(PreconditionFailedError); // ...yet A's data is visible
      expect(await other.getLatest('counter')).toBe(1);

      // The usual client pattern: on PreconditionFailed, redo in a new session.
      await increment();
      expect(await other.getLatest('counter')).toBe(2); // one logical increment, applied twice
    }));

  it('the same without lease expiry: a checkpoint published mid-commit orphans the segment, the retry adopts it and applies again', () =>
    simulate<void, string, number>(async ({ manifest: other, store, clock }) => {
      const seed = await other.sessionWrite();
      seed.put('counter', 0);
      await seed.commit();
      // A checkpoint is published between A's segment PUT and its HEAD PUT.
      const aStore = new InterceptOnce(store, isHeadCas, async () => {
        await other.compactor().compactOnce();
      });
      const a = new Manifest<string, number>({ store: aStore, prefix: 'test', clock });
      const increment = async () => {
        const w = await a.sessionWrite();
        w.put('counter', ((await w.get('counter')) ?? 0) + 1);
        return w.commit();
      };
      await expect(increment()).rejects.toBeInstanceOf(PreconditionFailedError);
      expect(await other.getLatest('counter')).toBe(0); // orphaned: not yet visible
      await increment(); // its sessionWrite adopts the orphan first, then increments again
      expect(await other.getLatest('counter')).toBe(2);
      expect((await other.snapshot()).txnId).toBe(3);
    }));
});

describe('§6.5 concurrent compactors move HEAD back to an older checkpoint', () => {
  it('a slow compactor publishes ckpt-10 over ckpt-20 after segments 11..20 were deleted: txns 11..20 are lost', () =>
    simulate<void, string, number>(async ({ manifest, store, clock }) => {
      const commit = (i: number) => commitEntries(manifest, { [`k${i}`]: i });
      for (let i = 1; i <= 10; i++) await commit(i);

      // Compactor X snapshots at txn 10, then stalls 1 s before writing its checkpoint.
      const xStore = slowFirstCheckpointPut(store, clock, 1000);
      const x = new Manifest<string, number>({ store: xStore, prefix: 'test', clock }).compactor();
      const slow = x.compactOnce();

      for (let i = 11; i <= 20; i++) await commit(i);
      // Compactor Y publishes ckpt-20 and, with no lease held, deletes segments <= 20.
      const y = await manifest.compactor().compactAndGc();
      expect(y.checkpointId).toBe('ckpt-00000000000000000020');
      expect(await manifest.parts.segments.listFrom(0, 100)).toEqual([]);

      const xs = await slow;
      expect(xs.checkpointId).toBe('ckpt-00000000000000000010');
      const head = await manifest.parts.head.load();
      expect(head?.head).toMatchObject({ checkpoint_id: 'ckpt-00000000000000000010', last_txn_id: 20 });

      // Readers fold ckpt-10 plus segments 11.. — which are gone — and silently lose txns 11..20.
      expect(await manifest.getLatest('k5')).toBe(5);
      expect(await manifest.getLatest('k15')).toBeUndefined();
      expect((await manifest.scanLatest()).map(([k]) => k)).toHaveLength(10);

      // The next compaction bakes the loss into a new checkpoint.
      const next = await manifest.compactor().compactOnce();
      expect(next.checkpointId).toBe('ckpt-00000000000000000020');
      expect(await manifest.getLatest('k15')).toBeUndefined();
    }));
});

describe('§6.4 GC deletes segments a leased session still needs (examples/step2_leases.rs)', () => {
  it('a pinned reader at txn 3 loses its data to the three-phase GC', () =>
    simulate<void, string, string>(
      async ({ manifest }) => {
        for (const [k, v] of [
          ['user:1', 'alice'],
          ['user:1', 'bob'],
          ['user:1', 'carol'],
        ] as const) {
          const w = await manifest.sessionWrite();
          w.put(k, v);
          await w.commit();
        }
        const pinned = await manifest.sessionRead();
        const stored = pinned.snapshot;
        expect(await pinned.get('user:1')).toBe('carol');
        const c = manifest.compactor();
        await c.compactOnce();
        expect(await c.gcCompute()).not.toBeNull();
        await c.gcApply();
        await c.gcDeleteAndReset(); // deletes segments 1..3 while the lease is held
        expect(await manifest.parts.segments.listFrom(0, 10)).toEqual([]);
        const handoff = await manifest.sessionAt(stored);
        expect(await handoff.get('user:1')).toBeUndefined(); // "deletes should be deferred"
        await handoff.end();
        await pinned.end();
      },
      { manifest: { retention: { checkpointsMinTtlMs: 0, segmentsMinTtlMs: 0 } } },
    ));
});

describe('§6.2 a crashed writer blocks all writers for up to the lease TTL', () => {
  it('other writers fail on the orphan seq until the lease expires, then adopt it', () =>
    simulate<void, string, number>(async ({ manifest, store, clock }) => {
      // The crashed writer: its segment lands, then the process dies before its HEAD PUT
      // (modelled as a request that never returns), leaving its lease behind.
      let segmentWritten = false;
      const crash = new HookedObjectStore(store, {
        before(req) {
          if (isHeadCas(req)) return new Promise<void>(() => undefined);
          if (req.kind === 'CPUT' && req.key.includes('/segments/')) segmentWritten = true;
        },
      });
      const dead = new Manifest<string, number>({ store: crash, prefix: 'test', clock });
      const w = await dead.sessionWrite();
      w.put('x', 1);
      void w.commit();
      await clock.sleep(1);
      expect(segmentWritten).toBe(true);
      for (let t = 0; t < 3; t++) {
        const other = await manifest.sessionWrite();
        other.put('y', t);
        await expect(other.commit()).rejects.toBeInstanceOf(PreconditionFailedError);
        await clock.sleep(10_000);
      }
      await clock.sleep(31_000); // past the 60 s TTL
      const other = await manifest.sessionWrite();
      expect(other.snapshot.txnId).toBe(1); // the dead writer's txn was adopted
      other.put('y', 9);
      await other.commit();
      expect([await manifest.getLatest('x'), await manifest.getLatest('y')]).toEqual([1, 9]);
    }));
});
