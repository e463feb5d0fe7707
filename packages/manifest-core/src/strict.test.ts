/**
 * The `strict` profile's fixes, each next to the hazard it removes: every scenario runs under
 * `fusio-0.5` (where hazards.test.ts's setups show the hazard) and under `strict` (where it is
 * gone), in virtual time.
 */
import { describe, expect, it } from 'vitest';
import { AmbiguousError, PreconditionFailedError, TimeoutError, TransientError, UnimplementedError } from './errors.js';
import { Manifest } from './manifest.js';
import type { Profile } from './profile.js';
import { HookedObjectStore, InterceptOnce, isHeadCas } from './test/hooked-object-store.js';
import { simulate } from './test/simulation.js';
import { decodeSegment } from './wire.js';

const isSegmentPut = (req: { kind: string; key: string }) => req.kind === 'CPUT' && req.key.includes('/segments/');
const leaseCount = (store: { dump(): { key: string }[] }) => store.dump().filter((o) => o.key.includes('/leases/')).length;

describe('§6.9 error paths release the lease under strict', () => {
  for (const [profile, leaked] of [
    ['fusio-0.5', 1],
    ['strict', 0],
  ] as const) {
    it(`${profile}: a failed HEAD load in commit and a failed getLatest/scanLatest leave ${leaked} lease(s) each`, () =>
      simulate<void, string, number>(
        async ({ manifest, store, clock }) => {
          const w0 = await manifest.sessionWrite();
          w0.put('k', 1);
          await w0.commit();
          let fail: (req: { kind: string; key: string }) => boolean = () => false;
          const faulty = new HookedObjectStore(store, {
            before(req) {
              if (fail(req)) throw new TransientError('injected');
            },
          });
          const m = new Manifest<string, number>({ store: faulty, prefix: 'test', clock, profile, backoff: { maxElapsedMs: 1 } });
          const w = await m.sessionWrite();
          w.put('k', 2);
          await clock.sleep(5);
          // fusio 0.5's commit fails at its HEAD GET; strict's (commitFromSnapshot) makes none,
          // and fails once its segment PUT has been tried: outcome unknown.
          fail = (req) => req.key.endsWith('/HEAD.json') || req.key.includes('/segments/');
          await expect(w.commit()).rejects.toBeInstanceOf(profile === 'fusio-0.5' ? TransientError : AmbiguousError);
          fail = () => false;
          expect(leaseCount(store)).toBe(leaked);

          fail = (req) => req.kind === 'GET' && req.key.includes('/segments/');
          await expect(m.getLatest('k')).rejects.toBeInstanceOf(TransientError);
          await expect(m.scanLatest()).rejects.toBeInstanceOf(TransientError);
          fail = () => false;
          expect(leaseCount(store)).toBe(3 * leaked);
        },
        { manifest: { profile } },
      ));
  }
});

