/**
 * The public API as other packages and outside checks use it: imported by package name, so the
 * `exports` map and the built output are exercised too (turbo builds before testing).
 */
import { describe, expect, it } from 'vitest';
import {
  Manifest,
  MemoryObjectStore,
  PreconditionFailedError,
  RealClock,
  VirtualClock,
} from '@manifest-lab/manifest-core';
import { simulate } from '@manifest-lab/manifest-core/test';

describe('public API (issue example)', () => {
  it('runs the documented example on RealClock', async () => {
    const store = new MemoryObjectStore();
    const m = new Manifest({ store, prefix: 'demo', clock: new RealClock() });
    const w = await m.sessionWrite();
    w.put('k', 1);
    w.delete('j');
    await w.commit();
    const r = await m.sessionRead();
    expect(await r.get('k')).toBe(1);
    expect(await r.scan()).toEqual([['k', 1]]);
    await r.end();
    expect((await m.snapshot()).txnId).toBe(1);
    expect(await m.getLatest('k')).toBe(1);
    expect(await m.scanLatest()).toEqual([['k', 1]]);
    expect(await m.recoverOrphans()).toBe(0);
    const c = m.compactor();
    expect((await c.compactOnce()).checkpointId).toBe('ckpt-00000000000000000001');
    expect((await c.compactAndGc()).checkpointId).toBe('ckpt-00000000000000000001');
    expect(await m.getLatest('k')).toBe(1);
  });

  it('exposes PreconditionFailedError and the simulation helpers', async () => {
    const err = await simulate(async ({ manifest }) => {
      const a = await manifest.sessionWrite();
      const b = await manifest.sessionWrite();
      await a.commit();
      return b.commit().catch((e: unknown) => e);
    });
    expect(err).toBeInstanceOf(PreconditionFailedError);
    expect(new VirtualClock().now()).toBe(0);
  });
});
