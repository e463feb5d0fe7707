/**
 * §6.4's last window, and a paused writer's PUT into a slot GC emptied: a session reads HEAD,
 * then PUTs its lease; GC that runs in between cannot see the lease. Under `strict` GC deletes
 * only what a checkpoint covers that this process saw HEAD name at least `segmentsMinTtlMs` ago,
 * reads never skip a missing segment (`SnapshotGoneError`), and a writer whose segment may be a
 * refill of an emptied slot is told the outcome is unknown, never "published".
 */
import { describe, expect, it } from 'vitest';
import { AmbiguousError, SnapshotGoneError } from './errors.js';
import { Manifest } from './manifest.js';
import { PROFILES, type Profile } from './profile.js';
import { commitEntries } from './test/commit-entries.js';
import { HookedObjectStore, type HookedRequest, InterceptOnce } from './test/hooked-object-store.js';
import { simulate } from './test/simulation.js';

type V = number;
const isLeasePut = (req: { kind: string; key: string }) => req.kind === 'CPUT' && req.key.includes('/leases/');
const GRACE_MS = 30_000 + 1_000; // segmentsMinTtlMs + maxClockSkewMs (the defaults)

describe('GC between a session HEAD GET and its lease PUT (§6.4 window)', () => {
  const expected: Record<Profile, string> = { 'fusio-0.5': 'wrong', strict: 'right', 'strict-rebase': 'right' };
  for (const profile of PROFILES) {
    it(`${profile}: getLatest is ${expected[profile]} when inline GC runs in the window`, () =>
      simulate<void, string, V>(
        async (world) => {
          for (let i = 1; i <= 3; i++) await commitEntries(world.manifest, { [`k${i}`]: i });
          const gc = world.open();
          // The reader is paused after its HEAD GET, before its lease PUT; a compactor round runs.
          const hooked = new InterceptOnce(world.store, isLeasePut, async () => {
            await gc.compactor().compactAndGc();
          });
          const reader = new Manifest<string, V>({ store: hooked, prefix: 'test', clock: world.clock, profile });
          const value = await reader.getLatest('k1');
          expect(hooked.fired).toBe(true);
          // fusio 0.5 deleted segments 1..3 under the reader: k1 reads as absent.
          expect(value).toBe(expected[profile] === 'right' ? 1 : undefined);
        },
        { manifest: { profile } },
      ));
  }

  it('strict: a session paused past the grace gets SnapshotGoneError, never a wrong value; getLatest retries', () =>
    simulate<void, string, V>(
      async (world) => {
        for (let i = 1; i <= 3; i++) await commitEntries(world.manifest, { [`k${i}`]: i });
        const gc = world.open();
        const round = () => gc.compactor().compactAndGc();
        const pauseThenGc = async () => {
          await round(); // publishes a checkpoint covering 1..3; deletes nothing yet
          await world.clock.sleep(GRACE_MS);
          await round(); // that checkpoint is now past the grace: 1..3 go
        };
        const hooked = new InterceptOnce(world.store, isLeasePut, pauseThenGc);
        const reader = new Manifest<string, V>({ store: hooked, prefix: 'test', clock: world.clock, profile: 'strict' });
        const session = await reader.sessionRead();
        expect(session.snapshot.checkpointId).toBeNull(); // read before the checkpoint
        await expect(session.get('k1')).rejects.toBeInstanceOf(SnapshotGoneError);
        await expect(session.scan()).rejects.toBeInstanceOf(SnapshotGoneError);
        await session.end();

        const again = new InterceptOnce(world.store, isLeasePut, pauseThenGc);
        const oneShot = new Manifest<string, V>({ store: again, prefix: 'test', clock: world.clock, profile: 'strict' });
        await commitEntries(world.manifest, { k4: 4 });
        expect(await oneShot.getLatest('k2')).toBe(2); // retried on a fresh snapshot
        expect(again.fired).toBe(true);
      },
      { manifest: { profile: 'strict' } },
    ));

  it('strict: inline GC deletes a checkpoint round later, once it is past the grace', () =>
    simulate<void, string, V>(
      async (world) => {
        for (let i = 1; i <= 3; i++) await commitEntries(world.manifest, { [`k${i}`]: i });
        const gc = world.open().compactor();
        const segs = () => world.store.dump().filter((o) => o.key.includes('/segments/')).length;
        await gc.compactAndGc();
        expect(segs()).toBe(3);
        await world.clock.sleep(GRACE_MS - 1);
        await gc.compactAndGc();
        expect(segs()).toBe(3);
        await world.clock.sleep(1);
        await gc.compactAndGc();
        expect(segs()).toBe(0);
      },
      { manifest: { profile: 'strict' } },
    ));
});

