/** The lease keeper (reference §2.8, keeper.rs) and its hazards (§6.8), in virtual time. */
import { describe, expect, it } from 'vitest';
import { UnimplementedError } from './errors.js';
import { keeperIntervalMs, LeaseKeeper } from './lease-keeper.js';
import { Manifest } from './manifest.js';
import { InterceptOnce, isHeadCas } from './test/hooked-object-store.js';
import { simulate } from './test/simulation.js';

const TTL = 2_000; // as in examples/step4_lease_keeper.rs

describe('LeaseKeeper', () => {
  it('heartbeats every max(ttl/2, 100 ms)', () => {
    expect(keeperIntervalMs(60_000)).toBe(30_000);
    expect(keeperIntervalMs(2_000)).toBe(1_000);
    expect(keeperIntervalMs(150)).toBe(100);
    expect(keeperIntervalMs(0)).toBe(100);
  });

  it('keeps a read lease alive past its TTL, and releases it on shutdown', () =>
    simulate(
      async ({ manifest, clock }) => {
        const active = () => manifest.parts.leases.listActive(clock.wallNow());
        const r = await manifest.sessionRead();
        const keeper = r.startLeaseKeeper();
        await clock.sleep(3 * TTL);
        expect(keeper.heartbeats).toBe(5); // at 1, 2, 3, 4, 5 s; the 6 s beat races the check
        expect(await active()).toHaveLength(1);
        const t = clock.now();
        await keeper.shutdown(); // waits out the current sleep, then releases
        expect(clock.now() - t).toBeLessThanOrEqual(keeperIntervalMs(TTL));
        expect(await active()).toHaveLength(0);
        await r.end();
      },
      { manifest: { retention: { leaseTtlMs: TTL } } },
    ));

  it('without a keeper the same lease expires', () =>
    simulate(
      async ({ manifest, clock }) => {
        const r = await manifest.sessionRead();
        await clock.sleep(TTL + 1);
        expect(await manifest.parts.leases.listActive(clock.wallNow())).toHaveLength(0);
        await r.end();
      },
      { manifest: { retention: { leaseTtlMs: TTL } } },
    ));

  it('a keeper protects a stalled writer from adoption (the fix suggested for §6.1)', () =>
    simulate<void, string, number>(
      async ({ manifest: other, store, clock }) => {
        const slow = new InterceptOnce(store, isHeadCas, () => clock.sleep(5 * TTL));
        const a = new Manifest<string, number>({ store: slow, prefix: 'test', clock, retention: { leaseTtlMs: TTL } });
        const w = await a.sessionWrite();
        await using keeper = w.startLeaseKeeper();
        w.put('x', 1);
        const committing = w.commit();
        await clock.sleep(3 * TTL);
        expect(await other.recoverOrphans()).toBe(0); // the writer's lease is still live
        expect(await committing).toMatchObject({ txnId: 1 });
        expect(keeper.heartbeats).toBeGreaterThan(0);
      },
      { manifest: { retention: { leaseTtlMs: TTL } } },
    ));

  it('§6.8: the keeper keeps running after end(), ignoring "lease missing"', () =>
    simulate(
      async ({ manifest, store, clock }) => {
        const r = await manifest.sessionRead();
        const keeper = r.startLeaseKeeper();
        await r.end();
        const gets = store.requestCounts().GET;
        await clock.sleep(3 * keeperIntervalMs(TTL) + 1);
        expect(store.requestCounts().GET - gets).toBe(3); // three failed heartbeats, each one GET
        expect(keeper.heartbeats).toBe(0);
        await keeper.shutdown();
      },
      { manifest: { retention: { leaseTtlMs: TTL } } },
    ));

  it('§6.8: a keeper that loses a heartbeat CAS deletes the lease another party just renewed', () =>
    simulate(
      async ({ manifest, store, clock }) => {
        const r = await manifest.sessionRead();
        const lease = { id: r.leaseId as string, snapshotTxnId: r.snapshot.txnId };
        // Just before the keeper's renewal lands, someone else renews the same lease.
        const racing = new InterceptOnce(
          store,
          (req) => req.kind === 'CPUT' && req.key.includes('/leases/'),
          () => manifest.parts.leases.heartbeat(lease, TTL),
        );
        const viaRacing = new Manifest({ store: racing, prefix: 'test', clock });
        const keeper = new LeaseKeeper(viaRacing.parts.leases, lease, TTL, clock);
        await keeper.done; // the 412 stops it, and it releases the lease on its way out
        expect(racing.fired).toBe(true);
        expect(keeper.heartbeats).toBe(0);
        expect(store.dump().map((o) => o.key)).not.toContain(`test/leases/${lease.id}.json`);
        await r.end();
      },
      { manifest: { retention: { leaseTtlMs: TTL } } },
    ));

  it('requires a positive TTL', () =>
    simulate(
      async ({ manifest }) => {
        const r = await manifest.sessionRead();
        expect(() => r.startLeaseKeeper()).toThrow(UnimplementedError);
        await r.end();
      },
      { manifest: { retention: { leaseTtlMs: 0 } } },
    ));

  it('a manual heartbeat after the lease is gone fails as corrupt', () =>
    simulate(async ({ manifest }) => {
      const r = await manifest.sessionRead();
      await manifest.parts.leases.release({ id: r.leaseId as string, snapshotTxnId: 0 });
      await expect(r.heartbeat()).rejects.toThrow('lease missing');
      await r.end();
    }));
});
