import { type ListOptions, MemoryObjectStore, type ObjectStore, VirtualClock } from '@manifest-lab/manifest-core';
import { describe, expect, it } from 'vitest';
import { censusOf, embeddedReader, listingReader } from './census.js';

const lease = (expires: number) => new TextEncoder().encode(JSON.stringify({ id: 'x', expires_at_ms: expires }));

describe('censusOf', () => {
  it('counts objects by kind, and leases as live or expired against the wall clock', () => {
    const objects = [
      { key: 'p/HEAD.json', size: 10 },
      { key: 'p/segments/seg-00000000000000000001.json', size: 20 },
      { key: 'p/segments/seg-00000000000000000002.json', size: 20 },
      { key: 'p/checkpoints/ckpt-00000000000000000002.meta.json', size: 5 },
      { key: 'p/checkpoints/ckpt-00000000000000000002.json', size: 5 },
      { key: 'p/leases/a.json', body: lease(2000), size: 1 },
      { key: 'p/leases/b.json', body: lease(1000), size: 1 },
      { key: 'p/leases/c.json', body: new TextEncoder().encode('not json'), size: 1 },
      { key: 'p/gc/GARBAGE', size: 3 },
      { key: 'p/stray', size: 1 },
    ];
    expect(censusOf('p', objects, 1000)).toEqual({
      head: 1,
      segments: 2,
      checkpoints: 2,
      leases_live: 1,
      leases_expired: 2,
      gc_objects: 1,
      other: 1,
      objects: 10,
      store_bytes: 67,
    });
    // Sizes unknown (a LIST of a real store): no byte count.
    expect(censusOf('p', [{ key: 'p/HEAD.json' }], 0).store_bytes).toBeNull();
    expect(censusOf('p', [], 0).objects).toBe(0);
  });

  it('reads the embedded store without a request, under the prefix only', async () => {
    const clock = new VirtualClock();
    const store = new MemoryObjectStore({ clock });
    await clock.run(async () => {
      await store.put('p/HEAD.json', new TextEncoder().encode('{}'));
      await store.put('p/leases/a.json', lease(5));
      await store.put('q/HEAD.json', new TextEncoder().encode('{}'));
    });
    const before = store.requestCounts();
    const read = embeddedReader(store);
    const objects = (await read?.('p')) ?? [];
    expect(objects.map((o) => o.key)).toEqual(['p/HEAD.json', 'p/leases/a.json']);
    expect(objects[1]?.body).toBeDefined();
    expect(objects[0]?.body).toBeUndefined();
    expect(store.requestCounts()).toEqual(before);
  });
});

describe('listingReader', () => {
  it('counts a lease deleted between the LIST and its GET as gone, not leaked', async () => {
    const clock = new VirtualClock();
    const store = new MemoryObjectStore({ clock });
    await clock.run(async () => {
      await store.put('p/HEAD.json', new TextEncoder().encode('{}'));
      await store.put('p/leases/a.json', lease(5000));
      await store.put('p/leases/b.json', lease(5000));
    });
    // The lease `b` ends right after the census's first LIST.
    let lists = 0;
    const racing = {
      list: async (prefix: string, options?: ListOptions) => {
        const page = await store.list(prefix, options);
        if (++lists === 1) await store.delete('p/leases/b.json');
        return page;
      },
      get: (key: string) => store.get(key),
    } as unknown as ObjectStore;
    const objects = await clock.run(() => listingReader(racing)('p'));
    expect(censusOf('p', objects, 1000)).toMatchObject({ head: 1, leases_live: 1, leases_expired: 0, objects: 2, store_bytes: null });
  });
});