describe('§6.1 a commit reported failed is not published under strict', () => {
  const outcomes: Record<Profile, { lostHead: string; lostSeg: string; ckpt: string; counter: number }> = {
    'fusio-0.5': { lostHead: 'PreconditionFailedError', lostSeg: 'PreconditionFailedError', ckpt: 'PreconditionFailedError', counter: 2 },
    strict: { lostHead: 'ok', lostSeg: 'ok', ckpt: 'ok', counter: 1 },
    'strict-rebase': { lostHead: 'ok', lostSeg: 'ok', ckpt: 'ok', counter: 1 },
  };
  const settle = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (err: unknown) => (err as Error).name,
    );

  for (const profile of ['fusio-0.5', 'strict', 'strict-rebase'] as const) {
    const want = outcomes[profile];

    it(`${profile}: a lost HEAD-CAS answer is reported as ${want.lostHead}`, () =>
      simulate<void, string, number>(
        async ({ manifest, store, clock }) => {
          let lose = true;
          const lossy = new HookedObjectStore(store, {
            after(req) {
              if (lose && isHeadCas(req)) {
                lose = false;
                throw new TimeoutError('answer lost');
              }
            },
          });
          const a = new Manifest<string, number>({ store: lossy, prefix: 'test', clock, profile });
          const w = await a.sessionWrite();
          w.put('counter', 1);
          expect(await settle(w.commit())).toBe(want.lostHead);
          expect(await manifest.getLatest('counter')).toBe(1); // published either way
        },
        { manifest: { profile } },
      ));

    it(`${profile}: a lost segment-PUT answer is reported as ${want.lostSeg}`, () =>
      simulate<void, string, number>(
        async ({ manifest, store, clock }) => {
          let lose = true;
          const lossy = new HookedObjectStore(store, {
            after(req) {
              if (lose && isSegmentPut(req)) {
                lose = false;
                throw new TimeoutError('answer lost');
              }
            },
          });
          const a = new Manifest<string, number>({ store: lossy, prefix: 'test', clock, profile });
          const increment = async () => {
            const w = await a.sessionWrite();
            w.put('counter', ((await w.get('counter')) ?? 0) + 1);
            return w.commit();
          };
          const first = await settle(increment());
          expect(first).toBe(want.lostSeg);
          if (first !== 'ok') await increment(); // the client's retry after a "conflict"
          expect(await manifest.getLatest('counter')).toBe(want.counter);
        },
        { manifest: { profile } },
      ));

    it(`${profile}: a checkpoint published mid-commit: reported ${want.ckpt}, counter ends at ${want.counter}`, () =>
      simulate<void, string, number>(
        async ({ manifest: other, store, clock }) => {
          const seed = await other.sessionWrite();
          seed.put('counter', 0);
          await seed.commit();
          const aStore = new InterceptOnce(store, isHeadCas, async () => {
            await other.compactor().compactOnce();
          });
          const a = new Manifest<string, number>({ store: aStore, prefix: 'test', clock, profile });
          const increment = async () => {
            const w = await a.sessionWrite();
            w.put('counter', ((await w.get('counter')) ?? 0) + 1);
            return w.commit();
          };
          const first = await settle(increment());
          expect(first).toBe(want.ckpt);
          if (first !== 'ok') await increment();
          expect(await other.getLatest('counter')).toBe(want.counter);
        },
        { manifest: { profile } },
      ));
  }

  it('strict: a writer stalled past its lease TTL whose segment was adopted is told it committed', () =>
    simulate<void, string, number>(
      async ({ manifest: other, store, clock }) => {
        const seed = await other.sessionWrite();
        seed.put('counter', 0);
        await seed.commit();
        // A stalls in the whole process (its keeper cannot renew either) between segment and HEAD CAS.
        let frozen = false;
        const aStore = new HookedObjectStore(store, {
          async before(req) {
            if (frozen) await new Promise<void>(() => undefined);
            if (isHeadCas(req)) {
              frozen = true;
              await clock.sleep(61_000);
              frozen = false;
            }
          },
        });
        const a = new Manifest<string, number>({ store: aStore, prefix: 'test', clock, profile: 'strict' });
        const w = await a.sessionWrite();
        w.put('counter', ((await w.get('counter')) ?? 0) + 1);
        const outcome = settle(w.commit());
        await clock.sleep(60_500);
        expect(await other.recoverOrphans()).toBe(1); // strict sessions recover lazily: ask
        const b = await other.sessionWrite();
        expect(b.snapshot.txnId).toBe(2); // adopted
        await b.end();
        expect(await outcome).toBe('ok');
        expect(await other.getLatest('counter')).toBe(1);
      },
      { manifest: { profile: 'strict' } },
    ));

  it('strict: a genuine conflict is still PreconditionFailed, and an uncheckable outcome is AmbiguousError', () =>
    simulate<void, string, number>(
      async ({ manifest, store, clock }) => {
        const a = await manifest.sessionWrite();
        const b = await manifest.sessionWrite();
        a.put('x', 1);
        b.put('x', 2);
        await a.commit();
        await expect(b.commit()).rejects.toBeInstanceOf(PreconditionFailedError);

        // Every read after the segment PUT fails: the writer cannot tell, so it says so.
        let broken = false;
        const faulty = new HookedObjectStore(store, {
          before(req) {
            if (broken && req.kind === 'GET') throw new TransientError('down');
          },
          after(req) {
            if (isSegmentPut(req)) {
              broken = true;
              throw new TimeoutError('answer lost');
            }
          },
        });
        const c = new Manifest<string, number>({ store: faulty, prefix: 'test', clock, profile: 'strict', backoff: { maxElapsedMs: 1_000 } });
        const w = await c.sessionWrite();
        w.put('x', 3);
        await expect(w.commit()).rejects.toBeInstanceOf(AmbiguousError);
        broken = false;
        expect(leaseCount(store)).toBe(0);
        // The segment carries the writer stamp; fusio 0.5's decoder (serde) ignores the extra fields.
        const seg = store.dump().find((o) => o.key.endsWith('seg-00000000000000000002.json'));
        const doc = decodeSegment(seg?.body as Uint8Array);
        expect(doc.writer?.lease).toMatch(/^lease-/);
        expect(doc.writer?.nonce).toMatch(/^[0-9a-f]{16}$/);
      },
      { manifest: { profile: 'strict' } },
    ));
});

