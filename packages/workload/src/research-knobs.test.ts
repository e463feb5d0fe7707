import { MemoryObjectStore, ObjectStoreDecorator, PreconditionFailedError, totalRequests, VirtualClock } from '@manifest-lab/manifest-core';
import { describe, expect, it } from 'vitest';
import { parseWorkloadConfig, seedIdentity, type WorkloadConfigInput } from './config.js';
import { HeadCacheStore } from './head-cache-store.js';
import { historyToJsonl, isTxnEvent } from './history.js';
import { RemoteLatencyStore } from './remote-latency-store.js';
import { runWorkload } from './run-workload.js';

const base: WorkloadConfigInput = { num_writers: 3, writer_rate: 0.3, num_readers: 2, reader_rate: 1, duration_s: 40, warmup_s: 0, seed: 17 };
const run = (extra: WorkloadConfigInput = {}, env: Parameters<typeof runWorkload>[1] = {}) => runWorkload(parseWorkloadConfig({ ...base, ...extra }), env);
const segmentsLeft = (store: unknown) => {
  let s = store;
  while (s instanceof ObjectStoreDecorator) s = s.inner;
  return (s as MemoryObjectStore).dump().filter((o) => o.key.includes('/segments/')).length;
};

describe('research knobs at their defaults', () => {
  it('change nothing: spelling every default out gives the byte-identical run, with no new report sections', async () => {
    const plain = await run();
    const spelled = await run({ compact_gc: 'none', remote_writers: 0, remote_latency_ms: 0, orphan_recovery_every: 1, writer_crash_prob: 0, head_cache_ms: 0, max_clock_skew_ms: 1000 });
    expect(historyToJsonl(spelled.history)).toBe(historyToJsonl(plain.history));
    expect(JSON.stringify(spelled.metrics)).toBe(JSON.stringify(plain.metrics));
    expect(plain.metrics.groups).toBeUndefined();
    expect(plain.metrics.compaction).toBeUndefined();
  });

  it('are left out of the seed identity at their defaults, and kept when set', () => {
    const c = parseWorkloadConfig({ num_writers: 3 });
    expect(Object.keys(seedIdentity(c))).not.toContain('head_cache_ms');
    expect(seedIdentity(c)).toMatchObject({ num_writers: 3, lease_ttl_ms: 60_000 });
    expect(seedIdentity({ ...c, head_cache_ms: 500 })).toMatchObject({ head_cache_ms: 500 });
    expect(Object.keys(seedIdentity(c))).not.toContain('max_clock_skew_ms');
    expect(seedIdentity({ ...c, max_clock_skew_ms: 5000 })).toMatchObject({ max_clock_skew_ms: 5000 });
  });

  it('reject bad combinations with a message naming the fix', () => {
    expect(() => parseWorkloadConfig({ num_writers: 2, remote_writers: 3 })).toThrow(/`remote_writers`: remote_writers must not exceed num_writers/);
    expect(() => parseWorkloadConfig({ compact_gc: 'inline' })).toThrow(/`compact_gc`: compact_gc needs a compactor: set compact_interval_s above 0/);
    expect(() => parseWorkloadConfig({ orphan_recovery_every: 0 })).toThrow(/`orphan_recovery_every`/);
    expect(() => parseWorkloadConfig({ writer_crash_prob: 1.5 })).toThrow(/`writer_crash_prob`/);
  });
});

describe('wasted requests per commit', () => {
  it('are 0 when nothing fails (one writer, no contention)', async () => {
    const r = await run({ num_writers: 1, num_readers: 0 });
    const w = r.metrics.write.counters;
    expect(w.successes).toBeGreaterThan(5);
    expect(w.attempts).toBe(w.successes);
    expect(w.wasted_requests).toBe(0);
    expect(r.metrics.rates.wasted_requests_per_commit).toBe(0);
    // Every writer request belongs to an attempt.
    expect(w.attempt_requests).toBe(totalRequests(r.metrics.requests.writers));
  });

  it('equal the requests of the attempts that did not commit (counted from the trace)', async () => {
    const r = await run({ num_writers: 4, writer_rate: 0.4, key_overlap_ratio: 0.5, max_retry_count: 0, num_readers: 0 }, { trace: true });
    const w = r.metrics.write.counters;
    expect(w.precondition_failures).toBeGreaterThan(3);
    type Span = { cat: string; name: string; ts: number; dur: number; tid: number };
    const spans = (JSON.parse(r.trace?.toJson() ?? '{}').traceEvents as (Span & { ph: string })[]).filter((e) => e.ph === 'X');
    // max_retry_count 0: a transaction is one attempt.
    const failed = spans.filter((s) => s.cat === 'txn' && s.name.startsWith('write ') && s.name !== 'write committed');
    const inFailed = spans.filter((q) => q.cat === 'request' && failed.some((t) => t.tid === q.tid && q.ts >= t.ts && q.ts + q.dur <= t.ts + t.dur));
    expect(w.wasted_requests).toBe(inFailed.length);
    expect(w.attempt_requests).toBe(totalRequests(r.metrics.requests.writers));
    expect(r.metrics.rates.wasted_requests_per_commit).toBeCloseTo(w.wasted_requests / w.successes, 5);
  });
});

