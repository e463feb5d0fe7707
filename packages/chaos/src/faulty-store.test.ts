/**
 * Faults at the ObjectStore seam, in a real (virtual-time) workload, checked by the lab's
 * isolation checker: what the protocol should survive verifies clean; lost responses reproduce
 * fusio-0.5's hazard §6.1 (a commit reported failed that became visible).
 */
import type { ObjectStore } from '@manifest-lab/manifest-core';
import { checkHistory, pairHistory, parseHistory } from '@manifest-lab/verify';
import { historyToJsonl, parseWorkloadConfig, runWorkload } from '@manifest-lab/workload';
import { describe, expect, it } from 'vitest';
import { constantFault, type FaultPlan, faultWindowRecords, randomOutages } from './fault-plan.js';
import { FaultyObjectStore } from './faulty-store.js';

const SEED = Number(process.env.MANIFEST_LAB_SEED ?? 4);
const config = parseWorkloadConfig({ num_writers: 3, writer_rate: 0.5, num_readers: 2, reader_rate: 1, duration_s: 120, seed: SEED });

async function runWith(plan: FaultPlan) {
  const stores: FaultyObjectStore[] = [];
  const run = await runWorkload(config, {
    faultWindows: faultWindowRecords(plan),
    wrapClientStore: (s: ObjectStore, client, clock, random) => {
      const f = new FaultyObjectStore(s, plan, client, clock, random);
      stores.push(f);
      return f;
    },
  });
  const check = checkHistory(pairHistory(run.history), { workload: 'list-append', model: 'strict-serializable' });
  const total = (field: 'delayed' | 'dropped' | 'failed' | 'lostResponses') =>
    stores.reduce((a, s) => a + Object.values(s.counts).reduce((b, c) => b + c[field], 0), 0);
  return { run, check, stores, total };
}

describe('FaultyObjectStore under a workload', { timeout: 120_000 }, () => {
  it(`survives three random 10-second outages: timeouts counted, history valid (seed ${SEED})`, async () => {
    const { run, check, total } = await runWith(randomOutages(SEED, { durationS: 120, count: 3, lengthS: 10, fromS: 15 }));
    expect(total('dropped'), `seed ${SEED}`).toBeGreaterThan(0);
    expect(run.metrics.outcomes.timeout + run.metrics.outcomes.ambiguous, `seed ${SEED}`).toBeGreaterThan(0);
    expect(check.valid, `seed ${SEED}: ${check.anomalyTypes.join(', ')}`).toBe(true);
  });

  it(`records each fault window as nemesis entries and splits the metrics by it (seed ${SEED})`, async () => {
    const plan = randomOutages(SEED, { durationS: 120, count: 3, lengthS: 10, fromS: 15 });
    const { run } = await runWith(plan);
    const marks = run.history.filter((e) => e.process === 'nemesis');
    expect(marks.map((e) => `${e.f} ${e.value}`)).toEqual(
      plan.windows.flatMap((w) => [`start ${w.label}`, `stop ${w.label}`]),
    );
    for (const [i, w] of plan.windows.entries()) {
      expect(marks[2 * i]?.time).toBe(Math.round(w.start_s * 1e9));
      expect(marks[2 * i + 1]?.time).toBe(Math.round(w.end_s * 1e9));
    }
    // The written history still parses and checks (nemesis lines are skipped).
    expect(checkHistory(parseHistory(historyToJsonl(run.history)), { workload: 'list-append', model: 'strict-serializable' }).valid).toBe(true);
    const f = run.metrics.faults;
    expect(f?.during.seconds).toBeCloseTo(30, 6);
    expect(f?.outside.seconds).toBeCloseTo(120 - config.warmup_s - 30, 6);
    expect((f?.during.txns ?? 0) + (f?.outside.txns ?? 0)).toBe(run.metrics.write.counters.txns);
    for (const part of [f?.during, f?.outside]) {
      expect(part?.attempts).toBeGreaterThanOrEqual(part?.txns ?? 0);
      expect(part?.txn_failure_rate).toBeCloseTo(((part?.txns ?? 0) - (part?.committed ?? 0)) / (part?.txns ?? 1), 5);
    }
    // fusio-0.5 retries a timed-out request, so an outage mostly turns into waiting: the
    // transactions that arrived during one still committed.
    expect(f?.during.committed, `seed ${SEED}`).toBeGreaterThan(0);
  });

  it(`survives 503 SlowDown on a fifth of requests (seed ${SEED})`, async () => {
    const { run, check, total } = await runWith(constantFault('503', { kind: 'errors', rate: 0.2, error: 'slowdown' }, 120));
    expect(total('failed')).toBeGreaterThan(100);
    expect(run.metrics.outcomes.throttled).toBeGreaterThan(0);
    expect(run.metrics.outcomes.committed).toBeGreaterThan(0);
    expect(check.valid, `seed ${SEED}: ${check.anomalyTypes.join(', ')}`).toBe(true);
  });

  it(`adds latency and partitions only the targeted client (seed ${SEED})`, async () => {
    const plan = constantFault('writer-0 cut off', { kind: 'outage', mode: 'reset' }, 120, { clients: ['writer-0'] }, 10);
    const { run, check, stores } = await runWith(plan);
    const hit = stores.filter((s) => (s.counts['writer-0 cut off']?.dropped ?? 0) > 0);
    expect(hit).toHaveLength(1);
    expect(run.metrics.outcomes.committed).toBeGreaterThan(0);
    expect(check.valid).toBe(true);
    const slow = await runWith(constantFault('+200 ms', { kind: 'latency', ms: 200 }, 120));
    expect(slow.total('delayed')).toBeGreaterThan(0);
    expect(slow.run.metrics.write.latency.p50_ms).toBeGreaterThan(run.metrics.write.latency.p50_ms);
    expect(slow.check.valid).toBe(true);
  });

  for (const [what, key] of [
    ['segment PUT', '/segments/'],
    ['HEAD CAS', 'HEAD.json'],
  ] as const) {
    it(`reproduces hazard §6.1 when a ${what}'s answer is lost: a failed commit becomes visible (seed ${SEED})`, async () => {
      const plan = constantFault(`lost ${what} answers`, { kind: 'ambiguous', rate: 0.3 }, 120, { kinds: ['CPUT'], key_contains: key });
      const { check, total } = await runWith(plan);
      expect(total('lostResponses'), `seed ${SEED}`).toBeGreaterThan(0);
      expect(check.valid, `seed ${SEED}`).toBe(false);
      expect(check.anomalyTypes, `seed ${SEED}`).toContain('G1a');
    });
  }

  it(`replays byte for byte from the seed and the plan (seed ${SEED})`, async () => {
    const plan = randomOutages(SEED, { durationS: 120, count: 2, lengthS: 10 });
    const a = await runWith(plan);
    const b = await runWith(plan);
    expect(historyToJsonl(b.run.history)).toBe(historyToJsonl(a.run.history));
    expect(JSON.stringify(b.run.metrics)).toBe(JSON.stringify(a.run.metrics));
  });
});
