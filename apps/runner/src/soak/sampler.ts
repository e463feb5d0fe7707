/**
 * The soak sampler: a background process on the run's clock that, at the end of every bucket,
 * takes a census of the store and a memory reading and closes the bucket. On the run clock, a
 * virtual run samples at the same simulated instants every time.
 */
import type { Clock } from '@manifest-lab/manifest-core';
import type { WorkloadObserver } from '@manifest-lab/workload';
import { BucketAccumulator, type SoakBucket } from './buckets.js';
import type { StoreCensus } from './census.js';
import type { CacheCounts } from './decoded-caches.js';
import type { MemorySample } from './memory.js';

export interface SamplerOptions {
  readonly clock: Clock;
  readonly bucketMs: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly census: () => Promise<StoreCensus>;
  readonly memory: () => MemorySample;
  readonly caches: () => CacheCounts;
  readonly historyEvents: () => number;
  /** Wall-clock seconds since the run started. */
  readonly wallS: () => number;
  readonly onBucket: (bucket: SoakBucket) => void;
}

export interface Sampler {
  /** Feed it every completed transaction. */
  readonly observer: WorkloadObserver;
  /** Stop sampling; a bucket the run's end cut short is closed there. */
  stop(): Promise<void>;
}

/**
 * Start sampling buckets [0, ⌈duration / bucket⌉). Transactions completing after the schedule's
 * end (the run's overrun) fall in no bucket.
 */
export function startSampler(o: SamplerOptions): Sampler {
  const acc = new BucketAccumulator(o.bucketMs);
  const buckets = Math.ceil(o.durationMs / o.bucketMs);
  let next = 0;
  const close = async (endMs: number) => {
    const census = await o.census();
    o.onBucket(acc.close(next, endMs, o.warmupMs, { ...census, ...o.caches(), ...o.memory(), history_events: o.historyEvents(), wall_s: o.wallS() }));
    next++;
  };
  const controller = new AbortController();
  const done = (async () => {
    try {
      while (next < buckets) {
        const end = Math.min((next + 1) * o.bucketMs, o.durationMs);
        const wait = end - o.clock.now();
        if (wait > 0) await o.clock.sleep(wait, controller.signal);
        await close(end);
      }
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    }
  })();
  done.catch(() => undefined); // reported by stop()
  return {
    observer: {
      transaction: (role, outcome, ms, attempts) => {
        if (next < buckets) acc.transaction(role, outcome, ms, attempts, o.clock.now());
      },
    },
    stop: async () => {
      controller.abort();
      await done;
      // The clients finished before the schedule's last instant: close the bucket they were in.
      if (next < buckets && next * o.bucketMs < o.clock.now()) await close(Math.min(o.clock.now(), o.durationMs));
    },
  };
}
