import {
  NotFoundError,
  type ObjectStore,
  ObjectStoreDecorator,
  PreconditionFailedError,
  type StoreRequest,
  ThrottledError,
  TimeoutError,
} from '@manifest-lab/manifest-core';
import { describe, expect, it } from 'vitest';
import { parseWorkloadConfig } from './config.js';
import { classifyWriteFailure, WRITE_OUTCOMES } from './outcomes.js';
import { runWorkload } from './run-workload.js';

const SEED = Number(process.env.MANIFEST_LAB_SEED ?? 11);

describe('classifyWriteFailure', () => {
  const before = { phase: undefined, segmentSent: false } as const;
  it('names each failure by what it means for the transaction', () => {
    expect(classifyWriteFailure(new PreconditionFailedError(), { phase: 'head_cas', segmentSent: true })).toBe('conflict');
    expect(classifyWriteFailure(new NotFoundError('lease gone'), { phase: 'recovery', segmentSent: false })).toBe('lease_race');
    expect(classifyWriteFailure(new NotFoundError('segment gone'), { phase: 'snapshot', segmentSent: false })).toBe('other');
    expect(classifyWriteFailure(new TimeoutError('slow'), before)).toBe('timeout');
    expect(classifyWriteFailure(new ThrottledError('SlowDown'), before)).toBe('throttled');
    expect(classifyWriteFailure(new Error('boom'), before)).toBe('other');
    // Once a segment PUT was sent, only a conflict is definite.
    expect(classifyWriteFailure(new TimeoutError('slow'), { phase: 'segment_put', segmentSent: true })).toBe('ambiguous');
    expect(classifyWriteFailure(new ThrottledError('SlowDown'), { phase: 'head_cas', segmentSent: true })).toBe('ambiguous');
  });
});

/** Fails every request of one kind whose key matches, with `make()`'s error. */
class FailingStore extends ObjectStoreDecorator {
  constructor(
    inner: ObjectStore,
    private readonly match: (r: StoreRequest) => boolean,
    private readonly make: () => Error,
  ) {
    super(inner);
  }
  protected override around<T>(request: StoreRequest, op: () => Promise<T>): Promise<T> {
    return this.match(request) ? Promise.reject(this.make()) : op();
  }
}

const small = { num_writers: 2, writer_rate: 0.5, num_readers: 2, reader_rate: 1, duration_s: 40, warmup_s: 4, seed: SEED };

describe('write outcomes in a run', { timeout: 60_000 }, () => {
  it(`shows the default baseline's lease races: classes add up, history says why (seed ${SEED})`, async () => {
    const run = await runWorkload(parseWorkloadConfig({ seed: SEED }));
    const m = run.metrics;
    const total = WRITE_OUTCOMES.reduce((a, o) => a + m.outcomes[o], 0);
    expect(total, `seed ${SEED}`).toBe(m.write.counters.txns);
    expect(m.outcomes.lease_race, `seed ${SEED}`).toBeGreaterThan(0);
    expect(m.top_failure_class).toBe('lease_race');
    expect(m.rates.txn_failure_rate).toBeCloseTo((m.write.counters.txns - m.outcomes.committed) / m.write.counters.txns, 5);
    const races = run.history.filter((e) => e.type === 'fail' && e.error?.class === 'lease_race');
    expect(races.length).toBeGreaterThanOrEqual(m.outcomes.lease_race);
    expect(races[0]?.error?.message).toMatch(/^not-found: /);
    // ok entries carry no error; every fail/info does.
    expect(run.history.filter((e) => e.type === 'ok').every((e) => e.error === undefined)).toBe(true);
    expect(run.history.filter((e) => e.type === 'fail' || e.type === 'info').every((e) => e.error !== undefined)).toBe(true);
  });

  it(`calls a lost segment-PUT answer ambiguous and records it as info (seed ${SEED})`, async () => {
    const run = await runWorkload(parseWorkloadConfig({ ...small, num_readers: 0 }), {
      wrapStore: (s) => new FailingStore(s, (r) => r.kind === 'CPUT' && r.key.includes('/segments/'), () => new TimeoutError('no answer')),
    });
    const m = run.metrics;
    expect(m.outcomes.ambiguous).toBe(m.write.counters.txns);
    expect(m.top_failure_class).toBe('ambiguous');
    const infos = run.history.filter((e) => e.type === 'info');
    expect(infos.length).toBeGreaterThan(0);
    expect(infos.every((e) => e.error?.class === 'ambiguous' && /^timeout: no answer/.test(e.error.message))).toBe(true);
  });

  it(`calls throttling before the commit throttled, and a definite fail (seed ${SEED})`, async () => {
    const run = await runWorkload(parseWorkloadConfig({ ...small, num_readers: 0 }), {
      wrapStore: (s) => new FailingStore(s, (r) => r.kind === 'CPUT' && r.key.endsWith('HEAD.json'), () => new ThrottledError('SlowDown')),
    });
    // The HEAD CAS comes after the segment PUT: throttling there may hide a landed segment, so
    // that attempt is ambiguous; every later one fails throttled, definitely, trying to adopt
    // that orphan segment (recovery's own HEAD CAS is throttled too).
    const ends = run.history.filter((e) => e.type !== 'invoke');
    expect(ends[0]).toMatchObject({ type: 'info', error: { class: 'ambiguous', message: 'throttled: SlowDown' } });
    expect(ends.slice(1).every((e) => e.type === 'fail' && e.error?.class === 'throttled')).toBe(true);
    expect(run.metrics.outcomes.throttled + run.metrics.outcomes.ambiguous).toBe(run.metrics.write.counters.txns);
    const early = await runWorkload(parseWorkloadConfig({ ...small, num_readers: 0 }), {
      wrapStore: (s) => new FailingStore(s, (r) => r.kind === 'CPUT' && r.key.includes('/leases/'), () => new ThrottledError('SlowDown')),
    });
    expect(early.metrics.outcomes.throttled).toBe(early.metrics.write.counters.txns);
    expect(early.history.filter((e) => e.type === 'fail').every((e) => e.error?.class === 'throttled')).toBe(true);
    expect(early.history.some((e) => e.type === 'info')).toBe(false);
  });
});
