/**
 * `strict-rebase` (`rebaseOnConflict`, reference §6.3): a HEAD-CAS conflict with no data
 * conflict behind it re-sequences the transaction instead of failing it. Each scenario runs under
 * every profile; `fusio-0.5` and `strict` keep failing the false conflicts, in virtual time.
 */
import { describe, expect, it } from 'vitest';
import { PreconditionFailedError } from './errors.js';
import { Manifest } from './manifest.js';
import { diffRequestCounts } from './ports/object-store.js';
import { PROFILE_RULES, PROFILES, type Profile } from './profile.js';
import { commitEntries } from './test/commit-entries.js';
import { HookedObjectStore, isHeadCas } from './test/hooked-object-store.js';
import { type SimWorld, simulate } from './test/simulation.js';
import { decodeSegment } from './wire.js';

type World = SimWorld<string, number>;
const settle = (p: Promise<unknown>) =>
  p.then(
    (r) => ({ ok: true as const, r }),
    (err: unknown) => ({ ok: false as const, err }),
  );
const segmentKeys = (w: World) => w.store.dump().filter((o) => o.key.includes('/segments/'));

/** Seed a=0, b=0; open A and B at the same snapshot; `setup` stages their work; A commits, then B. */
async function race(
  world: World,
  setupA: (s: Awaited<ReturnType<Manifest<string, number>['sessionWrite']>>) => Promise<void>,
  setupB: (s: Awaited<ReturnType<Manifest<string, number>['sessionWrite']>>) => Promise<void>,
) {
  await commitEntries(world.manifest, { a: 0, b: 0, c: 0 });
  const a = await world.manifest.sessionWrite();
  const b = await world.open().sessionWrite();
  await setupA(a);
  await setupB(b);
  const ra = await a.commit();
  const rb = await settle(b.commit());
  return { ra, rb, latest: await world.manifest.scanLatest() };
}

/** B's commit failed on a real conflict and only A's write (a = 1) is visible. */
function expectBLost(rb: Awaited<ReturnType<typeof race>>['rb'], latest: [string, number][]): void {
  expect(rb.ok).toBe(false);
  if (!rb.ok) expect(rb.err).toBeInstanceOf(PreconditionFailedError);
  expect(latest).toEqual([
    ['a', 1],
    ['b', 0],
    ['c', 0],
  ]);
}

const rebases = (profile: Profile) => PROFILE_RULES[profile].rebaseOnConflict;

describe('rebaseOnConflict: false conflicts commit, real ones fail', () => {
  for (const profile of PROFILES) {
    it(`${profile}: writers on disjoint keys ${rebases(profile) ? 'both commit' : 'conflict'}`, () =>
      simulate<void, string, number>(
        async (world) => {
          const { ra, rb, latest } = await race(
            world,
            async (s) => s.put('a', ((await s.get('a')) ?? 0) + 1),
            async (s) => s.put('b', ((await s.get('b')) ?? 0) + 1),
          );
          expect(ra.txnId).toBe(2);
          if (rebases(profile)) {
            expect(rb.ok).toBe(true);
            if (rb.ok) expect(rb.r).toMatchObject({ txnId: 3, segmentSeq: 3 });
            expect(latest).toEqual([
              ['a', 1],
              ['b', 1],
              ['c', 0],
            ]);
            // The rebased segment carries the new txn id; no segment is left unpublished.
            const segs = segmentKeys(world);
            expect(segs.map((o) => decodeSegment(o.body).txn_id)).toEqual([1, 2, 3]);
            expect(await world.open().recoverOrphans()).toBe(0);
          } else {
            expectBLost(rb, latest);
          }
        },
        { manifest: { profile } },
      ));

    it(`${profile}: writers that read the same key conflict`, () =>
      simulate<void, string, number>(
        async (world) => {
          const { rb, latest } = await race(
            world,
            async (s) => s.put('a', ((await s.get('a')) ?? 0) + 1),
            async (s) => s.put('a', ((await s.get('a')) ?? 0) + 10),
          );
          expectBLost(rb, latest);
          expect(segmentKeys(world)).toHaveLength(2); // the loser stored nothing
          expect(await world.open().recoverOrphans()).toBe(0);
        },
        { manifest: { profile } },
      ));

    it(`${profile}: a blind write of a key another txn wrote ${rebases(profile) ? 'is ordered after it' : 'conflicts'}`, () =>
      simulate<void, string, number>(
        async (world) => {
          const { rb, latest } = await race(
            world,
            async (s) => s.put('a', ((await s.get('a')) ?? 0) + 1),
            async (s) => {
              s.put('a', 7); // no read: nothing B saw is stale
              expect(await s.getLocal('a')).toBe(7); // read of its own write: not a snapshot read
            },
          );
          expect(rb.ok).toBe(rebases(profile));
          expect(latest[0]).toEqual(['a', rebases(profile) ? 7 : 1]);
        },
        { manifest: { profile } },
      ));
  }

  const scans: [string, (s: Awaited<ReturnType<Manifest<string, number>['sessionWrite']>>) => Promise<unknown>, boolean][] = [
    ['a range holding the key', (s) => s.scanRange({ start: 'a', end: 'c' }), true],
    ['a range past the key', (s) => s.scanRange({ start: 'c' }), false],
    ['a range before the key', (s) => s.scanRange({ end: 'b' }), false],
    ['a full scan', (s) => s.scan(), true],
    ['scanLocal of a range holding the key', (s) => s.scanLocal({ start: 'b', end: 'ba' }), true],
    ['scanLocal of a range past the key', (s) => s.scanLocal({ start: 'bb' }), false],
    ['getLocal falling through to the snapshot', (s) => s.getLocal('b'), true],
  ];
  for (const [what, read, conflicts] of scans) {
    it(`strict-rebase: ${what} ${conflicts ? 'conflicts with' : 'does not conflict with'} a write of 'b'`, () =>
      simulate<void, string, number>(
        async (world) => {
          const { rb, latest } = await race(
            world,
            async (s) => s.put('b', 1),
            async (s) => {
              await read(s);
              s.put('z', 1);
            },
          );
          expect(rb.ok).toBe(!conflicts);
          if (!rb.ok) expect(rb.err).toBeInstanceOf(PreconditionFailedError);
          expect(latest.some(([k]) => k === 'z')).toBe(!conflicts);
        },
        { manifest: { profile: 'strict-rebase' } },
      ));
  }

  it('strict-rebase: a conflict found several commits after the snapshot still fails', () =>
    simulate<void, string, number>(
      async (world) => {
        await commitEntries(world.manifest, { a: 0, b: 0 });
        const w = await world.manifest.sessionWrite();
        w.put('x', (await w.get('b')) ?? 0);
        const other = world.open();
        await commitEntries(other, { c: 1 });
        await commitEntries(other, { d: 1 });
        await commitEntries(other, { b: 5 });
        await commitEntries(other, { e: 1 });
        await expect(w.commit()).rejects.toThrow(/txn 4 \(segment 4\) wrote "b"/);
      },
      { manifest: { profile: 'strict-rebase' } },
    ));
});

