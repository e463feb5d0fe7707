import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock.js';
import { ThrottledError } from '../errors.js';
import { encodeUtf8 } from '../json.js';
import { SeededRandom } from '../random.js';
import { LATENCY_PROFILES, latencySampler, PrefixThrottle, sampleLatency } from './latency-model.js';
import { MemoryObjectStore } from './memory-object-store.js';

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(q * (s.length - 1))] as number;
}

describe('latency model', () => {
  it('samples a lognormal with the configured median and p99', () => {
    const r = new SeededRandom(3);
    const xs = Array.from({ length: 40_000 }, () => sampleLatency({ kind: 'lognormal', medianMs: 25, p99Ms: 200 }, r));
    expect(quantile(xs, 0.5)).toBeGreaterThan(25 * 0.95);
    expect(quantile(xs, 0.5)).toBeLessThan(25 * 1.05);
    expect(quantile(xs, 0.99)).toBeGreaterThan(200 * 0.9);
    expect(quantile(xs, 0.99)).toBeLessThan(200 * 1.1);
    expect(Math.min(...xs)).toBeGreaterThan(0);
  });

  it('draws the rare tail at its probability and within its range', () => {
    const r = new SeededRandom(4);
    const d = { kind: 'lognormal', medianMs: 10, p99Ms: 20, tail: { probability: 0.01, minMs: 1000, maxMs: 2000 } } as const;
    const xs = Array.from({ length: 50_000 }, () => sampleLatency(d, r));
    const tail = xs.filter((x) => x >= 1000);
    expect(tail.length / xs.length).toBeGreaterThan(0.008);
    expect(tail.length / xs.length).toBeLessThan(0.012);
    expect(Math.max(...tail)).toBeLessThanOrEqual(2000);
  });

  it('is a pure function of the seed', () => {
    const a = new SeededRandom(9);
    const b = new SeededRandom(9);
    const d = LATENCY_PROFILES['s3-standard'].perKind.CPUT;
    expect(Array.from({ length: 100 }, () => sampleLatency(d, a))).toEqual(
      Array.from({ length: 100 }, () => sampleLatency(d, b)),
    );
  });

  it('latencySampler draws exactly what sampleLatency draws, tail included', () => {
    for (const profile of Object.values(LATENCY_PROFILES)) {
      for (const d of Object.values(profile.perKind)) {
        const a = new SeededRandom(5);
        const b = new SeededRandom(5);
        const sample = latencySampler(d);
        const xs = Array.from({ length: 5000 }, () => sampleLatency(d, a));
        expect(Array.from({ length: 5000 }, () => sample(b))).toEqual(xs);
        expect(b.next()).toBe(a.next()); // the same number of draws
      }
    }
  });

  it('the named profiles have the documented medians', () => {
    expect(LATENCY_PROFILES['s3-standard'].perKind.GET).toMatchObject({ medianMs: 25, p99Ms: 200 });
    expect(LATENCY_PROFILES.local.perKind.PUT).toMatchObject({ medianMs: 2.97, p99Ms: 8.12 });
    expect(LATENCY_PROFILES.none.perKind.LIST).toEqual({ kind: 'fixed', ms: 0 });
  });
});

describe('PrefixThrottle', () => {
  it('admits a prefix up to its rate, then refuses until tokens refill', () => {
    const t = new PrefixThrottle({ writesPerSec: 10, readsPerSec: 20 });
    const admitted = Array.from({ length: 15 }, () => t.admit('PUT', 'p/seg-1', 0)).filter(Boolean).length;
    expect(admitted).toBe(10);
    expect(t.admit('GET', 'p/seg-1', 0)).toBe(true); // reads have their own budget
    expect(t.admit('PUT', 'q/other', 0)).toBe(true); // another prefix
    expect(t.admit('PUT', 'p/seg-2', 50)).toBe(false); // 0.5 token after 50 ms
    expect(t.admit('PUT', 'p/seg-2', 100)).toBe(true); // one token after 100 ms
  });

  it('keeps one bucket per directory, however many directories', () => {
    const t = new PrefixThrottle({ writesPerSec: 2, readsPerSec: 2 });
    const dirs = Array.from({ length: 20 }, (_, i) => `d${i}/`);
    for (const d of dirs) expect([t.admit('PUT', `${d}a`, 0), t.admit('PUT', `${d}b`, 0), t.admit('PUT', `${d}c`, 0)]).toEqual([true, true, false]);
    expect(t.admit('PUT', 'd1/sub/a', 0)).toBe(true); // d1/sub/ is a prefix of its own
    expect(t.admit('PUT', 'd1', 0)).toBe(true); // the root prefix ''
    expect(t.admit('PUT', 'd19/z', 500)).toBe(true); // refilled
  });
});

describe('MemoryObjectStore with a latency model', () => {
  it('spends the sampled time in virtual time, the write taking effect half-way', async () => {
    const clock = new VirtualClock();
    const store = new MemoryObjectStore({
      latency: { name: 'fixed', perKind: { ...LATENCY_PROFILES.none.perKind, PUT: { kind: 'fixed', ms: 40 } } },
      clock,
      random: new SeededRandom(1),
    });
    const seen = await clock.run(async () => {
      const put = store.put('k', encodeUtf8('v'));
      await clock.sleep(10);
      const early = await store.get('k'); // GET is instant: the PUT is not applied yet at t=10
      await clock.sleep(15);
      const mid = await store.get('k'); // t=25: applied at t=20
      await put;
      return { early, mid: mid !== null, done: clock.now() };
    });
    expect(seen).toEqual({ early: null, mid: true, done: 40 });
  });

  it('throttles a prefix above 3,500 writes/s with 503 SlowDown (s3-standard)', async () => {
    const clock = new VirtualClock();
    const store = new MemoryObjectStore({ latency: 's3-standard', clock, random: new SeededRandom(2) });
    const results = await clock.run(() =>
      Promise.allSettled(Array.from({ length: 5000 }, (_, i) => store.put(`hot/k${i}`, encodeUtf8('x')))),
    );
    const throttled = results.filter((r) => r.status === 'rejected');
    expect(throttled.length).toBeGreaterThan(1000);
    expect(throttled.every((r) => (r as PromiseRejectedResult).reason instanceof ThrottledError)).toBe(true);
    expect(store.requestCounts().PUT).toBe(5000); // throttled requests are billed too
  });

  it('takes no timers with the none profile, and needs clock and random with a model', async () => {
    const clock = new VirtualClock();
    const store = new MemoryObjectStore({ latency: 'none', clock, random: new SeededRandom(0) });
    await clock.run(() => store.put('k', encodeUtf8('v')));
    expect(clock.events).toBe(0);
    expect(() => new MemoryObjectStore({ latency: 'local' })).toThrow(/clock and random/);
    expect(() => new MemoryObjectStore({ latency: 'nope' as 'local', clock, random: new SeededRandom(0) })).toThrow(
      /unknown latency profile/,
    );
  });
});
