import { describe, expect, it } from 'vitest';
import { PreconditionFailedError } from './errors.js';
import { simulate } from './test/simulation.js';
import { encodeSegment } from './wire.js';

describe('HeadStore and SegmentStore (reference lib.rs / segment.rs tests)', () => {
  it('head_store_put_if_semantics', () =>
    simulate(async ({ manifest }) => {
      const head = manifest.parts.head;
      const doc = { version: 1, checkpoint_id: null, last_segment_seq: null, last_txn_id: 0 };
      const t1 = await head.put(doc, { ifNoneMatch: '*' });
      await expect(head.put(doc, { ifNoneMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailedError);
      const t2 = await head.put({ ...doc, last_txn_id: 1 }, { ifMatch: t1 });
      expect((await head.load())?.tag).toBe(t2);
      expect((await head.load())?.head.last_txn_id).toBe(1);
    }));

  it('mem_segment_put_get_list', () =>
    simulate(async ({ manifest }) => {
      const segs = manifest.parts.segments;
      await segs.putNext(1, 1, encodeSegment({ txn_id: 1, records: [{ key: 'a', op: 'Put', value: 1 }] }));
      await segs.putNext(3, 3, encodeSegment({ txn_id: 3, records: [{ key: 'b', op: 'Del' }] }));
      expect(await segs.get(1)).toEqual({ txn_id: 1, records: [{ key: 'a', op: 'Put', value: 1 }] });
      expect(await segs.get(3)).toEqual({ txn_id: 3, records: [{ key: 'b', op: 'Del' }] });
      expect(await segs.listFrom(0, 10)).toEqual([1, 3]);
      expect(await segs.listFrom(2, 10)).toEqual([3]);
      expect(await segs.listFrom(0, 1)).toEqual([1]);
      expect(await segs.loadTxnId(3)).toBe(3);
      await expect(segs.putNext(1, 9, new Uint8Array())).rejects.toBeInstanceOf(PreconditionFailedError);
    }));

  it('segment_store_localfs_round_trip (on the memory store): txn 42 from metadata, list and get', () =>
    simulate(async ({ manifest, store }) => {
      const segs = manifest.parts.segments;
      const body = encodeSegment({ txn_id: 42, records: [{ key: 'k', op: 'Put', value: 'v' }] });
      await segs.putNext(7, 42, body);
      expect(await segs.loadTxnId(7)).toBe(42);
      expect(await segs.listFrom(0, 10)).toEqual([7]);
      expect((await segs.get(7)).txn_id).toBe(42);
      const before = store.requestCounts();
      await segs.loadTxnId(7);
      expect(store.requestCounts().HEAD - before.HEAD).toBe(1); // a HEAD request, no payload GET
      expect(store.requestCounts().GET - before.GET).toBe(0);
    }));

  it('a missing segment is corrupt; delete_upto removes seqs <= upto only', () =>
    simulate(async ({ manifest }) => {
      const segs = manifest.parts.segments;
      await expect(segs.get(7)).rejects.toThrow(/segment payload missing/);
      for (const seq of [1, 2, 3, 4]) await segs.putNext(seq, seq, encodeSegment({ txn_id: seq, records: [] }));
      await segs.deleteUpto(2);
      expect(await segs.listFrom(0, 10)).toEqual([3, 4]);
    }));
});

describe('SegmentStore.listFrom', () => {
  it('lists seqs from the memo as it would by parsing: .bin keys, foreign names, deletions', () =>
    simulate(async ({ manifest, store }) => {
      const layout = manifest.parts.layout;
      const segs = manifest.parts.segments;
      for (const seq of [1, 2, 3]) await store.put(layout.segment(seq), new Uint8Array());
      await store.put(layout.segment(2, '.bin'), new Uint8Array());
      await store.put(`${layout.segmentsDir}seg-7`, new Uint8Array());
      await store.put(`${layout.segmentsDir}notes.txt`, new Uint8Array());
      await store.put(`${layout.segmentsDir}seg-x.json`, new Uint8Array());
      expect(await segs.listFrom(0, 100)).toEqual([1, 2, 2, 3, 7]);
      expect(await segs.listFrom(2, 100)).toEqual([2, 2, 3, 7]);
      expect(await segs.listFrom(0, 2)).toEqual([1, 2]);
      await store.delete(layout.segment(2));
      expect(await segs.listFrom(2, 100)).toEqual([2, 3, 7]);
      expect(await segs.listFrom(4, 100)).toEqual([7]);
    }));
});

describe('SegmentStore.loadTxnId falls back to .bin like the crate', () => {
  it('a .json without a valid txn header sends recovery to the .bin object (one more HEAD)', () =>
    simulate(async ({ manifest, store }) => {
      const layout = manifest.parts.layout;
      await store.put(layout.segment(4, '.json'), new TextEncoder().encode('{}'));
      await store.put(layout.segment(4, '.bin'), new TextEncoder().encode('{}'), { metadata: { 'fusio-txn-id': '4' } });
      const before = store.requestCounts().HEAD;
      expect(await manifest.parts.segments.loadTxnId(4)).toBe(4);
      expect(store.requestCounts().HEAD - before).toBe(2);
      await store.delete(layout.segment(4, '.bin'));
      await expect(manifest.parts.segments.loadTxnId(4)).rejects.toThrow(/segment metadata missing object for key .*\.bin/);
    }));
});
