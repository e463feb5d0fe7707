/**
 * The process nemeses, one at a time: a pause stalls one request once, a crash kills the client
 * without cleanup and a new process takes over, a skewed clock moves only the wall clock, and
 * compactors run beside the workload. Unit checks on the store seam, then whole workloads.
 */
import { MemoryObjectStore, PreconditionFailedError, ProcessCrashedError, SeededRandom, VirtualClock } from '@manifest-lab/manifest-core';
import { parseWorkloadConfig, runWorkload } from '@manifest-lab/workload';
import { describe, expect, it } from 'vitest';
import { type FaultPlan, parseFaultPlan } from './fault-plan.js';
import { FaultyObjectStore } from './faulty-store.js';
import { chaosEnvironment, SkewedClock } from './process-nemeses.js';

const SEED = Number(process.env.MANIFEST_LAB_SEED ?? 3);
const bytes = (s: string) => new TextEncoder().encode(s);

/** Run `body` on a fresh virtual clock with a store faulted by `plan` for client `writer-0`. */
function onStore(plan: FaultPlan, body: (store: FaultyObjectStore, clock: VirtualClock, inner: MemoryObjectStore) => Promise<void>) {
  const clock = new VirtualClock();
  const inner = new MemoryObjectStore();
  const store = new FaultyObjectStore(inner, plan, 'writer-0', clock, new SeededRandom(SEED));
  return clock.run(() => body(store, clock, inner));
}

describe('process faults at the store seam', () => {
  it('a pause stalls the first matching request of the window once, for its length', () =>
    onStore({ name: 'p', windows: [{ label: 'pause', start_s: 0, end_s: 10, fault: { kind: 'pause', ms: 5000 } }] }, async (store, clock) => {
      await store.put('a', bytes('1'));
      expect(clock.now()).toBe(5000);
      await store.put('b', bytes('2'));
      expect(clock.now()).toBe(5000); // once per window
      expect(store.counts.pause?.paused).toBe(1);
    }));

  it('a crash after the request applies it; the dead process never sends again; its replacement is not crashed again by the window', () => {
    const plan: FaultPlan = { name: 'c', windows: [{ label: 'crash', start_s: 0, end_s: 100, fault: { kind: 'crash', when: 'after', restart_ms: 3000 }, target: { kinds: ['PUT'] } }] };
    const env = chaosEnvironment(plan);
    const clock = new VirtualClock();
    const inner = new MemoryObjectStore();
    return clock.run(async () => {
      const dead = env.wrapClientStore(inner, 'writer-0', clock, new SeededRandom(SEED));
      const crash = await dead.put('seg', bytes('x')).catch((e: unknown) => e);
      expect(crash).toBeInstanceOf(ProcessCrashedError);
      expect((crash as ProcessCrashedError).restartAtMs).toBe(3000);
      expect(await inner.get('seg')).not.toBeNull(); // it landed: "after"
      await expect(dead.get('seg')).rejects.toBeInstanceOf(ProcessCrashedError); // dead: nothing is sent
      await clock.sleep(3000);
      // Still dead past the restart time: a lingering retry loop of the old process gets nowhere.
      await expect(dead.put('late', bytes('z'))).rejects.toBeInstanceOf(ProcessCrashedError);
      expect(await inner.get('late')).toBeNull();
      const next = env.wrapClientStore(inner, 'writer-0', clock, new SeededRandom(SEED));
      await next.put('seg2', bytes('y')); // the new process: the window does not fire again
      expect(env.stores.map((s) => s.counts.crash?.crashed ?? 0)).toEqual([1, 0]);
    });
  });

  it('a crash "after" waits for a matching request that takes effect: a refused one leaves the window armed', () =>
    onStore(
      { name: 'c', windows: [{ label: 'crash', start_s: 0, end_s: 100, fault: { kind: 'crash', when: 'after', restart_ms: 0 }, target: { kinds: ['CPUT'] } }] },
      async (store, _clock, inner) => {
        await inner.put('seg', bytes('theirs'));
        await expect(store.put('seg', bytes('mine'), { condition: { ifNoneMatch: '*' } })).rejects.toBeInstanceOf(PreconditionFailedError);
        expect(store.counts.crash?.crashed ?? 0).toBe(0);
        await expect(store.put('seg2', bytes('mine'), { condition: { ifNoneMatch: '*' } })).rejects.toBeInstanceOf(ProcessCrashedError);
        expect(store.counts.crash?.crashed).toBe(1);
      },
    ));

  it('a crash before the request sends nothing', () =>
    onStore({ name: 'c', windows: [{ label: 'crash', start_s: 0, end_s: 100, fault: { kind: 'crash', when: 'before', restart_ms: 0 } }] }, async (store, _clock, inner) => {
      await expect(store.put('seg', bytes('x'))).rejects.toBeInstanceOf(ProcessCrashedError);
      expect(await inner.get('seg')).toBeNull();
    }));

  it('bandwidth delays a PUT by its size over the rate', () =>
    onStore({ name: 'b', windows: [{ label: 'bw', start_s: 0, end_s: 100, fault: { kind: 'bandwidth', bytes_per_s: 1000 } }] }, async (store, clock) => {
      await store.put('big', new Uint8Array(2500));
      expect(clock.now()).toBe(2500);
    }));

  it('a skewed clock moves wallNow inside its window only, never now or sleep', () => {
    const clock = new VirtualClock();
    return clock.run(async () => {
        const skewed = new SkewedClock(clock, [{ label: 's', start_s: 1, end_s: 2, fault: { kind: 'skew', ms: 60_000 } }]);
        expect(skewed.wallNow() - clock.wallNow()).toBe(0);
        await skewed.sleep(1500);
        expect(skewed.now()).toBe(clock.now());
        expect(skewed.wallNow() - clock.wallNow()).toBe(60_000);
        await skewed.sleep(1000);
        expect(skewed.wallNow() - clock.wallNow()).toBe(0);
    });
  });

  it('the new kinds parse with defaults and are refused when malformed', () => {
    const plan = parseFaultPlan({ name: 'x', windows: [{ label: 'c', start_s: 0, end_s: 1, fault: { kind: 'crash' } }, { label: 'k', start_s: 0, end_s: 1, fault: { kind: 'compaction', every_s: 2 } }] });
    expect(plan.windows[0]?.fault).toEqual({ kind: 'crash', when: 'after', restart_ms: 1000 });
    expect(plan.windows[1]?.fault).toEqual({ kind: 'compaction', every_s: 2, compactors: 1, gc: 'none' });
    expect(() => parseFaultPlan({ name: 'x', windows: [{ label: 'p', start_s: 0, end_s: 1, fault: { kind: 'pause', ms: -1 } }] })).toThrow(/fault\.ms/);
    expect(() => parseFaultPlan({ name: 'x', windows: [{ label: 'c', start_s: 0, end_s: 1, fault: { kind: 'compaction', every_s: 1, gc: 'sometimes' } }] })).toThrow(/fault\.gc/);
  });
});

