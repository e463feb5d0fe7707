import { describe, expect, it } from 'vitest';
import { BucketAccumulator, nearestRank } from './buckets.js';

const SAMPLE: Parameters<BucketAccumulator['close']>[3] = {
  head: 1,
  segments: 2,
  checkpoints: 0,
  leases_live: 1,
  leases_expired: 0,
  gc_objects: 0,
  other: 0,
  objects: 4,
  store_bytes: 100,
  heap_used_mb: 10,
  heap_live_mb: 5,
  rss_mb: 50,
  decoded_segments: 3,
  decoded_checkpoints: 1,
  history_events: 8,
  wall_s: 0.1,
};

describe('BucketAccumulator', () => {
  it('counts each transaction in the bucket it completes in, with nearest-rank percentiles', () => {
    const acc = new BucketAccumulator(1000);
    acc.transaction('writer', 'committed', 10, 1, 0);
    acc.transaction('writer', 'conflict', 30, 4, 999);
    acc.transaction('reader', 'read_ok', 5, 1, 500);
    acc.transaction('reader', 'read_error', 7, 1, 1000); // the next bucket's first instant
    const b0 = acc.close(0, 1000, 0, SAMPLE);
    expect(b0).toMatchObject({ index: 0, start_s: 0, end_s: 1, measured: true, write_txns: 2, commits: 1, write_failures: 1, write_attempts: 5 });
    expect(b0).toMatchObject({ read_txns: 1, read_errors: 0, write_p50_ms: 10, write_p99_ms: 30, read_p50_ms: 5, read_p99_ms: 5, segments: 2 });
    const b1 = acc.close(1, 1500, 0, SAMPLE);
    expect(b1).toMatchObject({ start_s: 1, end_s: 1.5, read_txns: 1, read_errors: 1, write_txns: 0, write_p50_ms: null });
    expect(acc.openBuckets).toBe(0);
  });

  it('marks buckets that start inside the warm-up as not measured, and forgets older open buckets on close', () => {
    const acc = new BucketAccumulator(500);
    acc.transaction('writer', 'committed', 1, 1, 100);
    acc.transaction('writer', 'committed', 1, 1, 700);
    expect(acc.openBuckets).toBe(2);
    expect(acc.close(1, 1000, 600, SAMPLE).measured).toBe(false);
    expect(acc.openBuckets).toBe(0);
    expect(acc.close(2, 1500, 600, SAMPLE).measured).toBe(true);
  });

  it('refuses a bucket that is not positive', () => {
    expect(() => new BucketAccumulator(0)).toThrow(/positive/);
  });
});

describe('nearestRank', () => {
  it('takes the ⌈q·n⌉-th smallest value', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(nearestRank([...values], 0.5)).toBe(50);
    expect(nearestRank([...values], 0.99)).toBe(99);
    expect(nearestRank([3], 0.99)).toBe(3);
    expect(nearestRank([], 0.5)).toBeNull();
  });
});