describe('the adoption race (§9.1): recovery re-checks leases after listing segments under strict', () => {
  for (const [profile, want] of [
    ['fusio-0.5', { adopted: 1, outcome: 'PreconditionFailedError' }],
    ['strict', { adopted: 0, outcome: 'ok' }],
  ] as const) {
    it(`${profile}: a writer leased after recovery's lease listing ${want.adopted ? 'is' : 'is not'} adopted mid-commit`, () =>
      simulate<void, string, number>(
        async ({ manifest: other, store, clock }) => {
          const seed = await other.sessionWrite();
          seed.put('x', 0);
          await seed.commit();
          // A stalls its HEAD CAS until the recovery below has finished.
          let recovered: () => void = () => undefined;
          const done = new Promise<void>((r) => {
            recovered = r;
          });
          const a = new Manifest<string, number>({
            store: new InterceptOnce(store, isHeadCas, () => done),
            prefix: 'test',
            clock,
            profile,
          });
          // R lists leases before A has one; its segment listing waits until A's segment is stored.
          let segmentStored: () => void = () => undefined;
          const stored = new Promise<void>((r) => {
            segmentStored = r;
          });
          const rStore = new InterceptOnce(store, (req) => req.kind === 'LIST' && req.key.includes('segments'), () => stored);
          const r = new Manifest<string, number>({ store: rStore, prefix: 'test', clock, profile });
          const recovery = r.recoverOrphans();
          await clock.sleep(1);
          const w = await a.sessionWrite();
          w.put('x', 1);
          const commit = w.commit().then(
            () => 'ok',
            (err: unknown) => (err as Error).name,
          );
          while (!store.dump().some((o) => o.key.endsWith('seg-00000000000000000002.json'))) await clock.sleep(1);
          segmentStored();
          expect(await recovery).toBe(want.adopted);
          recovered();
          expect(await commit).toBe(want.outcome);
          expect(await other.getLatest('x')).toBe(1);
        },
        { manifest: { profile } },
      ));
  }
});

describe('§6.2 a crashed writer blocks the others for about the write-lease TTL under strict', () => {
  // [profile, another writer mid-session meanwhile, blocked ms: [min, max]]
  const cases: [Profile, boolean, [number, number]][] = [
    ['fusio-0.5', false, [59_000, 61_500]], // the 60 s lease TTL
    ['fusio-0.5', true, [59_000, 61_500]],
    ['strict', false, [2_500, 5_500]], // writeLeaseTtlMs 3 s (+ the clock-skew margin)
    ['strict', true, [2_500, 5_500]],
  ];
  for (const [profile, busyWriter, [min, max]] of cases) {
    it(`${profile}${busyWriter ? ', with a concurrent writer' : ''}: blocked for ${min / 1000}–${max / 1000} s`, () =>
      simulate<void, string, number>(
        async ({ manifest, store, clock }) => {
          let dead = false;
          const crash = new HookedObjectStore(store, {
            before(req) {
              if (dead || isHeadCas(req)) {
                dead = true; // the process dies at its HEAD CAS: nothing it sends arrives any more
                return new Promise<void>(() => undefined);
              }
            },
          });
          const deadManifest = new Manifest<string, number>({ store: crash, prefix: 'test', clock, profile });
          const w = await deadManifest.sessionWrite();
          w.put('x', 1);
          void w.commit();
          await clock.sleep(1);
          const crashedAt = clock.now();
          let blocked = Number.POSITIVE_INFINITY;
          while (clock.now() - crashedAt < 90_000) {
            const busy = busyWriter ? await manifest.sessionWrite() : null;
            const other = await manifest.sessionWrite();
            other.put('y', 9);
            const ok = await other.commit().then(
              () => true,
              (err: unknown) => {
                if (!(err instanceof PreconditionFailedError)) throw err;
                return false;
              },
            );
            await busy?.end();
            if (ok) {
              blocked = clock.now() - crashedAt;
              break;
            }
            await clock.sleep(250);
          }
          expect(blocked).toBeGreaterThanOrEqual(min);
          expect(blocked).toBeLessThanOrEqual(max);
          if (blocked !== Number.POSITIVE_INFINITY) {
            expect([await manifest.getLatest('x'), await manifest.getLatest('y')]).toEqual([1, 9]);
          }
        },
        { manifest: { profile } },
      ));
  }
});