describe('process nemeses in a workload', { timeout: 60_000 }, () => {
  const config = parseWorkloadConfig({ num_writers: 3, writer_rate: 0.5, num_readers: 2, reader_rate: 1, duration_s: 60, warmup_s: 0, lease_ttl_ms: 10_000, seed: SEED });

  it(`a crashed writer is replaced by a new process: its attempt is info under a fresh process id, and it commits again (seed ${SEED})`, async () => {
    const plan: FaultPlan = {
      name: 'crash',
      windows: [{ label: 'crash', start_s: 5, end_s: 60, fault: { kind: 'crash', when: 'after', restart_ms: 2000 }, target: { clients: ['writer-0'], kinds: ['CPUT'], key_contains: '/segments/' } }],
    };
    const env = chaosEnvironment(plan);
    const run = await runWorkload(config, { ...env, readFinalState: true });
    expect(run.metrics.outcomes.crashed, `seed ${SEED}`).toBe(1);
    const crashed = run.history.find((e) => e.process !== 'nemesis' && e.error?.class === 'crashed');
    expect(crashed?.type, `seed ${SEED}`).toBe('info'); // its segment PUT landed: unknown, not failed
    // Writer 0 (process 0 until the crash) commits again later, as another process.
    const later = run.history.filter((e) => e.process !== 'nemesis' && e.type === 'ok' && e.time > (crashed?.time ?? 0) && typeof e.process === 'number' && e.process >= 5);
    expect(later.length, `seed ${SEED}`).toBeGreaterThan(0);
    expect(run.finalState?.ok, `seed ${SEED}`).toBe(true);
  });

  it(`a crash on a lease PUT, with an immediate restart, still ends the attempt as crashed (seed ${SEED})`, async () => {
    // The lease store retries any failed create: a process that came back by itself would absorb the crash.
    const plan: FaultPlan = {
      name: 'crash at lease',
      windows: [{ label: 'crash', start_s: 5, end_s: 60, fault: { kind: 'crash', when: 'before', restart_ms: 0 }, target: { clients: ['writer-0'], kinds: ['CPUT'], key_contains: '/leases/' } }],
    };
    const run = await runWorkload(config, chaosEnvironment(plan));
    expect(run.metrics.outcomes.crashed, `seed ${SEED}`).toBe(1);
    const crashed = run.history.filter((e) => e.process !== 'nemesis' && e.error?.class === 'crashed');
    expect(crashed.map((e) => e.type), `seed ${SEED}`).toEqual(['fail']); // nothing was sent past the lease
  });

  it(`write invokes carry their logical transaction: a retry shares it (seed ${SEED})`, async () => {
    const run = await runWorkload(config);
    const invokes = run.history.filter((e) => e.process !== 'nemesis' && e.type === 'invoke' && e.value.some((m) => m[0] === 'append'));
    expect(invokes.every((e) => e.process !== 'nemesis' && typeof e.txn === 'number')).toBe(true);
    const txns = invokes.map((e) => (e.process === 'nemesis' ? 0 : (e.txn as number)));
    expect(new Set(txns).size, `seed ${SEED}`).toBeLessThan(txns.length); // some were retried
    expect(run.metrics.write.counters.retries, `seed ${SEED}`).toBe(txns.length - new Set(txns).size);
  });

  it(`compaction with GC as a nemesis: two compactors publish checkpoints, and the window is a nemesis entry (seed ${SEED})`, async () => {
    const plan: FaultPlan = { name: 'gc', windows: [{ label: 'compactors', start_s: 5, end_s: 60, fault: { kind: 'compaction', every_s: 3, compactors: 2, gc: 'inline' } }] };
    const env = chaosEnvironment(plan);
    const run = await runWorkload(config, env);
    expect(env.compaction.checkpoints, `seed ${SEED}`).toBeGreaterThan(5);
    expect(run.history.filter((e) => e.process === 'nemesis').map((e) => e.f)).toEqual(['start', 'stop']);
    expect(run.metrics.conflict_model?.lambda_others ?? 0, `seed ${SEED}`).toBeGreaterThan(0);
  });
});
