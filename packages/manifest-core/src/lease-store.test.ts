import { describe, expect, it } from 'vitest';
import { TransientError } from './errors.js';
import { simulate } from './test/simulation.js';
import { HookedObjectStore } from './test/hooked-object-store.js';
import { MemoryObjectStore } from './stores/memory-object-store.js';
import { VirtualClock } from './clock/virtual-clock.js';
import { Manifest } from './manifest.js';

/** Lease unit tests of the reference (lease/mod.rs, §5.2). */
describe('LeaseStore', () => {
  it('mem_lease_ttl_and_min_watermark', () =>
    simulate(async ({ manifest, clock }) => {
      const leases = manifest.parts.leases;
      const a = await leases.create(100, null, 60_000);
      await clock.sleep(1); // a distinct millisecond, so no id collision
      const b = await leases.create(50, null, 60_000);
      const active = await leases.listActive(0);
      expect(active.map((l) => l.snapshotTxnId).sort((x, y) => x - y)).toEqual([50, 100]);
      expect(Math.min(...active.map((l) => l.snapshotTxnId))).toBe(50);
      await leases.heartbeat(a, 60_000);
      expect(await leases.listActive(Number.MAX_SAFE_INTEGER)).toEqual([]);
      await leases.release(a);
      await leases.release(b);
      expect(await leases.listActive(0)).toEqual([]);
    }));

  it('lease_first_attempt_success_no_retry_suffix', () =>
    simulate(async ({ manifest, clock }) => {
      const lease = await manifest.parts.leases.create(1, null, 1000);
      expect(lease.id).toBe(`lease-${clock.wallNow()}`);
      expect(lease.id).toMatch(/^lease-\d+$/);
    }));

  it('lease_retry_on_transient_errors: two injected timeouts give an id ending in -2', async () => {
    const clock = new VirtualClock();
    let failures = 2;
    const store = new HookedObjectStore(new MemoryObjectStore(), {
      before(req) {
        if (req.kind === 'CPUT' && req.key.includes('/leases/') && failures > 0) {
          failures--;
          throw new TransientError('timed out');
        }
      },
    });
    const m = new Manifest({ store, prefix: 't', clock });
    const lease = await clock.run(() => m.parts.leases.create(1, null, 1000));
    expect(lease.id).toMatch(/^lease-\d+-2$/);
  });

  it('lease_retry_exhaustion: with max 2 retries, persistent failures surface', async () => {
    const clock = new VirtualClock();
    let attempts = 0;
    const store = new HookedObjectStore(new MemoryObjectStore(), {
      before(req) {
        if (req.kind === 'CPUT') {
          attempts++;
          throw new TransientError('timed out');
        }
      },
    });
    const m = new Manifest({ store, prefix: 't', clock, backoff: { maxRetries: 2 } });
    await expect(clock.run(() => m.parts.leases.create(1, null, 1000))).rejects.toBeInstanceOf(TransientError);
    expect(attempts).toBe(3);
  });

  it('retries an id collision (412) with a suffixed id, as the crate does by accident', () =>
    simulate(async ({ manifest }) => {
      const a = await manifest.parts.leases.create(1, null, 1000);
      const b = await manifest.parts.leases.create(1, null, 1000);
      expect(b.id).not.toBe(a.id);
      expect(b.id).toMatch(/^lease-\d+-1$/);
    }));

  it('heartbeat of a missing lease is corrupt; list_active fails if a lease vanishes mid-listing', () =>
    simulate(async ({ manifest, store }) => {
      const lease = await manifest.parts.leases.create(1, null, 1000);
      await manifest.parts.leases.release(lease);
      await expect(manifest.parts.leases.heartbeat(lease, 1000)).rejects.toThrow('lease missing');
      const other = await manifest.parts.leases.create(2, null, 1000);
      const racing = new HookedObjectStore(store, {
        async before(req) {
          if (req.kind === 'GET' && req.key.includes('/leases/')) await store.delete(req.key);
        },
      });
      const m2 = new Manifest({ store: racing, prefix: 'test', clock: manifest.runtime.clock });
      await expect(m2.parts.leases.listActive(0)).rejects.toThrow(/vanished/);
      expect(other.snapshotTxnId).toBe(2);
    }));
});
