/** compactor.rs and gc.rs unit tests of the reference (§5.2), plus the three GC phases. */
import { describe, expect, it } from 'vitest';
import { FatalError, PreconditionFailedError } from './errors.js';
import { HookedObjectStore, InterceptOnce, isHeadCas } from './test/hooked-object-store.js';
import { commitEntries as commit } from './test/commit-entries.js';
import { simulate } from './test/simulation.js';
import { Manifest } from './manifest.js';
import { MemoryObjectStore } from './stores/memory-object-store.js';
import { decodeGcPlan, EMPTY_GC_PLAN, encodeGcPlan } from './wire.js';
import { decodeUtf8 } from './json.js';

type V = string | number;

const zeroTtl = { retention: { checkpointsMinTtlMs: 0, segmentsMinTtlMs: 0 } };

describe('GcPlan (reference gc.rs)', () => {
  it('empty_by_default: the default plan is empty and round-trips', () => {
    const bytes = encodeGcPlan(EMPTY_GC_PLAN);
    expect(decodeUtf8(bytes)).toBe(
      '{"against_head_tag":null,"not_before":0,"delete_segments":[],"delete_checkpoints":[],"make_checkpoints":[]}',
    );
    expect(decodeGcPlan(bytes)).toEqual(EMPTY_GC_PLAN);
  });

  it('decodes strictly, as serde without defaults: a plan missing a field is corrupt', () => {
    expect(() => decodeGcPlan(new TextEncoder().encode('{"against_head_tag":null,"not_before":0}'))).toThrow(/gc plan decode: `delete_segments` must be an array/);
    expect(() => decodeGcPlan(new TextEncoder().encode('{"not_before":0,"delete_segments":[],"delete_checkpoints":[],"make_checkpoints":[]}'))).toThrow(
      /missing field `against_head_tag`/,
    );
  });

  it('mem_gc_plan_store_semantics', () =>
    simulate(async ({ manifest }) => {
      const plans = manifest.parts.gcPlan;
      expect(await plans.load()).toBeNull();
      const t1 = await plans.put(EMPTY_GC_PLAN, { ifNoneMatch: '*' });
      await expect(plans.put(EMPTY_GC_PLAN, { ifNoneMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailedError);
      await expect(plans.put(EMPTY_GC_PLAN, { ifMatch: '"bad"' })).rejects.toBeInstanceOf(PreconditionFailedError);
      const t2 = await plans.put({ ...EMPTY_GC_PLAN, not_before: 5 }, { ifMatch: t1 });
      expect(t2).not.toBe(t1);
      expect((await plans.load())?.tag).toBe(t2);
    }));
});

describe('Compactor (reference compactor.rs)', () => {
  it('headless_compactor_invokes_manifest_logic: run_once on another, empty prefix is fine', () =>
    simulate<void, string, V>(async ({ manifest, open }) => {
      await commit(manifest, { a: 1 });
      const empty = open({ prefix: 'elsewhere' });
      await expect(empty.compactor().runOnce()).resolves.toBeUndefined();
      // On an empty prefix compaction publishes an empty checkpoint and a HEAD without segments.
      expect((await empty.parts.head.load())?.head).toEqual({
        version: 1,
        checkpoint_id: 'ckpt-00000000000000000000',
        last_segment_seq: null,
        last_txn_id: 0,
      });
    }));

  it('compute_plan_no_head_or_no_leases_yields_none', () =>
    simulate<void, string, V>(async ({ manifest }) => {
      const c = manifest.compactor();
      expect(await c.gcCompute()).toBeNull(); // no HEAD
      await commit(manifest, { a: 1 });
      expect(await c.gcCompute()).toBeNull(); // no live lease
      expect(await manifest.parts.gcPlan.load()).toBeNull();
    }));

  it('gc_delete_and_reset_segment_failure_preserves_plan', () =>
    simulate<void, string, V>(async ({ store, clock }) => {
      let deletes = 0;
      const hooked = new HookedObjectStore(store, {
        before(req) {
          if (req.kind === 'DELETE' && req.key.includes('/segments/')) {
            deletes++;
            throw new FatalError('injected delete failure');
          }
        },
      });
      const m = new Manifest<string, V>({ store: hooked, prefix: 'test', clock, ...zeroTtl });
      await commit(m, { a: 1 });
      const planTag = await m.parts.gcPlan.put(
        { ...EMPTY_GC_PLAN, delete_segments: [{ start: 1, end: 1 }] },
        { ifNoneMatch: '*' },
      );
      await expect(m.compactor().gcDeleteAndReset()).rejects.toThrow('injected delete failure');
      expect(deletes).toBe(1);
      expect((await m.parts.gcPlan.load())?.tag).toBe(planTag);
    }));

  it('gc_delete_and_reset_checkpoint_failure_preserves_plan', () =>
    simulate<void, string, V>(async ({ store, clock }) => {
      let deletes = 0;
      const hooked = new HookedObjectStore(store, {
        before(req) {
          if (req.kind === 'DELETE' && req.key.includes('/checkpoints/')) {
            deletes++;
            throw new FatalError('injected delete failure');
          }
        },
      });
      const m = new Manifest<string, V>({ store: hooked, prefix: 'test', clock, ...zeroTtl });
      await commit(m, { a: 1 });
      const planTag = await m.parts.gcPlan.put(
        { ...EMPTY_GC_PLAN, delete_checkpoints: ['ckpt-00000000000000000001'] },
        { ifNoneMatch: '*' },
      );
      await expect(m.compactor().gcDeleteAndReset()).rejects.toThrow('injected delete failure');
      expect(deletes).toBe(1);
      expect((await m.parts.gcPlan.load())?.tag).toBe(planTag);
    }));

  it('compact_and_gc deletes covered segments when no lease pins them, and keeps the last 2 checkpoints', () =>
    simulate<void, string, V>(async ({ manifest, clock }) => {
      const m = manifest;
      const c = new Manifest<string, V>({ store: m.parts.store, prefix: 'test', clock, ...zeroTtl }).compactor();
      for (let i = 1; i <= 4; i++) {
        await commit(m, { [`k${i}`]: i });
        await clock.sleep(10);
        await c.compactAndGc();
      }
      expect(await m.parts.segments.listFrom(0, 100)).toEqual([]);
      const ids = (await m.parts.checkpoints.list()).map((x) => x.id);
      expect(ids).toEqual(['ckpt-00000000000000000003', 'ckpt-00000000000000000004']);
      expect(await m.scanLatest()).toEqual([['k1', 1], ['k2', 2], ['k3', 3], ['k4', 4]]);
    }));

  it('compact_and_gc keeps segments a live lease still needs', () =>
    simulate<void, string, V>(async ({ manifest }) => {
      await commit(manifest, { a: 1 });
      await commit(manifest, { b: 2 });
      const reader = await manifest.sessionRead(); // leases txn 2
      await manifest.compactor().compactAndGc(); // ckpt lsn 2: watermark 2 is not > 2
      expect(await manifest.parts.segments.listFrom(0, 100)).toEqual([1, 2]);
      await reader.end();
      await manifest.compactor().compactAndGc();
      expect(await manifest.parts.segments.listFrom(0, 100)).toEqual([]);
    }));

  it('three-phase GC: compute, apply, delete-and-reset, then the plan never installs again (§6.6)', () =>
    simulate<void, string, V>(async ({ store, clock }) => {
      const m = new Manifest<string, V>({ store, prefix: 'test', clock, ...zeroTtl });
      const c = m.compactor();
      for (let i = 1; i <= 3; i++) await commit(m, { [`k${i}`]: i });
      await c.compactOnce();
      await commit(m, { k4: 4 });
      const pin = await m.sessionRead(); // leases txn 4
      const planTag = await c.gcCompute();
      expect(planTag).not.toBeNull();
      const plan = (await m.parts.gcPlan.load())?.plan;
      expect(plan?.delete_segments).toEqual([{ start: 1, end: 3 }]);
      expect(plan?.against_head_tag).toBe((await m.parts.head.load())?.tag);
      await c.gcApply(); // HEAD already references ckpt-3, which covers 3
      await c.gcDeleteAndReset();
      expect(await m.parts.segments.listFrom(0, 100)).toEqual([4]);
      expect((await m.parts.gcPlan.load())?.plan).toEqual(EMPTY_GC_PLAN);
      expect([await pin.get('k1'), await pin.get('k4')]).toEqual([1, 4]);
      await pin.end();
      const again = await m.sessionRead();
      expect(await c.gcCompute()).toBeNull(); // the reset plan object still exists
      await again.end();
    }));

  it('gc_apply re-points HEAD to a covering checkpoint, and resets the plan when HEAD moved', () =>
    simulate<void, string, V>(async ({ store, clock }) => {
      const m = new Manifest<string, V>({ store, prefix: 'test', clock, ...zeroTtl });
      const c = m.compactor();
      await commit(m, { a: 1 });
      await commit(m, { b: 2 });
      const { checkpointId } = await c.compactOnce();
      // Put HEAD back to no checkpoint, then plan a deletion covered only by ckpt-2.
      const cur = await m.parts.head.load();
      const tag = await m.parts.head.put({ ...cur!.head, checkpoint_id: null }, { ifMatch: cur!.tag });
      await m.parts.gcPlan.put(
        { ...EMPTY_GC_PLAN, against_head_tag: tag, delete_segments: [{ start: 1, end: 2 }] },
        { ifNoneMatch: '*' },
      );
      await c.gcApply();
      expect((await m.parts.head.load())?.head.checkpoint_id).toBe(checkpointId);
      // A plan against a stale HEAD tag is reset.
      const planNow = await m.parts.gcPlan.load();
      await m.parts.gcPlan.put(
        { ...EMPTY_GC_PLAN, against_head_tag: '"stale"', delete_segments: [{ start: 1, end: 2 }] },
        { ifMatch: planNow!.tag },
      );
      await c.gcApply();
      expect((await m.parts.gcPlan.load())?.plan).toEqual(EMPTY_GC_PLAN);
    }));

  it('compact_once loses to a concurrent HEAD change with PreconditionFailed, leaving its checkpoint behind', async () => {
    const store = new MemoryObjectStore();
    const hooked = new InterceptOnce(store, isHeadCas);
    const m = new Manifest<string, V>({ store, prefix: 'p' });
    await commit(m, { a: 1 });
    const c = new Manifest<string, V>({ store: hooked, prefix: 'p' }).compactor();
    hooked.arm(async () => {
      await commit(m, { b: 2 });
    });
    await expect(c.compactOnce()).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(store.dump().map((o) => o.key)).toContain('p/checkpoints/ckpt-00000000000000000001.meta.json');
    expect((await m.parts.head.load())?.head.checkpoint_id).toBeNull();
  });
});
