/**
 * The reference's end-to-end isolation scenarios (fusio-manifest/tests/e2e_serializable_isolation.rs,
 * reference §5.1, and tests/wasm.rs), as a suite any backend can run: each test gets a fresh
 * manifest on a fresh store or prefix.
 */
import { describe, expect, it } from 'vitest';
import { PreconditionFailedError } from '../errors.js';
import type { Manifest } from '../manifest.js';

type V = string | number;

/** A fresh manifest for one scenario, and how to run the scenario (e.g. inside virtual time). */
export interface ScenarioWorld {
  readonly manifest: Manifest<string, V>;
  run<T>(fn: () => Promise<T>): Promise<T>;
  cleanup(): Promise<void>;
}

export function describeReferenceScenarios(name: string, open: () => Promise<ScenarioWorld>, timeoutMs = 30_000): void {
  const scenario = async (fn: (manifest: Manifest<string, V>) => Promise<void>): Promise<void> => {
    const world = await open();
    try {
      await world.run(() => fn(world.manifest));
    } finally {
      await world.cleanup();
    }
  };
  const it_ = (title: string, fn: () => Promise<void>) => it(title, fn, timeoutMs);

  describe(`e2e serializable isolation (reference §5.1): ${name}`, () => {
    it_('test_basic_write_read', () =>
      scenario(async (manifest) => {
        const w = await manifest.sessionWrite();
        w.put('key1', 'value1');
        w.put('key2', 'value2');
        w.put('key3', 'value3');
        await w.commit();
        await using r = await manifest.sessionRead();
        expect(await r.get('key1')).toBe('value1');
        expect(await r.get('key2')).toBe('value2');
        expect(await r.get('key3')).toBe('value3');
      }));

    it_('1.1 concurrent writers on the same key: the second committer fails', () =>
      scenario(async (manifest) => {
        const seed = await manifest.sessionWrite();
        seed.put('key', 'value1');
        await seed.commit();
        const a = await manifest.sessionWrite();
        const b = await manifest.sessionWrite();
        a.put('key', 'value2');
        b.put('key', 'value3');
        await b.commit();
        const err = await a.commit().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PreconditionFailedError);
        expect(String((err as Error).message)).toContain('precondition failed');
        expect(await manifest.getLatest('key')).toBe('value3');
      }));

    it_('1.2 write skew is prevented', () =>
      scenario(async (manifest) => {
        const seed = await manifest.sessionWrite();
        seed.put('x', 100);
        seed.put('y', 100);
        await seed.commit();
        const a = await manifest.sessionWrite();
        const b = await manifest.sessionWrite();
        a.put('x', 0);
        b.put('y', 0);
        await a.commit();
        await expect(b.commit()).rejects.toBeInstanceOf(PreconditionFailedError);
        expect(await manifest.getLatest('x')).toBe(0);
        expect(await manifest.getLatest('y')).toBe(100);
      }));

    it_('1.3 a chain of read-modify-write writers counts to 5', () =>
      scenario(async (manifest) => {
        const init = await manifest.sessionWrite();
        init.put('count', '0');
        await init.commit();
        for (let i = 0; i < 5; i++) {
          const r = await manifest.sessionRead();
          const n = Number(await r.get('count'));
          await r.end();
          const w = await manifest.sessionWrite();
          w.put('count', String(n + 1));
          await w.commit();
        }
        expect(await manifest.getLatest('count')).toBe('5');
      }));

    it_('1.4 a reader keeps its snapshot during a concurrent write', () =>
      scenario(async (manifest) => {
        const seed = await manifest.sessionWrite();
        seed.put('a', 1);
        seed.put('b', 2);
        await seed.commit();
        const w = await manifest.sessionWrite();
        w.put('a', 10);
        w.put('b', 20);
        const old = await manifest.sessionRead();
        await w.commit();
        expect([await old.get('a'), await old.get('b')]).toEqual([1, 2]);
        await old.end();
        const fresh = await manifest.sessionRead();
        expect([await fresh.get('a'), await fresh.get('b')]).toEqual([10, 20]);
        await fresh.end();
      }));

    it_('1.5 of ten writers from one snapshot, exactly one commits', () =>
      scenario(async (manifest) => {
        const seed = await manifest.sessionWrite();
        seed.put('key', 'initial');
        await seed.commit();
        const writers = [];
        for (let i = 0; i < 10; i++) {
          const w = await manifest.sessionWrite();
          w.put('key', `writer-${i}`);
          writers.push(w);
        }
        let ok = 0;
        let failed = 0;
        for (const w of writers) {
          try {
            await w.commit();
            ok++;
          } catch (err) {
            expect(err).toBeInstanceOf(PreconditionFailedError);
            failed++;
          }
        }
        expect([ok, failed]).toEqual([1, 9]);
        expect(String(await manifest.getLatest('key'))).toMatch(/^writer-/);
      }));

    it_('1.6 tombstone write skew is prevented', () =>
      scenario(async (manifest) => {
        const seed = await manifest.sessionWrite();
        seed.put('seat:A', 'reserved');
        seed.put('seat:B', 'reserved');
        await seed.commit();
        const a = await manifest.sessionWrite();
        const b = await manifest.sessionWrite();
        a.delete('seat:A');
        a.put('notes:A', 'freed');
        b.delete('seat:B');
        b.put('notes:B', 'freed');
        await b.commit();
        await expect(a.commit()).rejects.toBeInstanceOf(PreconditionFailedError);
        expect(await manifest.getLatest('seat:A')).toBe('reserved');
        expect(await manifest.getLatest('seat:B')).toBeUndefined();
        expect(await manifest.scanLatest({ start: 'notes:', end: 'notes;' })).toEqual([['notes:B', 'freed']]);
      }));

    it_('1.7 a writer that retries in a new session eventually serializes', () =>
      scenario(async (manifest) => {
        const seed = await manifest.sessionWrite();
        seed.put('counter', '0');
        await seed.commit();
        const w1 = await manifest.sessionWrite();
        const w2 = await manifest.sessionWrite();
        w1.put('counter', '1');
        w2.put('counter', '2');
        await w1.commit();
        await expect(w2.commit()).rejects.toBeInstanceOf(PreconditionFailedError);
        const retry = await manifest.sessionWrite();
        retry.put('counter', '2');
        await retry.commit();
        expect(await manifest.getLatest('counter')).toBe('2');
      }));

    it_('1.8 a range scan writer fails when a phantom is committed', () =>
      scenario(async (manifest) => {
        const seed = await manifest.sessionWrite();
        seed.put('user:001', 'active');
        seed.put('user:002', 'active');
        await seed.commit();
        const a = await manifest.sessionWrite();
        const users = await a.scanRange({ start: 'user:', end: 'user;' });
        expect(users).toHaveLength(2);
        a.put('summary', users.length);
        const b = await manifest.sessionWrite();
        b.put('user:003', 'active');
        await b.commit();
        await expect(a.commit()).rejects.toBeInstanceOf(PreconditionFailedError);
        expect(await manifest.getLatest('summary')).toBeUndefined();
      }));

    it_('1.9 read-modify-write: the second committer fails, balance is 110', () =>
      scenario(async (manifest) => {
        const seed = await manifest.sessionWrite();
        seed.put('balance', '100');
        await seed.commit();
        const a = await manifest.sessionWrite();
        const b = await manifest.sessionWrite();
        a.put('balance', String(Number(await a.get('balance')) + 10));
        b.put('balance', String(Number(await b.get('balance')) + 20));
        await a.commit();
        await expect(b.commit()).rejects.toBeInstanceOf(PreconditionFailedError);
        expect(await manifest.getLatest('balance')).toBe('110');
      }));
  });

  describe(`tests/wasm.rs scenarios (reference §5.2): ${name}`, () => {
    it_('basic write/read', () =>
      scenario(async (manifest) => {
        const w = await manifest.sessionWrite();
        w.put('hello', 'world');
        await w.commit();
        expect(await manifest.getLatest('hello')).toBe('world');
      }));

    it_('multiple writes accumulate', () =>
      scenario(async (manifest) => {
        for (let i = 0; i < 5; i++) {
          const w = await manifest.sessionWrite();
          w.put(`k${i}`, i);
          await w.commit();
        }
        expect((await manifest.scanLatest()).map(([, v]) => v)).toEqual([0, 1, 2, 3, 4]);
      }));

    it_('an old snapshot still sees v1', () =>
      scenario(async (manifest) => {
        const w1 = await manifest.sessionWrite();
        w1.put('k', 'v1');
        await w1.commit();
        const snap = await manifest.snapshot();
        const w2 = await manifest.sessionWrite();
        w2.put('k', 'v2');
        await w2.commit();
        await using old = await manifest.sessionAt(snap);
        expect(await old.get('k')).toBe('v1');
        expect(await manifest.getLatest('k')).toBe('v2');
      }));

    it_('a delete is a tombstone', () =>
      scenario(async (manifest) => {
        const w1 = await manifest.sessionWrite();
        w1.put('k', 'v');
        await w1.commit();
        const w2 = await manifest.sessionWrite();
        w2.delete('k');
        await w2.commit();
        expect(await manifest.getLatest('k')).toBeUndefined();
        expect(await manifest.scanLatest()).toEqual([]);
      }));
  });

}
