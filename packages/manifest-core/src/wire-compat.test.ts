/**
 * Wire compatibility with fusio-manifest 0.5 (reference §1): the exact bytes, keys, content
 * types and metadata of every object written, and reading a manifest laid out by the Rust crate.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_VIRTUAL_EPOCH_MS } from './clock/virtual-clock.js';
import { CorruptError } from './errors.js';
import { encodeUtf8 } from './json.js';
import { decodeObjects } from './test/decode-objects.js';
import { simulate } from './test/simulation.js';
import { md5ETag } from './stores/etag.js';

const T0 = DEFAULT_VIRTUAL_EPOCH_MS;
const text = (s: string) => encodeUtf8(s);

describe('bytes written (reference §1.2, §1.3)', () => {
  it('HEAD, segment and leases of a commit', () =>
    simulate<void, string, number>(async ({ manifest, store }) => {
      const w = await manifest.sessionWrite();
      w.put('k', 1);
      w.delete('j');
      expect(decodeObjects(store.dump())).toEqual([
        {
          key: `test/leases/lease-${T0}.json`,
          text: `{"id":"lease-${T0}","snapshot_txn_id":1,"expires_at_ms":${T0 + 60_000}}`,
          etag: md5ETag(text(`{"id":"lease-${T0}","snapshot_txn_id":1,"expires_at_ms":${T0 + 60_000}}`)),
          contentType: 'application/json',
          metadata: {},
        },
      ]);
      await w.commit();
      const head = '{"version":1,"checkpoint_id":null,"last_segment_seq":1,"last_txn_id":1}';
      const seg = '{"txn_id":1,"records":[{"key":"k","op":"Put","value":1},{"key":"j","op":"Del"}]}';
      expect(decodeObjects(store.dump())).toEqual([
        { key: 'test/HEAD.json', text: head, etag: md5ETag(text(head)), contentType: 'application/json', metadata: {} },
        {
          key: 'test/segments/seg-00000000000000000001.json',
          text: seg,
          etag: md5ETag(text(seg)),
          contentType: 'application/json',
          metadata: { 'fusio-txn-id': '1' },
        },
      ]);
      // A lease taken against an existing HEAD records its tag (quotes included, escaped).
      const r = await manifest.sessionRead();
      const lease = decodeObjects(store.dump()).find((o) => o.key.includes('/leases/'));
      expect(lease?.text).toBe(
        `{"id":"lease-${T0}","snapshot_txn_id":1,"expires_at_ms":${T0 + 60_000},"head_tag":${JSON.stringify(md5ETag(text(head)))}}`,
      );
      await r.end();
    }));

  it('checkpoint payload and meta (no content type), HEAD pointing at it, and the GC plan', () =>
    simulate<void, string, number | string>(async ({ manifest, store, clock }) => {
      const w = await manifest.sessionWrite();
      w.put('b', 'two');
      w.put('a', 1);
      await w.commit();
      await clock.sleep(5);
      await manifest.compactor().compactOnce();
      const objects = decodeObjects(store.dump());
      const payload = '{"entries":[["a",1],["b","two"]]}';
      expect(objects.find((o) => o.key === 'test/checkpoints/ckpt-00000000000000000001.json')).toEqual({
        key: 'test/checkpoints/ckpt-00000000000000000001.json',
        text: payload,
        etag: md5ETag(text(payload)),
        metadata: {},
      });
      expect(objects.find((o) => o.key.endsWith('.meta.json'))?.text).toBe(
        `{"lsn":1,"key_count":2,"byte_size":${payload.length},"created_at_ms":${T0 + 5},"format":"application/json","last_segment_seq_at_ckpt":1}`,
      );
      expect(objects.find((o) => o.key.endsWith('.meta.json'))?.contentType).toBeUndefined();
      const head = objects.find((o) => o.key === 'test/HEAD.json');
      expect(head?.text).toBe(
        '{"version":1,"checkpoint_id":"ckpt-00000000000000000001","last_segment_seq":1,"last_txn_id":1}',
      );

      const pin = await manifest.sessionRead();
      await manifest.compactor().gcCompute();
      const plan = decodeObjects(store.dump()).find((o) => o.key === 'test/gc/GARBAGE');
      expect(plan?.text).toBe(
        `{"against_head_tag":${JSON.stringify(head?.etag)},"not_before":${T0 + 5 + 30_000},"delete_segments":[{"start":1,"end":1}],"delete_checkpoints":[],"make_checkpoints":[]}`,
      );
      expect(plan?.contentType).toBe('application/json');
      await pin.end();
    }));

  it('an empty prefix puts everything at the bucket root; trailing slashes are trimmed', () =>
    simulate(async ({ open, store }) => {
      const root = open({ prefix: '' });
      const w = await root.sessionWrite();
      w.put('k', 1);
      await w.commit();
      const nested = open({ prefix: 'a/b///' });
      const w2 = await nested.sessionWrite();
      w2.put('k', 1);
      await w2.commit();
      expect(store.dump().map((o) => o.key)).toEqual([
        'HEAD.json',
        'a/b/HEAD.json',
        'a/b/segments/seg-00000000000000000001.json',
        'segments/seg-00000000000000000001.json',
      ]);
    }));

  it('retried lease ids carry the attempt suffix in key and document', () =>
    simulate(async ({ manifest, store }) => {
      await manifest.sessionRead();
      await manifest.sessionRead(); // same virtual millisecond: collides, retried as -1
      const leases = decodeObjects(store.dump()).filter((o) => o.key.includes('/leases/'));
      expect(leases.map((o) => o.key)).toEqual([
        `test/leases/lease-${T0}.json`,
        expect.stringMatching(/^test\/leases\/lease-\d+-1\.json$/),
      ]);
      expect(JSON.parse(leases[1]?.text ?? '{}').id).toMatch(/^lease-\d+-1$/);
    }));
});

describe('reading a manifest written by the Rust crate', () => {
  /** Objects as fusio-manifest 0.5 writes them (HashMap-ordered checkpoint, duplicate keys, an orphan). */
  function rustManifest(): [string, string, Record<string, string>?][] {
    const P = 'tests/rust/1732000000000';
    return [
      [`${P}/HEAD.json`, '{"version":1,"checkpoint_id":"ckpt-00000000000000000002","last_segment_seq":4,"last_txn_id":4}'],
      [`${P}/checkpoints/ckpt-00000000000000000002.json`, '{"entries":[["user:2","bob"],["user:1","alice"]]}'],
      [
        `${P}/checkpoints/ckpt-00000000000000000002.meta.json`,
        '{"lsn":2,"key_count":2,"byte_size":50,"created_at_ms":1699999900100,"format":"application/json","last_segment_seq_at_ckpt":2}',
      ],
      [`${P}/segments/seg-00000000000000000001.json`, '{"txn_id":1,"records":[{"key":"user:1","op":"Put","value":"alice"}]}', { 'fusio-txn-id': '1' }],
      [`${P}/segments/seg-00000000000000000002.json`, '{"txn_id":2,"records":[{"key":"user:2","op":"Put","value":"bob"}]}', { 'fusio-txn-id': '2' }],
      [
        `${P}/segments/seg-00000000000000000003.json`,
        '{"txn_id":3,"records":[{"key":"user:3","op":"Put","value":"carol"},{"key":"user:2","op":"Del"}]}',
        { 'fusio-txn-id': '3' },
      ],
      [
        `${P}/segments/seg-00000000000000000004.json`,
        '{"txn_id":4,"records":[{"key":"user:1","op":"Put","value":{"name":"alice","age":31}},{"key":"user:3","op":"Put","value":"carol2"},{"key":"user:3","op":"Put","value":"carol3"},{"key":"user:4","op":"Put","value":null}]}',
        { 'fusio-txn-id': '4' },
      ],
      // A crashed writer's orphan, and its expired lease left behind.
      [`${P}/segments/seg-00000000000000000005.json`, '{"txn_id":5,"records":[{"key":"user:5","op":"Put","value":"eve"}]}', { 'fusio-txn-id': '5' }],
      [`${P}/leases/lease-1699999900200.json`, '{"id":"lease-1699999900200","snapshot_txn_id":5,"expires_at_ms":1699999960200,"head_tag":"\\"abc\\""}'],
      [`${P}/gc/GARBAGE`, '{"against_head_tag":null,"not_before":0,"delete_segments":[],"delete_checkpoints":[],"make_checkpoints":[]}'],
    ];
  }

  it('reads snapshot, point gets and scans, then adopts the orphan and commits on top', () =>
    simulate<void, string, unknown & import('./json.js').JsonValue>(
      async ({ manifest, store }) => {
        for (const [key, body, metadata] of rustManifest()) {
          await store.put(key, text(body), { contentType: 'application/json', ...(metadata ? { metadata } : {}) });
        }
        const snap = await manifest.snapshot();
        expect(snap).toMatchObject({ txnId: 4, lastSegmentSeq: 4, checkpointSeq: 2, checkpointId: 'ckpt-00000000000000000002' });
        const r = await manifest.sessionAt(snap);
        expect(await r.get('user:1')).toEqual({ name: 'alice', age: 31 });
        expect(await r.get('user:2')).toBeUndefined();
        expect(await r.get('user:3')).toBe('carol3');
        expect(await r.get('user:4')).toBeUndefined(); // "value": null is a Put without a value
        expect(await r.get('user:5')).toBeUndefined(); // the orphan is not visible to reads
        expect(await r.scan()).toEqual([
          ['user:1', { name: 'alice', age: 31 }],
          ['user:3', 'carol3'],
        ]);
        await r.end();

        // The orphan's lease expired before the virtual epoch, so a writer adopts it.
        const w = await manifest.sessionWrite();
        expect(w.snapshot.txnId).toBe(5);
        w.put('user:6', 'frank');
        expect(await w.commit()).toMatchObject({ txnId: 6, segmentSeq: 6 });
        const head = decodeObjects(store.dump()).find((o) => o.key.endsWith('HEAD.json'));
        expect(head?.text).toBe('{"version":1,"checkpoint_id":"ckpt-00000000000000000002","last_segment_seq":6,"last_txn_id":6}');
        expect(await manifest.getLatest('user:5')).toBe('eve');
      },
      { prefix: 'tests/rust/1732000000000/' },
    ));

  it('rejects u64 values at or above 2^53 as corrupt instead of rounding them', () =>
    simulate(async ({ manifest, store }) => {
      await store.put('test/HEAD.json', text('{"version":1,"checkpoint_id":null,"last_segment_seq":1,"last_txn_id":18446744073709551615}'));
      const err = await manifest.snapshot().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CorruptError);
      expect(String(err)).toMatch(/2\^53/);
    }));

  it('treats undecodable objects as corrupt, naming the object kind', () =>
    simulate(async ({ manifest, store }) => {
      await store.put('test/HEAD.json', text('{"version":1,'));
      await expect(manifest.snapshot()).rejects.toThrow(/HEAD decode/);
    }));
});