describe('rebaseOnConflict and the rest of the manifest', () => {
  it('strict-rebase: a checkpoint published between snapshot and commit is rebased over', () =>
    simulate<void, string, number>(
      async (world) => {
        await commitEntries(world.manifest, { a: 0, b: 0 });
        const w = await world.manifest.sessionWrite();
        w.put('a', ((await w.get('a')) ?? 0) + 1);
        const other = world.open();
        await commitEntries(other, { b: 1 });
        await other.compactor().compactOnce();
        await commitEntries(other, { c: 1 });
        const checkpointed = (await other.snapshot()).checkpointId;
        expect(checkpointed).not.toBeNull();
        await expect(w.commit()).resolves.toMatchObject({ txnId: 4, segmentSeq: 4 });
        const snap = await world.manifest.snapshot();
        expect(snap.checkpointId).toBe(checkpointed); // the HEAD it CASed against kept the checkpoint
        expect(await world.manifest.scanLatest()).toEqual([
          ['a', 1],
          ['b', 1],
          ['c', 1],
        ]);
      },
      { manifest: { profile: 'strict-rebase' } },
    ));

  it('strict-rebase: a compactor between the segment PUT and the HEAD CAS does not fail the commit', () =>
    simulate<void, string, number>(async (world) => {
      await commitEntries(world.manifest, { a: 0 });
      let compact: (() => Promise<unknown>) | undefined;
      const hooked = new HookedObjectStore(world.store, {
        async before(req) {
          if (compact !== undefined && isHeadCas(req)) {
            const c = compact;
            compact = undefined;
            await c();
          }
        },
      });
      const m = new Manifest<string, number>({ store: hooked, prefix: 'test', clock: world.clock, profile: 'strict-rebase' });
      const w = await m.sessionWrite();
      w.put('a', ((await w.get('a')) ?? 0) + 1);
      const other = world.open({ profile: 'strict-rebase' });
      compact = () => other.compactor().compactOnce();
      await expect(w.commit()).resolves.toMatchObject({ txnId: 2, segmentSeq: 2 });
      expect(await world.manifest.scanLatest()).toEqual([['a', 1]]);
    }));

  it('strict-rebase: segments gone since the snapshot (GC) make the conflict real', () =>
    simulate<void, string, number>(
      async (world) => {
        await commitEntries(world.manifest, { a: 0 });
        const w = await world.manifest.sessionWrite();
        w.put('a', ((await w.get('a')) ?? 0) + 1);
        await commitEntries(world.open(), { b: 1 });
        await commitEntries(world.open(), { c: 1 });
        // Seq 2 stays (so this writer's PUT there meets a 412), seq 3 is gone.
        await world.store.delete(world.manifest.parts.layout.segment(3));
        await expect(w.commit()).rejects.toThrow(/segment 3 is gone/);
      },
      { manifest: { profile: 'strict-rebase' } },
    ));

  for (const profile of PROFILES) {
    it(`${profile}: a seq held by an unpublished segment is ${rebases(profile) ? 'waited for, then rebased over' : 'a conflict'}`, () =>
      simulate<void, string, number>(async (world) => {
        await commitEntries(world.manifest, { a: 0, b: 0 });
        const slow = new HookedObjectStore(world.store, {
          async before(req) {
            if (isHeadCas(req)) await world.clock.sleep(50); // B's HEAD CAS lags its segment PUT
          },
        });
        const mb = new Manifest<string, number>({ store: slow, prefix: 'test', clock: world.clock, profile });
        const ma = world.open({ profile });
        const a = await ma.sessionWrite();
        const b = await mb.sessionWrite();
        a.put('a', ((await a.get('a')) ?? 0) + 1);
        b.put('b', ((await b.get('b')) ?? 0) + 1);
        const pb = b.commit();
        await world.clock.sleep(1); // B's segment 2 is stored; HEAD still says 1
        const ra = await settle(a.commit());
        await expect(pb).resolves.toMatchObject({ txnId: 2, segmentSeq: 2 });
        expect(ra.ok).toBe(rebases(profile));
        if (ra.ok) expect(ra.r).toMatchObject({ txnId: 3, segmentSeq: 3 });
        expect(await world.manifest.scanLatest()).toEqual([
          ['a', rebases(profile) ? 1 : 0],
          ['b', 1],
        ]);
      }));
  }
});

