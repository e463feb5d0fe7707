/**
 * The fault-injecting `ObjectStore`: a decorator that consults a fault plan on every request —
 * by run time, client, request kind and key — and delays it, drops it, fails it, or applies it
 * and loses the answer. Every random choice comes from the run's seed, every wait from its
 * clock, so in virtual time a chaos run replays byte for byte.
 */
import {
  type Clock,
  type ObjectStore,
  ObjectStoreDecorator,
  type Random,
  sampleLatency,
  type StoreRequest,
  ThrottledError,
  TimeoutError,
  TransientError,
} from '@manifest-lab/manifest-core';
import { cpuSlowdownMs, type FaultPlan, type FaultWindow, windowApplies } from './fault-plan.js';

/** What the store did, per fault label: for the run's record and for tests. */
export type FaultCounts = Record<string, { delayed: number; dropped: number; failed: number; lostResponses: number }>;

export class FaultyObjectStore extends ObjectStoreDecorator {
  readonly counts: FaultCounts = {};

  constructor(
    inner: ObjectStore,
    private readonly plan: FaultPlan,
    /** This client's name (`writer-0`, `reader-3`): partitions and per-client faults match it. */
    private readonly client: string,
    private readonly clock: Clock,
    private readonly random: Random,
  ) {
    super(inner);
  }

  protected override async around<T>(request: StoreRequest, op: () => Promise<T>): Promise<T> {
    const active = this.plan.windows.filter((w) => windowApplies(w, this.clock.now(), this.client, request.kind, request.key));
    if (active.length === 0) return op();
    // Delays first (they add up), then the first window that stops the request decides.
    for (const w of active) {
      const f = w.fault;
      if (f.kind === 'cpu') {
        this.count(w).delayed++;
        await this.clock.sleep(cpuSlowdownMs(f));
        continue;
      }
      if (f.kind !== 'latency') continue;
      const ms = f.p99_ms === undefined ? f.ms : sampleLatency({ kind: 'lognormal', medianMs: f.ms, p99Ms: f.p99_ms }, this.random);
      this.count(w).delayed++;
      await this.clock.sleep(ms);
    }
    for (const w of active) {
      const f = w.fault;
      switch (f.kind) {
        case 'latency':
        case 'cpu':
          break;
        case 'outage':
          this.count(w).dropped++;
          if (f.mode === 'blackhole') {
            await this.clock.sleep(Math.max(0, w.end_s * 1000 - this.clock.now()));
            throw new TimeoutError(`${request.kind} ${request.key}: no answer (fault "${w.label}")`);
          }
          throw new TransientError(`${request.kind} ${request.key}: connection reset (fault "${w.label}")`);
        case 'errors':
          if (this.random.next() >= f.rate) break;
          this.count(w).failed++;
          if (f.error === 'slowdown') throw new ThrottledError(`${request.kind} ${request.key}: 503 SlowDown (fault "${w.label}")`);
          if (f.error === 'internal') throw new TransientError(`${request.kind} ${request.key}: 500 InternalError (fault "${w.label}")`);
          throw new TimeoutError(`${request.kind} ${request.key}: timed out before sending (fault "${w.label}")`);
        case 'ambiguous': {
          if (this.random.next() >= f.rate) break;
          await op();
          this.count(w).lostResponses++;
          throw new TimeoutError(`${request.kind} ${request.key}: applied, but the response was lost (fault "${w.label}")`);
        }
      }
    }
    return op();
  }

  private count(w: FaultWindow) {
    let c = this.counts[w.label];
    if (c === undefined) {
      c = { delayed: 0, dropped: 0, failed: 0, lostResponses: 0 };
      this.counts[w.label] = c;
    }
    return c;
  }
}
