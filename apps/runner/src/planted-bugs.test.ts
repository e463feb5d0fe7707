/**
 * The isolation checker is trusted only if it catches planted bugs, each with the anomaly class
 * it should produce, and stays quiet on correct runs. Each case runs a real workload in virtual
 * time against a manifest over a store (or a manifest) with one bug planted.
 */
import { InterceptOnce, isHeadCas, type PlantedBug, plantBug } from '@manifest-lab/manifest-core/test';
import { Manifest, type ManifestOptions, MemoryObjectStore, ReadSession } from '@manifest-lab/manifest-core';
import { checkHistory, checkWhiteBox, pairHistory } from '@manifest-lab/verify';
import { parseWorkloadConfig, runWorkload, type StoredValue, type WorkloadEnvironment } from '@manifest-lab/workload';
import { describe, expect, it } from 'vitest';
import { PLANTED_BUG_WORKLOAD } from './planted-bug-workload.test-helper.js';

const base = PLANTED_BUG_WORKLOAD;

async function check(seed: number, config: Record<string, unknown>, env: WorkloadEnvironment = {}) {
  const run = await runWorkload(parseWorkloadConfig({ ...base, ...config, seed }), env);
  return checkHistory(pairHistory(run.history), { workload: 'list-append', model: 'strict-serializable' });
}

const bug = (b: PlantedBug, rate?: number): WorkloadEnvironment => ({
  wrapStore: (store, _clock, random) => plantBug(store, b, { random, ...(rate === undefined ? {} : { rate }) }),
});

describe('planted bugs are caught, with the right anomaly class', () => {
  it('a store that ignores If-None-Match: a losing writer overwrites a segment — aborted reads and lost updates', async () => {
    for (const seed of [1, 2, 3]) {
      const r = await check(seed, {}, bug('ignore-if-none-match'));
      expect(r.valid, `seed ${seed}`).toBe(false);
      expect(r.anomalyTypes, `seed ${seed}`).toEqual(expect.arrayContaining(['G1a', 'lost-update']));
    }
  });

  it('a store that ignores If-Match: with a compactor racing commits, HEAD loses a commit for a while — a real-time violation', async () => {
    const caught: string[][] = [];
    for (const seed of [1, 3]) {
      const r = await check(seed, { compact_interval_s: 5 }, bug('ignore-if-match'));
      caught.push([...r.anomalyTypes]);
      expect(r.anomalyTypes, `seed ${seed}`).toContain('G-single-item-realtime');
    }
    expect(caught).toHaveLength(2);
  });

  it('a store that serves a stale HEAD on some reads: readers miss committed transactions — a real-time violation', async () => {
    for (const seed of [1, 2, 3]) {
      const r = await check(seed, {}, bug('stale-read'));
      expect(r.anomalyTypes, `seed ${seed}`).toContain('G-single-item-realtime');
    }
  });

  it('a store that acknowledges segment writes and drops them: committed appends vanish', async () => {
    for (const seed of [1, 2, 3]) {
      const r = await check(seed, {}, bug('drop-write'));
      expect(r.valid, `seed ${seed}`).toBe(false);
      expect(r.anomalyTypes, `seed ${seed}`).toEqual(expect.arrayContaining(['G-single-item', 'lost-update']));
    }
  });

  it('a manifest whose read sessions read past their snapshot: read skew (G-single-item)', async () => {
    /** Each get() reads the latest state instead of the session's snapshot. */
    class ReadPastSnapshot extends Manifest<string, StoredValue> {
      override async sessionAt(snap: Parameters<Manifest['sessionAt']>[0]): Promise<ReadSession<string, StoredValue>> {
        const session = await super.sessionAt(snap);
        session.get = (key: string) => this.snapshot().then((s) => new ReadSession<string, StoredValue>(this.parts, s, null).get(key));
        return session;
      }
    }
    const env = { manifestFactory: (o: ManifestOptions) => new ReadPastSnapshot(o) };
    for (const seed of [1, 2, 3]) {
      const r = await check(seed, { ops_per_txn: 3, reader_scan_ratio: 0 }, env);
      expect(r.valid, `seed ${seed}`).toBe(false);
      expect(r.anomalyTypes, `seed ${seed}`).toContain('G-single-item');
    }
  });

  it('reference hazard §6.1: a writer stalled past its lease TTL is adopted yet told PreconditionFailed — its data is an aborted read', async () => {
    for (const seed of [1, 2]) {
      // Lease TTL 5 s; the first HEAD CAS after 10 s stalls 20 s, so another writer adopts the segment.
      const env: WorkloadEnvironment = {
        wrapStore: (store, clock) => new InterceptOnce(store, (req) => isHeadCas(req) && clock.now() > 10_000, () => clock.sleep(20_000)),
      };
      const r = await check(seed, { lease_ttl_ms: 5_000, max_retry_count: 3 }, env);
      expect(r.valid, `seed ${seed}`).toBe(false);
      expect(r.anomalyTypes, `seed ${seed}`).toContain('G1a');
    }
  });

  it('reference hazard §6.1 without lease expiry: a checkpoint published mid-commit makes a failed commit visible', async () => {
    const r = await check(1, { compact_interval_s: 5 });
    expect(r.anomalyTypes).toEqual(expect.arrayContaining(['G1a', 'dirty-update']));
  });
});