describe('a paused writer whose segment PUT refills a slot GC emptied', () => {
  for (const profile of ['strict', 'strict-rebase'] as const) {
    it(`${profile}: is told the outcome is unknown, not that it committed`, () =>
      simulate<void, string, V>(
        async (world) => {
          await commitEntries(world.manifest, { n: 0 });
          // The writer's whole process pauses (its keeper cannot renew) for 10 s before its commit.
          let pausedUntil = 0;
          const paused = new HookedObjectStore(world.store, {
            async before() {
              const left = pausedUntil - world.clock.now();
              if (left > 0) await world.clock.sleep(left);
            },
          });
          const m = new Manifest<string, V>({ store: paused, prefix: 'test', clock: world.clock, profile });
          const w = await m.sessionWrite(); // snapshot: seq 1
          w.put('n', ((await w.get('n')) ?? 0) + 100);
          pausedUntil = world.clock.now() + 10_000;
          // Meanwhile: two commits, a checkpoint over them, and GC of segments 1..3 (its lease lapsed).
          const other = world.open();
          await commitEntries(other, { n: 1 });
          await commitEntries(other, { n: 2 });
          await other.compactor().compactOnce();
          await world.clock.sleep(10_000);
          for (let seq = 1; seq <= 3; seq++) await world.store.delete(world.manifest.parts.layout.segment(seq));
          // Its PUT at seq 2 lands in the emptied slot; HEAD has long published another txn there.
          await expect(w.commit()).rejects.toBeInstanceOf(AmbiguousError);
          expect(await other.getLatest('n')).toBe(2);
        },
        { manifest: { profile } },
      ));
  }
});

/** A write session keeper's renewal: a conditional PUT (If-Match) of a lease. */
const isLeaseRenewal = (req: HookedRequest) =>
  req.kind === 'CPUT' && req.key.includes('/leases/') && req.options !== undefined && 'condition' in req.options && req.options.condition !== undefined && 'ifMatch' in req.options.condition;

describe('the lease chain a strict writer counts on', () => {
  it('a renewal that lands after the lease lapsed does not extend it: the refill is ambiguous, not committed', () =>
    simulate<void, string, V>(
      async (world) => {
        await commitEntries(world.manifest, { k1: 1 });
        const gc = world.open();
        let stage = 0;
        let landed!: () => void;
        const renewedLate = new Promise<void>((resolve) => {
          landed = resolve;
        });
        const hooked = new HookedObjectStore(world.store, {
          async before(req) {
            if (!isLeaseRenewal(req)) return;
            if (stage === 0 && world.clock.now() >= 32_000) {
              stage = 1;
              await world.clock.sleep(1_500); // slow, and in time
            } else if (stage === 1) {
              stage = 2;
              await world.clock.sleep(1_501); // lands past expiry + skew; GC runs meanwhile
              await gc.compactor().compactAndGc();
            }
          },
          after(req) {
            if (stage === 2 && isLeaseRenewal(req)) {
              stage = 3;
              landed();
            }
          },
        });
        const m = new Manifest<string, V>({ store: hooked, prefix: 'test', clock: world.clock, profile: 'strict' });
        const w = await m.sessionWrite(); // snapshot: seq 1
        await world.clock.sleep(100);
        await commitEntries(world.manifest, { k2: 2 }); // seq 2
        await gc.compactor().compactAndGc(); // a checkpoint over seq 2, sighted now
        await renewedLate;
        w.put('w', 99);
        // Its PUT refills seq 2, which GC emptied while its lease had lapsed.
        await expect(w.commit()).rejects.toBeInstanceOf(AmbiguousError);
        expect(await world.manifest.getLatest('w')).toBeUndefined();
        expect(await world.manifest.getLatest('k2')).toBe(2);
      },
      { manifest: { profile: 'strict' } },
    ));

  it("heartbeat() during the keeper's renewal waits for it: the keeper keeps renewing", () =>
    simulate<void, string, V>(
      async (world) => {
        let session: { heartbeat(): Promise<void> } | undefined;
        let user: Promise<void> | undefined;
        const hooked = new HookedObjectStore(world.store, {
          before(req) {
            // Between the keeper's GET and its PUT, the user renews too.
            if (user === undefined && session !== undefined && isLeaseRenewal(req)) user = session.heartbeat();
          },
        });
        const m = new Manifest<string, V>({ store: hooked, prefix: 'test', clock: world.clock, profile: 'strict' });
        const w = await m.sessionWrite();
        session = w;
        await world.clock.sleep(1_500);
        expect(user).toBeDefined();
        await expect(user).resolves.toBeUndefined();
        await world.clock.sleep(8_000);
        expect(await world.manifest.parts.leases.listActive(world.clock.wallNow())).toHaveLength(1);
        await w.end();
      },
      { manifest: { profile: 'strict' } },
    ));
});

describe('three-phase GC under strict', () => {
  it('plans checkpoint deletions (the grace is applied when they run)', () =>
    simulate<void, string, V>(
      async (world) => {
        const m = world.manifest;
        const c = m.compactor();
        for (let i = 1; i <= 5; i++) {
          await commitEntries(m, { [`k${i}`]: i });
          await c.compactOnce();
        }
        await world.clock.sleep(200_000);
        const pin = await m.sessionRead();
        expect(await c.gcCompute()).not.toBeNull();
        expect((await m.parts.gcPlan.load())?.plan.delete_checkpoints).toEqual(['ckpt-00000000000000000001', 'ckpt-00000000000000000002', 'ckpt-00000000000000000003']);
        await pin.end();
      },
      { manifest: { profile: 'strict' } },
    ));
});