describe('compact_gc', () => {
  const gcRun = (gc: 'none' | 'inline' | 'three-phase') => run({ num_readers: 0, duration_s: 60, compact_interval_s: 5, compact_gc: gc });

  it('inline: compact_and_gc deletes the segments each checkpoint covers', async () => {
    const none = await gcRun('none');
    const inline = await gcRun('inline');
    expect(none.metrics.compaction).toBeUndefined();
    expect(inline.metrics.compaction).toMatchObject({ gc: 'inline' });
    expect(inline.metrics.compaction?.checkpoints).toBeGreaterThan(5);
    expect(segmentsLeft(inline.store)).toBeLessThan(segmentsLeft(none.store) / 2);
  });

  it('three-phase: installs a GC plan (once, §6.6) and deletes what it planned', async () => {
    const none = await gcRun('none');
    const three = await gcRun('three-phase');
    expect(three.metrics.compaction?.gc_plans).toBe(1);
    expect(three.metrics.compaction?.gc_skipped).toBeGreaterThan(3);
    expect(segmentsLeft(three.store)).toBeLessThan(segmentsLeft(none.store));
  });
});

describe('remote writers', () => {
  it('RemoteLatencyStore adds exactly the round trip, half before the store sees the request', async () => {
    const clock = new VirtualClock();
    const inner = new MemoryObjectStore();
    const far = new RemoteLatencyStore(inner, clock, 80);
    const seen: number[] = [];
    const probe = new (class extends ObjectStoreDecorator {
      protected override around<T>(_r: unknown, op: () => Promise<T>): Promise<T> {
        seen.push(clock.now());
        return op();
      }
    })(inner);
    const farProbe = new RemoteLatencyStore(probe, clock, 80);
    const took = await clock.run(async () => {
      await far.put('k', new Uint8Array([1]));
      const t0 = clock.now();
      await farProbe.get('k');
      return clock.now() - t0;
    });
    expect(took).toBe(80);
    expect(seen).toEqual([120]); // 80 for the put, then 40 on the way out
  });

  it('report local and remote writers apart, and the remote ones are slower by the configured amount', async () => {
    const cfg = { num_writers: 2, writer_rate: 0.05, num_readers: 0, latency_profile: 'none', duration_s: 200, remote_writers: 1 } as const;
    const near = await run({ ...cfg, remote_latency_ms: 0 });
    const far = await run({ ...cfg, remote_latency_ms: 100 });
    const g = far.metrics.groups;
    expect(g?.remote.writers).toBe(1);
    expect(g?.local.writers).toBe(1);
    expect((g?.local.attempts ?? 0) + (g?.remote.attempts ?? 0)).toBe(far.metrics.write.counters.attempts);
    expect((g?.local.committed ?? 0) + (g?.remote.committed ?? 0)).toBe(far.metrics.write.counters.successes);
    // With no store latency every request of a local writer takes 0 ms, of the remote one 100 ms.
    expect(near.metrics.request_latency.GET?.max_ms).toBeLessThan(0.01);
    expect(far.metrics.request_latency.GET?.max_ms).toBeCloseTo(100, 0);
    expect(far.metrics.request_latency.GET?.p50_ms).toBeLessThan(0.01); // the local writer's half
  });
});

describe('orphan_recovery_every', () => {
  it('skips recovery (its LIST of leases and segments) on all but 1 in N write sessions', async () => {
    const cfg = { num_writers: 1, num_readers: 0, writer_rate: 0.5 };
    const every = await run(cfg);
    const tenth = await run({ ...cfg, orphan_recovery_every: 10 });
    expect(tenth.metrics.write.counters.successes).toBe(every.metrics.write.counters.successes);
    const sessions = every.metrics.write.counters.attempts;
    expect(every.metrics.phases.recovery.count).toBe(sessions);
    expect(tenth.metrics.phases.recovery.count).toBe(Math.ceil(sessions / 10));
    // Each skipped recovery saves at least its two LISTs (leases, then segments past HEAD).
    const skipped = sessions - Math.ceil(sessions / 10);
    expect(every.metrics.requests.writers.LIST - tenth.metrics.requests.writers.LIST).toBeGreaterThanOrEqual(2 * skipped);
    expect(tenth.metrics.rates.requests_per_commit).toBeLessThan(every.metrics.rates.requests_per_commit ?? 0);
  });
});