describe('§6.1 under strict: a writer recognises only its own segment', () => {
  it('two processes on the same seed (same nonces) racing for one seq: every commit reported is visible', () =>
    simulate<void, string, number>(async ({ store, clock }) => {
      // Both manifests get the default random (SeededRandom(0)): their nonces are equal.
      // A's HEAD CAS is held back, so B's segment PUT meets A's unpublished segment at the same seq.
      const slowCas = new HookedObjectStore(store, {
        async before(req) {
          if (isHeadCas(req)) await clock.sleep(500);
        },
      });
      const a = new Manifest<string, number>({ store: slowCas, prefix: 'test', clock, profile: 'strict' });
      const b = new Manifest<string, number>({ store, prefix: 'test', clock, profile: 'strict' });
      const wa = await a.sessionWrite();
      const wb = await b.sessionWrite();
      wa.put('a', 1);
      wb.put('b', 1);
      const [ra, rb] = await Promise.allSettled([wa.commit(), clock.sleep(100).then(() => wb.commit())]);
      const committed = [ra, rb].filter((r) => r.status === 'fulfilled').length;
      const visible = await a.scanLatest();
      // Every commit reported is visible: as many keys as successes, never one success lost.
      expect(visible.length).toBe(committed);
      expect(committed).toBeGreaterThanOrEqual(1);
      const loser = [ra, rb].find((r) => r.status === 'rejected');
      if (loser !== undefined) expect((loser as PromiseRejectedResult).reason).toBeInstanceOf(PreconditionFailedError);
    }));
});

describe('strict write sessions: their lease, their keeper, odd orphans', () => {
  it('a write session nobody ends stops renewing its lease after a session lease TTL', () =>
    simulate<void, string, number>(
      async ({ manifest, store, clock }) => {
        const forgotten = await manifest.sessionWrite();
        forgotten.put('k', 1);
        await clock.sleep(30_000);
        expect(await manifest.parts.leases.listActive(clock.wallNow())).toHaveLength(1); // renewed
        await clock.sleep(30_000 + 3_000 + 1_000 + 1);
        expect(await manifest.parts.leases.listActive(clock.wallNow())).toHaveLength(0);
        const before = store.requestCounts();
        await clock.sleep(60_000);
        expect(store.requestCounts()).toEqual(before); // no keeper is left running
      },
      { manifest: { profile: 'strict' } },
    ));

  it("heartbeat() renews a write lease for the write TTL, and a second keeper is refused", () =>
    simulate<void, string, number>(
      async ({ manifest, clock }) => {
        const w = await manifest.sessionWrite();
        await clock.sleep(500);
        await w.heartbeat();
        const [lease] = await manifest.parts.leases.listActive(clock.wallNow());
        expect(lease?.expiresAtMs).toBe(clock.wallNow() + 3_000);
        expect(() => w.startLeaseKeeper()).toThrow(UnimplementedError);
        await w.end();
      },
      { manifest: { profile: 'strict' } },
    ));

  it('recovery stops at an orphan it cannot decode instead of failing', () =>
    simulate<void, string, number>(
      async ({ manifest, store }) => {
        const w0 = await manifest.sessionWrite();
        w0.put('k', 1);
        await w0.commit();
        await manifest.parts.segments.putNext(2, 2, new TextEncoder().encode('{not json'));
        expect(await manifest.recoverOrphans()).toBe(0);
        expect((await manifest.parts.head.load())?.head.last_segment_seq).toBe(1);
        expect(store.size).toBeGreaterThan(0);
      },
      { manifest: { profile: 'strict' } },
    ));
});