describe('no false positives', () => {
  // Unmodified fusio-0.5 is not always serializable: under contention or with a compactor a
  // writer can be told PreconditionFailed after another writer's orphan recovery adopted its
  // segment (hazard §6.1). So each black-box verdict is held against the white-box replay of
  // what was stored: an anomaly must be exactly that confirmed event, and nothing else.
  const configs = [
    {},
    { num_writers: 4, writer_rate: 1, key_overlap_ratio: 1 },
    { num_writers: 2, writer_rate: 0.2, key_overlap_ratio: 0, num_readers: 6 },
    { ops_per_txn: 4, reader_scan_ratio: 0.5, retry_backoff: 'none' },
    { latency_profile: 'local', writer_rate: 3, reader_rate: 10 },
    { latency_profile: 'none', arrival: 'uniform' },
    { compact_interval_s: 5 },
  ];
  for (const [i, config] of configs.entries()) {
    it(`config ${i} ${JSON.stringify(config)}: black-box anomalies are exactly the white-box-confirmed ones`, async () => {
      for (const seed of [11, 12, 13, 14]) {
        const run = await runWorkload(parseWorkloadConfig({ ...base, ...config, seed }));
        const history = pairHistory(run.history);
        const black = checkHistory(history, { workload: 'list-append', model: 'strict-serializable' });
        if (!(run.store instanceof MemoryObjectStore)) throw new Error('expected the embedded store');
        const white = checkWhiteBox(run.store.dump(), run.prefix, history);
        const confirmed = white.stats.failedVisible > 0;
        expect(white.anomalyTypes.filter((t) => t !== 'failed-commit-visible'), `seed ${seed}`).toEqual([]);
        expect(black.anomalyTypes.filter((t) => t !== 'G1a' && t !== 'dirty-update'), `seed ${seed}`).toEqual([]);
        expect(black.anomalyTypes.includes('G1a'), `seed ${seed}`).toBe(confirmed);
        // Each aborted read names a failed attempt the replay found published.
        const failedVisible = new Set((white.anomalies['failed-commit-visible'] ?? []).map((a) => a.ops[0]));
        for (const a of black.anomalies.G1a ?? []) expect(failedVisible.has(a.ops[1] as number), `seed ${seed}`).toBe(true);
      }
    });
  }

  it('low-contention runs are entirely clean', async () => {
    for (const seed of [21, 22, 23]) {
      const r = await check(seed, { num_writers: 2, writer_rate: 0.2, key_overlap_ratio: 0.2 });
      expect(r.valid, `seed ${seed}`).toBe(true);
    }
  });
});
