/** manifest.rs unit tests of the reference (§5.2), plus orphan recovery edge cases. */
import { describe, expect, it } from 'vitest';
import { PreconditionFailedError } from './errors.js';
import { HookedObjectStore } from './test/hooked-object-store.js';
import { simulate } from './test/simulation.js';
import { Manifest } from './manifest.js';
import { encodeSegment } from './wire.js';
import { MemoryObjectStore } from './stores/memory-object-store.js';

type V = string | number;

const orphan = (txn: number, key: string, value: V) =>
  encodeSegment({ txn_id: txn, records: [{ key, op: 'Put', value }] });

describe('Manifest (reference manifest.rs)', () => {
  it('mem_kv_end_to_end_and_conflict', () =>
    simulate<void, string, V>(async ({ manifest, open }) => {
      const w = await manifest.sessionWrite();
      w.put('a', 10);
      w.put('b', 'x');
      await w.commit();
      expect(await manifest.getLatest('a')).toBe(10);
      expect(await manifest.scanLatest()).toEqual([['a', 10], ['b', 'x']]);
      const other = open();
      const w1 = await manifest.sessionWrite();
      const w2 = await other.sessionWrite();
      w1.put('a', 10);
      w2.put('a', 20);
      await w1.commit();
      await expect(w2.commit()).rejects.toBeInstanceOf(PreconditionFailedError);
      expect(await other.getLatest('a')).toBe(10);
    }));

  it('mem_kv_point_get_and_tombstone', () =>
    simulate<void, string, V>(async ({ manifest }) => {
      const w = await manifest.sessionWrite();
      w.put('a', 1);
      w.put('b', 2);
      await w.commit();
      const w2 = await manifest.sessionWrite();
      w2.put('a', 3);
      w2.delete('b');
      await w2.commit();
      expect(await manifest.getLatest('a')).toBe(3);
      expect(await manifest.getLatest('b')).toBeUndefined();
    }));

  it('mem_session_at_acquires_and_releases_lease', () =>
    simulate(async ({ manifest, clock }) => {
      const active = () => manifest.parts.leases.listActive(clock.wallNow());
      expect(await active()).toHaveLength(0);
      const r = await manifest.sessionAt(await manifest.snapshot());
      expect(await active()).toHaveLength(1);
      await r.end();
      expect(await active()).toHaveLength(0);
    }));

  it('mem_kv_compact_and_read_from_checkpoint', () =>
    simulate<void, string, V>(async ({ manifest }) => {
      const w = await manifest.sessionWrite();
      w.put('a', 1);
      w.put('b', 2);
      await w.commit();
      const w2 = await manifest.sessionWrite();
      w2.put('b', 20);
      w2.put('c', 3);
      await w2.commit();
      await manifest.compactor().compactOnce();
      const snap = await manifest.snapshot();
      expect(snap.checkpointSeq).toBe(2);
      expect(snap.checkpointId).toBe('ckpt-00000000000000000002');
      const r = await manifest.sessionAt(snap);
      expect([await r.get('a'), await r.get('b'), await r.get('c')]).toEqual([1, 20, 3]);
      await r.end();
    }));

  it('mem_recover_orphans_no_head_adopts_seq1', () =>
    simulate<void, string, V>(async ({ manifest }) => {
      await manifest.parts.segments.putNext(1, 1, orphan(1, 'k', 'v'));
      expect(await manifest.recoverOrphans()).toBe(1);
      const head = await manifest.parts.head.load();
      expect(head?.head).toEqual({ version: 1, checkpoint_id: null, last_segment_seq: 1, last_txn_id: 1 });
      expect(await manifest.getLatest('k')).toBe('v');
    }));

  it('mem_recover_orphans_respects_active_leases', () =>
    simulate<void, string, V>(async ({ manifest }) => {
      const lease = await manifest.parts.leases.create(1, null, 60_000);
      await manifest.parts.segments.putNext(1, 1, orphan(1, 'k', 'v'));
      expect(await manifest.recoverOrphans()).toBe(0);
      expect(await manifest.parts.head.load()).toBeNull();
      await manifest.parts.leases.release(lease);
      expect(await manifest.recoverOrphans()).toBe(1);
    }));

  it('mem_recover_orphans_gap_does_not_adopt', () =>
    simulate<void, string, V>(async ({ manifest }) => {
      await manifest.parts.segments.putNext(2, 2, orphan(2, 'k', 'v'));
      expect(await manifest.recoverOrphans()).toBe(0);
      expect(await manifest.parts.head.load()).toBeNull();
    }));

  it('mem_recover_orphans_advances_over_existing_head', () =>
    simulate<void, string, V>(async ({ manifest }) => {
      const w = await manifest.sessionWrite();
      w.put('a', 1);
      await w.commit();
      await manifest.parts.segments.putNext(2, 2, orphan(2, 'b', 2));
      expect(await manifest.recoverOrphans()).toBe(1);
      expect((await manifest.parts.head.load())?.head).toMatchObject({ last_segment_seq: 2, last_txn_id: 2 });
    }));

  it('mem_recover_orphans_retries_on_conflicting_head', () =>
    simulate<void, string, V>(async ({ store, clock }) => {
      let forced = false;
      const hooked = new HookedObjectStore(store, {
        before(req) {
          if (req.kind === 'CPUT' && req.key.endsWith('HEAD.json') && !forced) {
            forced = true;
            throw new PreconditionFailedError();
          }
        },
      });
      const m = new Manifest<string, V>({ store: hooked, prefix: 'test', clock });
      await m.parts.segments.putNext(1, 1, orphan(1, 'k', 'v'));
      expect(await m.recoverOrphans()).toBe(1);
      expect(forced).toBe(true);
      expect(await m.getLatest('k')).toBe('v');
    }));

  it('adopts a run of orphans, stopping at a txn that does not follow', () =>
    simulate<void, string, V>(async ({ manifest }) => {
      await manifest.parts.segments.putNext(1, 1, orphan(1, 'a', 1));
      await manifest.parts.segments.putNext(2, 2, orphan(2, 'b', 2));
      await manifest.parts.segments.putNext(3, 7, orphan(7, 'c', 3));
      expect(await manifest.recoverOrphans()).toBe(2);
      expect((await manifest.parts.head.load())?.head).toMatchObject({ last_segment_seq: 2, last_txn_id: 2 });
    }));

  it('recovery gives up with PreconditionFailed once its backoff is exhausted', () =>
    simulate<void, string, V>(async ({ store, clock }) => {
      const hooked = new HookedObjectStore(store, {
        before(req) {
          if (req.kind === 'CPUT' && req.key.endsWith('HEAD.json')) throw new PreconditionFailedError();
        },
      });
      const m = new Manifest<string, V>({ store: hooked, prefix: 'test', clock, backoff: { maxRetries: 2 } });
      await m.parts.segments.putNext(1, 1, orphan(1, 'k', 'v'));
      await expect(m.sessionWrite()).rejects.toBeInstanceOf(PreconditionFailedError);
    }));

  it('an empty commit still consumes a txn and a segment', () =>
    simulate(async ({ manifest }) => {
      const w = await manifest.sessionWrite();
      expect(await w.commit()).toMatchObject({ txnId: 1, segmentSeq: 1 });
      expect((await manifest.snapshot()).txnId).toBe(1);
    }));
});

describe('Manifest options', () => {
  it('refuses a retention value that is not a finite number of at least 0 (undefined would disable every expiry check)', () => {
    const store = new MemoryObjectStore();
    expect(() => new Manifest({ store, retention: { maxClockSkewMs: undefined as unknown as number } })).toThrow(/retention\.maxClockSkewMs must be a finite number of at least 0, got undefined/);
    expect(() => new Manifest({ store, retention: { leaseTtlMs: Number.NaN } })).toThrow(/retention\.leaseTtlMs/);
    expect(() => new Manifest({ store, retention: { segmentsMinTtlMs: -1 } })).toThrow(/retention\.segmentsMinTtlMs/);
    expect(() => new Manifest({ store, retention: { segmentsMinTtlMs: 0 } })).not.toThrow();
  });
});