describe('request counts of a rebase (strict-rebase)', () => {
  for (const n of [0, 1, 3]) {
    it(`a commit rebased over ${n} segment(s) costs ${n} GET(s) more than an uncontended one`, () =>
      simulate<void, string, number>(
        async (world) => {
          await commitEntries(world.manifest, { a: 0 });
          const w = await world.manifest.sessionWrite();
          w.put('a', ((await w.get('a')) ?? 0) + 1);
          const other = world.open();
          for (let i = 0; i < n; i++) await commitEntries(other, { [`k${i}`]: i });
          const before = world.store.requestCounts();
          await w.commit();
          const counts = diffRequestCounts(world.store.requestCounts(), before);
          // Uncontended (commitFromSnapshot): segment CPUT, HEAD CPUT, lease DELETE. Rebased: the
          // segment CPUT meets a 412, a GET of that segment tells another writer's from our own
          // lost PUT, HEAD GET, n segment GETs (the rebase check), then the uncontended three.
          expect(counts).toEqual(
            n === 0
              ? { GET: 0, HEAD: 0, PUT: 0, CPUT: 2, LIST: 0, DELETE: 1 }
              : { GET: n + 2, HEAD: 0, PUT: 0, CPUT: 3, LIST: 0, DELETE: 1 },
          );
        },
        { manifest: { profile: 'strict-rebase' } },
      ));
  }

  it('a second rebase reads only the segments published since the first', () =>
    simulate<void, string, number>(
      async (world) => {
        await commitEntries(world.manifest, { a: 0 });
        const other = world.open();
        const segGets: number[] = [];
        let slipIn = true;
        const hooked = new HookedObjectStore(world.store, {
          async before(req) {
            const seq = /seg-0*(\d+)\.json$/.exec(req.key);
            if (seq !== null && req.kind === 'GET') segGets.push(Number(seq[1]));
            // Just before this writer's segment PUT at seq 3 (its first rebase), another commit takes seq 3.
            if (slipIn && req.kind === 'CPUT' && seq?.[1] === '3') {
              slipIn = false;
              await commitEntries(other, { c: 1 });
            }
          },
        });
        const m = new Manifest<string, number>({ store: hooked, prefix: 'test', clock: world.clock, profile: 'strict-rebase' });
        const w = await m.sessionWrite();
        w.put('a', ((await w.get('a')) ?? 0) + 1);
        await commitEntries(other, { b: 1 });
        segGets.length = 0;
        await expect(w.commit()).resolves.toMatchObject({ txnId: 4, segmentSeq: 4 });
        // Our PUT at 2 meets a 412 (a GET tells whose), rebase over 2; our PUT at 3 meets a 412
        // (GET), rebase over 3 only; the PUT at 4 lands and HEAD is CASed without another look.
        expect(segGets).toEqual([2, 2, 3, 3]);
        expect(await world.manifest.scanLatest()).toEqual([
          ['a', 1],
          ['b', 1],
          ['c', 1],
        ]);
      },
      { manifest: { profile: 'strict-rebase' } },
    ));
});
