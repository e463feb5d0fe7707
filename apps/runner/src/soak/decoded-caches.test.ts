import { MemoryObjectStore } from '@manifest-lab/manifest-core';
import { describe, expect, it } from 'vitest';
import { DecodedCaches } from './decoded-caches.js';

describe('DecodedCaches', () => {
  it("counts each client's current manifest only: a restarted client's dead one is dropped", () => {
    const caches = new DecodedCaches();
    const store = new MemoryObjectStore();
    const fill = (m: ReturnType<typeof caches.factory>, n: number) => {
      for (let i = 0; i < n; i++) m.parts.segments.decoded.get(`seg-${i}`, 'e', new Uint8Array([i]), () => ({ txn_id: i, records: [] }) as never);
    };
    fill(caches.factory({ store }, 'writer-0'), 3);
    fill(caches.factory({ store }, 'reader-0'), 2);
    expect(caches.counts()).toEqual({ decoded_segments: 5, decoded_checkpoints: 0 });
    // writer-0 crashes and restarts: its new process starts with empty caches.
    fill(caches.factory({ store }, 'writer-0'), 1);
    expect(caches.counts()).toEqual({ decoded_segments: 3, decoded_checkpoints: 0 });
    const c = caches.calibrate();
    expect(c.segments).toBe(3);
    // Two clients' caches, not three manifests'.
    expect(c.segment_capacity).toBe(2 * 4096);
  });
});