describe('max_clock_skew_ms', () => {
  it("is the strict manifest's skew bound: crashed writers' orphans wait that much longer for adoption", async () => {
    const cfg = { profile: 'strict', writer_crash_prob: 0.3, num_readers: 0, writer_rate: 0.5, duration_s: 60 } as const;
    const tight = await run({ ...cfg, max_clock_skew_ms: 0 });
    const loose = await run({ ...cfg, max_clock_skew_ms: 20_000 });
    const crashed = (r: typeof tight) => r.metrics.outcomes.crashed;
    expect(crashed(tight)).toBeGreaterThan(0);
    expect(crashed(loose)).toBeGreaterThan(0);
    expect(tight.metrics.write.counters.successes).toBeGreaterThan(loose.metrics.write.counters.successes);
    // fusio-0.5 ignores it.
    const f0 = await run({ ...cfg, profile: 'fusio-0.5', max_clock_skew_ms: 0 });
    const f1 = await run({ ...cfg, profile: 'fusio-0.5', max_clock_skew_ms: 20_000 });
    expect(historyToJsonl(f1.history)).toBe(historyToJsonl(f0.history));
  });
});

describe('writer_crash_prob', () => {
  it('kills writers between segment PUT and HEAD CAS, and their orphans are adopted once the lease expires', async () => {
    const r = await run({ writer_crash_prob: 0.3, lease_ttl_ms: 2000, num_readers: 0, duration_s: 60 }, { readFinalState: true });
    expect(r.metrics.outcomes.crashed).toBeGreaterThan(2);
    // A crashed attempt is `info` (its segment landed) with the elements it appended.
    const invokes = new Map<number, number[]>();
    const orphaned: number[] = [];
    for (const e of r.history.filter(isTxnEvent)) {
      if (e.type === 'invoke') invokes.set(e.process, e.value.filter((o) => o[0] === 'append').map((o) => o[2] as number));
      else if (e.type === 'info' && e.error?.class === 'crashed') orphaned.push(...(invokes.get(e.process) ?? []));
    }
    expect(orphaned.length).toBeGreaterThan(0);
    expect(r.finalState?.ok).toBe(true);
    const final = new Set(r.finalState?.ok === true ? Object.values(r.finalState.lists).flat() : []);
    expect(orphaned.filter((x) => final.has(x)).length).toBeGreaterThan(0);
  });
});

describe('head_cache_ms', () => {
  it('HeadCacheStore answers HEAD from memory within the TTL, and a lost CAS drops the entry', async () => {
    const clock = new VirtualClock();
    const inner = new MemoryObjectStore();
    const cache = new HeadCacheStore(inner, clock, 'p/HEAD.json', 1000);
    await clock.run(async () => {
      const tag = await inner.put('p/HEAD.json', new Uint8Array([1]));
      const before = inner.requestCounts().GET;
      expect((await cache.get('p/HEAD.json'))?.etag).toBe(tag);
      expect((await cache.get('p/HEAD.json'))?.etag).toBe(tag);
      expect(inner.requestCounts().GET).toBe(before + 1);
      await clock.sleep(1000);
      await cache.get('p/HEAD.json');
      expect(inner.requestCounts().GET).toBe(before + 2);
      await expect(cache.put('p/HEAD.json', new Uint8Array([2]), { condition: { ifMatch: '"stale"' } })).rejects.toBeInstanceOf(PreconditionFailedError);
      await cache.get('p/HEAD.json');
      expect(inner.requestCounts().GET).toBe(before + 3);
    });
  });

  it('HeadCacheStore keeps its own copy: a caller changing a buffer it wrote or read changes nothing cached', async () => {
    const clock = new VirtualClock();
    const cache = new HeadCacheStore(new MemoryObjectStore(), clock, 'p/HEAD.json', 1000);
    await clock.run(async () => {
      const written = new Uint8Array([7, 7]);
      await cache.put('p/HEAD.json', written, { condition: { ifNoneMatch: '*' } });
      written[0] = 0;
      const first = await cache.get('p/HEAD.json');
      expect([...(first?.body ?? [])]).toEqual([7, 7]);
      if (first) first.body[1] = 0;
      expect([...((await cache.get('p/HEAD.json'))?.body ?? [])]).toEqual([7, 7]);
    });
  });

  it('saves HEAD GETs and lets readers see older snapshots (fewer reader requests)', async () => {
    const cfg = { num_readers: 4, reader_rate: 2, num_writers: 2, writer_rate: 0.2 };
    const plain = await run(cfg);
    const cached = await run({ ...cfg, head_cache_ms: 5000 });
    const perRead = (r: typeof plain) => r.metrics.requests.readers.GET / r.metrics.read.counters.txns;
    expect(perRead(cached)).toBeLessThan(perRead(plain));
  });
});
