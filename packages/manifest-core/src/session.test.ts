/** session.rs unit tests and its deterministic_tests module (reference §5.2). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PreconditionFailedError } from './errors.js';
import { simulate } from './test/simulation.js';
import { encodeSegment } from './wire.js';

type V = string | number;

describe('sessions (reference session.rs)', () => {
  it('read_session_end_releases_lease', () =>
    simulate(async ({ manifest, clock }) => {
      const r = await manifest.sessionRead();
      expect(await manifest.parts.leases.listActive(clock.wallNow())).toHaveLength(1);
      await r.end();
      expect(await manifest.parts.leases.listActive(clock.wallNow())).toHaveLength(0);
    }));

  it('await using ends a forgotten session and releases its lease', () =>
    simulate(async ({ manifest, clock }) => {
      {
        await using r = await manifest.sessionRead();
        await using w = await manifest.sessionWrite();
        expect(r.isOpen && w.isOpen).toBe(true);
        expect(await manifest.parts.leases.listActive(clock.wallNow())).toHaveLength(2);
      }
      expect(await manifest.parts.leases.listActive(clock.wallNow())).toHaveLength(0);
    }));

  it('a closed session refuses further use', () =>
    simulate(async ({ manifest }) => {
      const w = await manifest.sessionWrite();
      w.put('k', 1);
      await w.commit();
      expect(() => w.put('k', 2)).toThrow(/already ended or committed/);
      await expect(w.commit()).rejects.toThrow(/already ended or committed/);
    }));

  it('write_session_commits_fail_with_stale_head', () =>
    simulate(async ({ manifest }) => {
      const w = await manifest.sessionWrite();
      w.put('k', 'v');
      await manifest.parts.head.put(
        { version: 1, checkpoint_id: null, last_segment_seq: null, last_txn_id: 0 },
        { ifNoneMatch: '*' },
      );
      await expect(w.commit()).rejects.toBeInstanceOf(PreconditionFailedError);
    }));

  it('write_session_commits_fail_with_conflict_last_segment', () =>
    simulate<void, string, V>(async ({ manifest }) => {
      const writer2 = await manifest.sessionWrite();
      writer2.put('k2', 'v2');
      // "Crashed writer1": an orphan at seq 1 / txn 1 with no lease.
      await manifest.parts.segments.putNext(
        1,
        1,
        encodeSegment({ txn_id: 1, records: [{ key: 'k1', op: 'Put', value: 'v1' }] }),
      );
      expect(await manifest.getLatest('k1')).toBeUndefined(); // reads never recover
      await expect(writer2.commit()).rejects.toBeInstanceOf(PreconditionFailedError);
      const w3 = await manifest.sessionWrite(); // adopts the orphan
      w3.put('k2', 'v2');
      await w3.commit();
      expect(await manifest.getLatest('k1')).toBe('v1');
      expect(await manifest.getLatest('k2')).toBe('v2');
    }));

  it('write_session_prevents_write_skew', () =>
    simulate<void, string, V>(async ({ manifest }) => {
      const seed = await manifest.sessionWrite();
      seed.put('a', 'v1');
      seed.put('b', 'v1');
      await seed.commit();
      const [s1, s2] = await Promise.all([manifest.sessionWrite(), manifest.sessionWrite()]);
      expect(await s1.scan()).toEqual([['a', 'v1'], ['b', 'v1']]);
      expect(await s2.scan()).toEqual([['a', 'v1'], ['b', 'v1']]);
      s1.put('a', 'v2');
      s2.put('b', 'v2');
      const results = await Promise.allSettled([s1.commit(), s2.commit()]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const after = await manifest.scanLatest();
      expect(after.filter(([, v]) => v === 'v2')).toHaveLength(1);
    }));
});

describe('deterministic tests (reference session.rs deterministic_tests)', () => {
  it('write_sessions_serializable_conflict', () =>
    simulate<void, string, V>(async ({ manifest }) => {
      const w1 = await manifest.sessionWrite();
      const w2 = await manifest.sessionWrite();
      w1.put('k1', 'a');
      w2.put('k2', 'b');
      const [r1, r2] = await Promise.allSettled([w1.commit(), w2.commit()]);
      const outcomes = [r1.status, r2.status].sort();
      expect(outcomes).toEqual(['fulfilled', 'rejected']);
      const loser = [r1, r2].find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(loser.reason).toBeInstanceOf(PreconditionFailedError);
      const winnerKey = r1.status === 'fulfilled' ? 'k1' : 'k2';
      const loserKey = winnerKey === 'k1' ? 'k2' : 'k1';
      expect(await manifest.getLatest(winnerKey)).toBeDefined();
      expect(await manifest.getLatest(loserKey)).toBeUndefined();
    }));

  it('read_session_observes_stable_snapshot', () =>
    simulate<void, string, V>(async ({ manifest }) => {
      const seed = await manifest.sessionWrite();
      seed.put('k', 'v0');
      await seed.commit();
      const r = await manifest.sessionRead();
      const w = await manifest.sessionWrite();
      w.put('k', 'v1');
      const [first] = await Promise.all([r.get('k'), w.commit()]);
      expect(first).toBe('v0');
      expect(await r.get('k')).toBe('v0');
      await r.end();
      expect(await manifest.getLatest('k')).toBe('v1');
    }));

  it('concurrent_deletes_preserve_snapshot_and_serializability', () =>
    simulate<void, string, V>(async ({ manifest }) => {
      const seed = await manifest.sessionWrite();
      seed.put('k', 'v');
      await seed.commit();
      const r = await manifest.sessionRead();
      const d1 = await manifest.sessionWrite();
      const d2 = await manifest.sessionWrite();
      d1.delete('k');
      d2.delete('k');
      const results = await Promise.allSettled([d1.commit(), d2.commit(), r.get('k')]);
      expect(results.slice(0, 2).filter((x) => x.status === 'fulfilled')).toHaveLength(1);
      expect((results.slice(0, 2).find((x) => x.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
        PreconditionFailedError,
      );
      expect(results[2]).toEqual({ status: 'fulfilled', value: 'v' });
      expect(await r.get('k')).toBe('v');
      await r.end();
      expect(await manifest.getLatest('k')).toBeUndefined();
    }));

  it('read_session_prevents_phantoms and read_session_range_no_phantoms', () =>
    simulate<void, string, V>(async ({ manifest }) => {
      const seed = await manifest.sessionWrite();
      for (const k of ['alpha', 'bb', 'cc', 'dd']) seed.put(k, k);
      await seed.commit();
      const r = await manifest.sessionRead();
      const keys1 = (await r.scan()).map(([k]) => k);
      const range1 = (await r.scanRange({ start: 'bb', end: 'dd' })).map(([k]) => k);
      const w = await manifest.sessionWrite();
      w.put('gamma', 'g');
      w.put('bc', 'x');
      await w.commit();
      expect((await r.scan()).map(([k]) => k)).toEqual(keys1);
      expect(keys1).not.toContain('gamma');
      expect(range1).toEqual(['bb', 'cc']);
      expect((await r.scanRange({ start: 'bb', end: 'dd' })).map(([k]) => k)).toEqual(['bb', 'cc']);
      await r.end();
      expect((await manifest.scanLatest()).map(([k]) => k)).toContain('gamma');
      expect((await manifest.scanLatest({ start: 'bb', end: 'dd' })).map(([k]) => k)).toEqual(['bb', 'bc', 'cc']);
    }));

  it('concurrent_delete_vs_update_consistency', () =>
    simulate<void, string, V>(async ({ manifest }) => {
      const seed = await manifest.sessionWrite();
      seed.put('k', 'v0');
      await seed.commit();
      const del = await manifest.sessionWrite();
      const upd = await manifest.sessionWrite();
      del.delete('k');
      upd.put('k', 'v1');
      const [rd, ru] = await Promise.allSettled([del.commit(), upd.commit()]);
      expect([rd.status, ru.status].filter((s) => s === 'fulfilled')).toHaveLength(1);
      expect(await manifest.getLatest('k')).toBe(ru.status === 'fulfilled' ? 'v1' : undefined);
    }));

  it('write_session_local_view_reflects_stage', () =>
    simulate<void, string, V>(async ({ manifest }) => {
      const seed = await manifest.sessionWrite();
      seed.put('a', 'a0');
      seed.put('b', 'b0');
      await seed.commit();
      const w = await manifest.sessionWrite();
      w.put('a', 'a1');
      w.put('c', 'c1');
      w.delete('b');
      expect(await w.getLocal('a')).toBe('a1');
      expect(await w.getLocal('b')).toBeUndefined();
      expect(await w.getLocal('c')).toBe('c1');
      expect(await w.get('a')).toBe('a0'); // get ignores staged ops
      expect(await w.scanLocal()).toEqual([['a', 'a1'], ['c', 'c1']]);
      expect(await w.scanLocal({ start: 'b' })).toEqual([['c', 'c1']]);
      expect(await manifest.scanLatest()).toEqual([['a', 'a0'], ['b', 'b0']]);
      await w.commit();
      expect(await manifest.scanLatest()).toEqual([['a', 'a1'], ['c', 'c1']]);
    }));

  it('getLocal returns a JSON clone, so mutating it changes nothing staged', () =>
    simulate<void, string, { n: number }>(async ({ manifest }) => {
      const w = await manifest.sessionWrite();
      w.put('o', { n: 1 });
      const local = await w.getLocal('o');
      if (local !== undefined) local.n = 99;
      expect(await w.getLocal('o')).toEqual({ n: 1 });
      await w.end();
    }));

  it('proptest_two_writer_serializable', () => {
    const keys = fc.constantFrom('a', 'b', 'c', 'd');
    const op = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), key: keys, value: fc.integer({ min: 0, max: 99 }) }),
      fc.record({ kind: fc.constant('del' as const), key: keys }),
    );
    type Op = { kind: 'put'; key: string; value: number } | { kind: 'del'; key: string };
    const apply = (state: Map<string, number>, ops: readonly Op[]) => {
      const next = new Map(state);
      for (const o of ops) {
        if (o.kind === 'put') next.set(o.key, o.value);
        else next.delete(o.key);
      }
      return next;
    };
    const sorted = (m: Map<string, number>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return fc.assert(
      fc.asyncProperty(
        fc.dictionary(keys, fc.integer({ min: 0, max: 99 })),
        fc.array(op, { maxLength: 6 }),
        fc.array(op, { maxLength: 6 }),
        (init, ops1, ops2) =>
          simulate<void, string, number>(async ({ manifest }) => {
            const initial = new Map(Object.entries(init));
            const seed = await manifest.sessionWrite();
            for (const [k, v] of initial) seed.put(k, v);
            await seed.commit();
            const w1 = await manifest.sessionWrite();
            const w2 = await manifest.sessionWrite();
            const reader = await manifest.sessionRead();
            for (const o of ops1) o.kind === 'put' ? w1.put(o.key, o.value) : w1.delete(o.key);
            for (const o of ops2) o.kind === 'put' ? w2.put(o.key, o.value) : w2.delete(o.key);
            const [r1, r2] = await Promise.allSettled([w1.commit(), w2.commit()]);
            expect(await reader.scan()).toEqual(sorted(initial));
            await reader.end();
            const latest = await manifest.scanLatest();
            if (r1.status === 'fulfilled' && r2.status === 'fulfilled') {
              expect([sorted(apply(apply(initial, ops1), ops2)), sorted(apply(apply(initial, ops2), ops1))]).toContainEqual(latest);
            } else if (r1.status === 'fulfilled' || r2.status === 'fulfilled') {
              const [winner, loser] = r1.status === 'fulfilled' ? [ops1, r2] : [ops2, r1];
              expect(latest).toEqual(sorted(apply(initial, winner)));
              expect((loser as PromiseRejectedResult).reason).toBeInstanceOf(PreconditionFailedError);
            } else {
              throw new Error('both writers failed');
            }
          }),
      ),
      { seed: Number(process.env.FC_SEED ?? 20261126), numRuns: 100 },
    );
  });
});
