import { describe, expect, it } from 'vitest';
import { type CompactorCalls, compactionRound, type GcMode } from './compaction-round.js';
import { Manifest } from './manifest.js';
import { MemoryObjectStore } from './stores/memory-object-store.js';
import { simulate } from './test/simulation.js';
import { encodeSegment } from './wire.js';

describe('Manifest recoveryEvery', () => {
  const lists = async (every: number | undefined) =>
    simulate(async ({ store, open }) => {
      const m = open(every === undefined ? {} : { recoveryEvery: every });
      const before = store.requestCounts().LIST;
      for (let i = 0; i < 10; i++) {
        const w = await m.sessionWrite();
        w.put(`k${i}`, i);
        await w.commit();
      }
      return store.requestCounts().LIST - before;
    });

  it('recovers on every write session by default (fusio-manifest 0.5), on 1 in N otherwise', async () => {
    const every = await lists(undefined);
    expect(await lists(1)).toBe(every);
    // Recovery LISTs leases and then segments past HEAD: two per recovering session.
    expect(every - (await lists(5))).toBe(2 * 8); // sessions 1 and 6 of 10 recover
    expect(every - (await lists(100))).toBe(2 * 9);
  });

  it('still adopts an orphan on the sessions that recover', () =>
    simulate(async ({ open }) => {
      const m = open({ recoveryEvery: 2 });
      const seed = await m.sessionWrite();
      seed.put('a', 1);
      await seed.commit(); // session 1: recovered (nothing to adopt)
      // A writer that died between its segment PUT and its HEAD CAS.
      await m.parts.segments.putNext(2, 2, encodeSegment({ txn_id: 2, records: [{ key: 'o', op: 'Put', value: 9 }] }));
      const skip = await m.sessionWrite(); // session 2: no recovery, the orphan stays
      expect(skip.snapshot.txnId).toBe(1);
      await skip.end();
      const adopt = await m.sessionWrite(); // session 3: adopted
      expect(adopt.snapshot.txnId).toBe(2);
      await adopt.end();
      expect(await m.getLatest('o')).toBe(9);
    }));

  it('rejects a value below 1 with a message naming the fix', () => {
    expect(() => new Manifest({ store: new MemoryObjectStore(), recoveryEvery: 0 })).toThrow(/recoveryEvery must be a whole number of at least 1/);
  });
});

describe('compactionRound', () => {
  const calls = (gc: GcMode) => {
    const log: string[] = [];
    const c: CompactorCalls = {
      compactOnce: async () => {
        log.push('compactOnce');
        return { checkpointId: 'c1' };
      },
      compactAndGc: async () => {
        log.push('compactAndGc');
        return { checkpointId: 'c1' };
      },
      gcCompute: async () => {
        log.push('gcCompute');
        return 'tag';
      },
      gcApply: async () => void log.push('gcApply'),
      gcDeleteAndReset: async () => void log.push('gcDeleteAndReset'),
    };
    return compactionRound(c, gc, { published: (id) => log.push(`published ${id}`), planned: (p) => log.push(`planned ${p}`) }).then(() => log);
  };

  it('runs each GC mode, telling of the checkpoint before any GC phase', async () => {
    expect(await calls('none')).toEqual(['compactOnce', 'published c1']);
    expect(await calls('inline')).toEqual(['compactAndGc', 'published c1']);
    expect(await calls('three-phase')).toEqual(['compactOnce', 'published c1', 'gcCompute', 'planned true', 'gcApply', 'gcDeleteAndReset']);
  });
});
