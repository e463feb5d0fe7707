import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency-histogram.js';

describe('LatencyHistogram', () => {
  it('summarises in ms with 3 significant digits and sub-ms resolution', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 10); // 0.1 .. 100 ms
    const s = h.summary();
    expect(s.count).toBe(1000);
    expect(s.p50_ms).toBeCloseTo(50, 0);
    expect(s.p99_ms).toBeCloseTo(99, 0);
    expect(s.max_ms).toBeCloseTo(100, 0);
    expect(s.mean_ms).toBeCloseTo(50.05, 0);
  });

  it('round-trips through HdrHistogram compressed base64', () => {
    const h = new LatencyHistogram();
    for (const ms of [1, 2, 3, 250, 1200]) h.record(ms);
    expect(LatencyHistogram.decodeSummary(h.encode())).toEqual(h.summary());
  });

  it('is all zeros when empty', () => {
    expect(new LatencyHistogram().summary()).toEqual({
      count: 0, mean_ms: 0, p50_ms: 0, p90_ms: 0, p95_ms: 0, p99_ms: 0, p999_ms: 0, max_ms: 0,
    });
  });
});
