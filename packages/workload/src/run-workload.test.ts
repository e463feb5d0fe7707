import { MemoryObjectStore } from '@manifest-lab/manifest-core';
import { describe, expect, it } from 'vitest';
import { parseWorkloadConfig } from './config.js';
import { type HistoryEvent, historyToJsonl, isTxnEvent } from './history.js';
import { runWorkload } from './run-workload.js';

const SEED = Number(process.env.MANIFEST_LAB_SEED ?? 7);
const small = {
  num_writers: 3,
  writer_rate: 1,
  num_readers: 3,
  reader_rate: 2,
  key_overlap_ratio: 0.5,
  keys_per_writer: 4,
  shared_keys: 3,
  duration_s: 30,
  warmup_s: 5,
  seed: SEED,
};

/** Cheap list-append sanity: every list a read saw for a key is a prefix of the longest one. */
function readsArePrefixes(events: readonly HistoryEvent[]): boolean {
  const longest = new Map<string, readonly number[]>();
  const reads: [string, readonly number[]][] = [];
  for (const e of events) {
    if (e.type !== 'ok') continue;
    for (const op of e.value) {
      if (op[0] !== 'r' || op[2] === null) continue;
      reads.push([op[1], op[2]]);
      if ((longest.get(op[1])?.length ?? -1) < op[2].length) longest.set(op[1], op[2]);
    }
  }
  return reads.every(([k, l]) => l.every((x, i) => longest.get(k)?.[i] === x));
}

describe('runWorkload (virtual time)', () => {
  it(`is deterministic: the same seed and config give byte-identical history and metrics (seed ${SEED})`, async () => {
    const config = parseWorkloadConfig(small);
    const a = await runWorkload(config);
    const b = await runWorkload(config);
    expect(historyToJsonl(b.history)).toBe(historyToJsonl(a.history));
    expect(JSON.stringify(b.metrics)).toBe(JSON.stringify(a.metrics));
    expect(JSON.stringify(b.timeSeries)).toBe(JSON.stringify(a.timeSeries));
    expect(a.history.length).toBeGreaterThan(100);
    const c = await runWorkload(parseWorkloadConfig({ ...small, seed: SEED + 1 }));
    expect(historyToJsonl(c.history)).not.toBe(historyToJsonl(a.history));
  });

  it(`counts consistently and records a well-formed list-append history (seed ${SEED})`, async () => {
    const run = await runWorkload(parseWorkloadConfig({ ...small, max_retry_count: 2, retry_backoff: 'fixed' }));
    const w = run.metrics.write.counters;
    expect(w.txns).toBeGreaterThan(0);
    expect(w.attempts).toBe(w.txns + w.retries);
    expect(Object.values(run.metrics.outcomes).reduce((a, b) => a + b, 0)).toBe(w.txns);
    expect(run.metrics.outcomes.committed).toBe(w.successes);
    // Every retried transaction either committed on a retry or did not commit at all.
    expect(w.retry_successes + w.retry_failures).toBe(w.retried_txns);
    expect(run.metrics.write.latency.count).toBe(w.txns);
    expect(run.metrics.rates.precondition_failure_rate).toBeCloseTo(w.precondition_failures / w.attempts, 5);
    expect(run.metrics.arrivals.write.started).toBe(w.txns);
    expect(run.metrics.read.counters.txns).toBe(run.metrics.arrivals.read.started);
    // Every invoke is completed exactly once, by the same process, later.
    const open = new Map<number, number>();
    for (const e of run.history.filter(isTxnEvent)) {
      if (e.type === 'invoke') {
        expect(open.has(e.process)).toBe(false);
        open.set(e.process, e.index);
      } else {
        expect(open.delete(e.process)).toBe(true);
      }
    }
    expect(open.size).toBe(0);
    // Appended elements are unique, and reads only ever see prefixes of one order per key.
    const appended = run.history
      .filter(isTxnEvent)
      .filter((e) => e.type === 'invoke')
      .flatMap((e) => e.value.filter((o) => o[0] === 'append').map((o) => o[2]));
    expect(new Set(appended).size).toBe(appended.length);
    expect(readsArePrefixes(run.history)).toBe(true);
    // Overlapping writers conflict: some attempts fail with PreconditionFailed and are retried.
    expect(w.precondition_failures).toBeGreaterThan(0);
    expect(run.history.some((e) => e.type === 'fail')).toBe(true);
  });

  it('excludes the warm-up from metrics but keeps it in the history and the time series', async () => {
    const run = await runWorkload(parseWorkloadConfig({ ...small, warmup_s: 20 }));
    const firstMeasured = run.timeSeries.find((p) => !p.warmup);
    expect(firstMeasured?.t).toBe(20);
    expect(run.timeSeries.slice(0, 20).every((p) => p.warmup)).toBe(true);
    const okBefore20 = run.history.filter((e) => e.type === 'ok' && e.time < 20e9).length;
    expect(okBefore20).toBeGreaterThan(0);
    expect(run.metrics.measured_seconds).toBe(10);
  });

  it('reports progress once per simulated second', async () => {
    const ticks: number[] = [];
    await runWorkload(parseWorkloadConfig({ ...small, duration_s: 6, warmup_s: 0 }), {
      onProgress: (elapsed) => ticks.push(elapsed),
    });
    expect(ticks.slice(0, 6)).toEqual([1000, 2000, 3000, 4000, 5000, 6000]);
  });

  it('runs against a given store and prefix', async () => {
    const store = new MemoryObjectStore();
    const run = await runWorkload(parseWorkloadConfig({ ...small, duration_s: 10, warmup_s: 0 }), { store, prefix: 'mine' });
    expect(store.dump().some((o) => o.key === 'mine/HEAD.json')).toBe(true);
    expect(run.store).toBe(store);
  });
});

describe('runWorkload (real time)', () => {
  it('runs the identical code on the real clock for a few seconds', async () => {
    const run = await runWorkload(
      parseWorkloadConfig({ ...small, duration_s: 2, warmup_s: 0.5, writer_rate: 4, reader_rate: 5, time: 'real', latency_profile: 'local' }),
    );
    expect(run.elapsedMs).toBeGreaterThanOrEqual(1900);
    expect(run.metrics.write.counters.successes).toBeGreaterThan(0);
    expect(run.metrics.read.counters.successes).toBeGreaterThan(0);
    expect(readsArePrefixes(run.history)).toBe(true);
  });
});
