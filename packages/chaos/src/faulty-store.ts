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
  type PutOptions,
  ProcessCrashedError,
  type Random,
  sampleLatency,
  type StoreRequest,
  ThrottledError,
  TimeoutError,
  TransientError,
} from '@manifest-lab/manifest-core';
import { cpuSlowdownMs, type FaultPlan, type FaultWindow, windowApplies } from './fault-plan.js';

/** What the store did, per fault label: for the run's record and for tests. */
export type FaultCount = { delayed: number; dropped: number; failed: number; lostResponses: number; paused: number; crashed: number };
export type FaultCounts = Record<string, FaultCount>;

const emptyCount = (): FaultCount => ({ delayed: 0, dropped: 0, failed: 0, lostResponses: 0, paused: 0, crashed: 0 });

/** Several stores' counts (e.g. every client's, every incarnation's) summed per fault label, labels in order. */
export function totalFaultCounts(stores: readonly FaultyObjectStore[]): FaultCounts {
  const total: FaultCounts = {};
  for (const store of stores) {
    for (const [label, c] of Object.entries(store.counts)) {
      const sum = total[label] ?? emptyCount();
      for (const k of Object.keys(sum) as (keyof FaultCount)[]) sum[k] += c[k];
      total[label] = sum;
    }
  }
  return Object.fromEntries(Object.keys(total).sort().map((k) => [k, total[k] as FaultCount]));
}

export class FaultyObjectStore extends ObjectStoreDecorator {
  readonly counts: FaultCounts = {};
  /**
   * Windows whose once-per-client fault (pause, crash) has fired — shared by every incarnation
   * of the client, so a restarted process is not crashed again by the same window.
   */
  readonly #fired: Set<FaultWindow>;
  /** Once this process has crashed: when its replacement starts (run time, ms). It never revives. */
  #deadUntil: number | undefined;
  /** When this process crashed (run time, ms), if it did. */
  crashedAtMs: number | undefined;
  /** The body size of the PUT in flight through `around` (for bandwidth). */
  #putBytes = 0;

  constructor(
    inner: ObjectStore,
    private readonly plan: FaultPlan,
    /** This client's name (`writer-0`, `reader-3`): partitions and per-client faults match it. */
    private readonly client: string,
    private readonly clock: Clock,
    private readonly random: Random,
    /** The client's fired windows, across its incarnations (default: this store's own). */
    fired: Set<FaultWindow> = new Set(),
  ) {
    super(inner);
    this.#fired = fired;
  }

  override put(key: string, body: Uint8Array, options?: PutOptions): Promise<string> {
    this.#putBytes = body.byteLength;
    return super.put(key, body, options);
  }

  protected override async around<T>(request: StoreRequest, op: () => Promise<T>): Promise<T> {
    const putBytes = request.kind === 'PUT' || request.kind === 'CPUT' ? this.#putBytes : 0;
    const now = this.clock.now();
    // A dead process sends nothing, ever — even its own retry loops; its replacement gets a
    // store of its own (see chaosEnvironment).
    if (this.#deadUntil !== undefined) throw this.#crashed(request, this.#deadUntil);
    const active = this.plan.windows.filter((w) => windowApplies(w, now, this.client, request.kind, request.key));
    if (active.length === 0) return op();
    // Delays first (they add up), then the first window that stops the request decides.
    for (const w of active) {
      const f = w.fault;
      if (f.kind === 'cpu') {
        this.count(w).delayed++;
        await this.clock.sleep(cpuSlowdownMs(f));
        continue;
      }
      if (f.kind === 'pause') {
        if (this.#fired.has(w)) continue;
        this.#fired.add(w);
        this.count(w).paused++;
        await this.clock.sleep(f.ms);
        continue;
      }
      if (f.kind === 'bandwidth') {
        if (putBytes === 0) continue; // only request bodies are paced at the store seam
        this.count(w).delayed++;
        await this.clock.sleep((putBytes / f.bytes_per_s) * 1000);
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
        case 'pause':
        case 'bandwidth':
        case 'skew': // acts on the client's clock (SkewedClock)
        case 'compaction': // a background process (compactionNemesis)
          break;
        case 'crash': {
          if (this.#fired.has(w)) break;
          // "after": it dies once a matching request has taken effect; one that failed (a 412
          // on a segment someone else wrote) changed nothing, so the window stays armed.
          if (f.when === 'after') await op();
          this.#fired.add(w);
          this.count(w).crashed++;
          this.crashedAtMs = this.clock.now();
          const restartAt = this.crashedAtMs + f.restart_ms;
          this.#deadUntil = restartAt;
          throw this.#crashed(request, restartAt, w.label);
        }
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

  #crashed(request: StoreRequest, restartAt: number, label?: string): ProcessCrashedError {
    const why = label === undefined ? 'the process is down' : `the process died (fault "${label}")`;
    return new ProcessCrashedError(`${request.kind} ${request.key}: ${why}; a new one starts at ${Math.round(restartAt)} ms`, restartAt);
  }

  private count(w: FaultWindow) {
    let c = this.counts[w.label];
    if (c === undefined) {
      c = emptyCount();
      this.counts[w.label] = c;
    }
    return c;
  }
}
