import { VirtualClock } from '@manifest-lab/manifest-core';
import { describe, expect, it } from 'vitest';
import type { SoakBucket } from './buckets.js';
import { censusOf } from './census.js';
import { startSampler } from './sampler.js';

const MEMORY = { heap_used_mb: 1, heap_live_mb: 1, rss_mb: 1 };

function sampled(clientsEndMs: number, durationMs = 1000) {
  const clock = new VirtualClock();
  const buckets: SoakBucket[] = [];
  const censusAt: number[] = [];
  return clock
    .run(async () => {
      const sampler = startSampler({
        clock,
        bucketMs: 300,
        durationMs,
        warmupMs: 100,
        census: async () => {
          censusAt.push(clock.now());
          await clock.sleep(7); // a LIST takes time: transactions meanwhile count in the next bucket
          return censusOf('p', [], 0);
        },
        memory: () => MEMORY,
        caches: () => ({ decoded_segments: 0, decoded_checkpoints: 0 }),
        historyEvents: () => censusAt.length * 10,
        wallS: () => 0,
        onBucket: (b) => buckets.push(b),
      });
      // One reader transaction every 50 ms until the clients end.
      for (let t = 50; t <= clientsEndMs; t += 50) {
        await clock.sleep(t - clock.now());
        sampler.observer.transaction?.('reader', 'read_ok', t, 1);
      }
      await sampler.stop();
    })
    .then(() => ({ buckets, censusAt }));
}

describe('startSampler', () => {
  it('closes a bucket at each boundary of run time, the last at the schedule end', async () => {
    const { buckets, censusAt } = await sampled(1200);
    expect(censusAt).toEqual([300, 600, 900, 1000]);
    expect(buckets.map((b) => [b.start_s, b.end_s, b.measured])).toEqual([
      [0, 0.3, false],
      [0.3, 0.6, true],
      [0.6, 0.9, true],
      [0.9, 1, true],
    ]);
    // 50..250; 300 (a boundary counts in the next bucket)..550; 600..850; 900..1000 (the schedule's end
    // counts in the last bucket, whose census is still running); none after.
    expect(buckets.map((b) => b.read_txns)).toEqual([5, 6, 6, 3]);
    expect(buckets.map((b) => b.history_events)).toEqual([10, 20, 30, 40]);
  });

  it('closes the bucket the clients were in when they end before the schedule does', async () => {
    const { buckets } = await sampled(700);
    expect(buckets.map((b) => [b.start_s, b.end_s, b.read_txns])).toEqual([
      [0, 0.3, 5],
      [0.3, 0.6, 6],
      [0.6, 0.7, 3],
    ]);
  });

  it('samples at the same instants on every replay', async () => {
    const a = await sampled(1100);
    const b = await sampled(1100);
    expect(b).toEqual(a);
  });
});
