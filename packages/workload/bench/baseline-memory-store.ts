/**
 * The embedded store as it was before the simulator was profiled (manifest-core 0.1.0's
 * `MemoryObjectStore`, `sampleLatency` per request and string-keyed `PrefixThrottle`), kept
 * verbatim apart from imports so `run.ts` can measure the current store against it side by side.
 * Bench-only: nothing imports it.
 */
import {
  type Clock,
  compareCodePoints,
  LATENCY_PROFILES,
  type LatencyModel,
  type LatencyProfileName,
  type ListOptions,
  type ListPage,
  MAX_LIST_PAGE,
  md5ETag,
  type ObjectHeadInfo,
  type ObjectStore,
  PreconditionFailedError,
  type PutOptions,
  type Random,
  RequestCounter,
  type RequestCounts,
  type RequestKind,
  sampleLatency,
  type StoredObject,
  ThrottledError,
  type ThrottleLimits,
} from '@manifest-lab/manifest-core';

function isWrite(kind: RequestKind): boolean {
  return kind === 'PUT' || kind === 'CPUT' || kind === 'DELETE';
}

/**
 * S3's per-prefix rate limits as token buckets (one second of burst, refilled continuously).
 * The "prefix" is the key up to its last '/', the unit S3 partitions on.
 */
class PrefixThrottle {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly limits: ThrottleLimits) {}

  /** True if the request may proceed at time `nowMs`; false means 503 SlowDown. */
  admit(kind: RequestKind, key: string, nowMs: number): boolean {
    const write = isWrite(kind);
    const rate = write ? this.limits.writesPerSec : this.limits.readsPerSec;
    const id = `${write ? 'w' : 'r'}:${key.slice(0, key.lastIndexOf('/') + 1)}`;
    let b = this.#buckets.get(id);
    if (b === undefined) {
      b = { tokens: rate, at: nowMs };
      this.#buckets.set(id, b);
    }
    b.tokens = Math.min(rate, b.tokens + ((nowMs - b.at) / 1000) * rate);
    b.at = nowMs;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

/** One object as `dump()` returns it, for white-box inspection. */
interface DumpedObject {
  readonly key: string;
  readonly body: Uint8Array;
  readonly etag: string;
  readonly contentType?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

interface MemoryObjectStoreOptions {
  /**
   * Simulated service time per request and S3's per-prefix throttling. Needs `clock` (slept on)
   * and `random` (sampled from). Default: none — every request completes immediately.
   */
  readonly latency?: LatencyModel | LatencyProfileName;
  readonly clock?: Clock;
  readonly random?: Random;
}

interface Simulation {
  readonly model: LatencyModel;
  readonly clock: Clock;
  readonly random: Random;
  readonly throttle: PrefixThrottle | undefined;
  /** All-zero fixed latencies: skip the sleeps entirely. */
  readonly instant: boolean;
}

interface Entry {
  readonly body: Uint8Array;
  readonly etag: string;
  readonly contentType: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * The embedded default backend, with S3's semantics: ETag = quoted MD5 of the body (identical
 * bodies, identical ETags), atomic `If-Match` / `If-None-Match: *` (an `If-Match` on a missing
 * key fails the precondition), lexicographic (UTF-8 byte order) paged listing, strong
 * read-after-write. Each call is atomic: it inspects and changes state without awaiting.
 */
export class BaselineMemoryObjectStore implements ObjectStore {
  readonly #objects = new Map<string, Entry>();
  /** Keys kept sorted, so a listing page costs a binary search plus the page. */
  readonly #sorted: string[] = [];
  readonly #counter = new RequestCounter();
  readonly #sim: Simulation | undefined;

  constructor(options: MemoryObjectStoreOptions = {}) {
    if (options.latency === undefined) return;
    const model: LatencyModel | undefined =
      typeof options.latency === 'string' ? LATENCY_PROFILES[options.latency] : options.latency;
    if (model === undefined) throw new RangeError(`unknown latency profile ${JSON.stringify(options.latency)}`);
    if (options.clock === undefined || options.random === undefined) {
      throw new TypeError('a latency model needs the run\'s clock and random');
    }
    this.#sim = {
      model,
      clock: options.clock,
      random: options.random,
      throttle: model.throttle === undefined ? undefined : new PrefixThrottle(model.throttle),
      instant: Object.values(model.perKind).every((d) => d.kind === 'fixed' && d.ms === 0),
    };
  }

  /** The latency model in force, if any. */
  get latencyModel(): LatencyModel | undefined {
    return this.#sim?.model;
  }

  /**
   * Run one request: count it, apply S3 throttling, and spend its sampled service time — half
   * before the operation takes effect and half after, so other clients can observe a write
   * before its writer hears back. `apply` itself runs without awaiting: it is atomic.
   */
  async #request<T>(kind: RequestKind, key: string, apply: () => T): Promise<T> {
    this.#counter.count(kind);
    const sim = this.#sim;
    if (sim === undefined || sim.instant) return apply();
    const total = sampleLatency(sim.model.perKind[kind], sim.random);
    await sim.clock.sleep(total / 2);
    if (sim.throttle !== undefined && !sim.throttle.admit(kind, key, sim.clock.now())) {
      await sim.clock.sleep(total / 2);
      throw new ThrottledError(`503 SlowDown: request rate too high for prefix of ${key}`);
    }
    const out = apply();
    await sim.clock.sleep(total / 2);
    return out;
  }

  get(key: string): Promise<StoredObject | null> {
    return this.#request('GET', key, () => {
      const e = this.#objects.get(key);
      return e === undefined ? null : toStored(e);
    });
  }

  head(key: string): Promise<ObjectHeadInfo | null> {
    return this.#request('HEAD', key, () => {
      const e = this.#objects.get(key);
      if (e === undefined) return null;
      return {
        etag: e.etag,
        size: e.body.byteLength,
        metadata: e.metadata,
        ...(e.contentType === undefined ? {} : { contentType: e.contentType }),
      };
    });
  }

  put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<string> {
    const copy = body.slice();
    return this.#request(options.condition === undefined ? 'PUT' : 'CPUT', key, () => this.#put(key, copy, options));
  }

  #put(key: string, copy: Uint8Array, options: PutOptions): string {
    const { condition } = options;
    const current = this.#objects.get(key);
    if (condition !== undefined) {
      if ('ifNoneMatch' in condition) {
        if (current !== undefined) throw new PreconditionFailedError(`If-None-Match: * failed for ${key}`);
      } else if (current === undefined || current.etag !== condition.ifMatch) {
        throw new PreconditionFailedError(`If-Match ${condition.ifMatch} failed for ${key}`);
      }
    }
    const etag = md5ETag(copy);
    if (current === undefined) this.#insertKey(key);
    this.#objects.set(key, {
      body: copy,
      etag,
      contentType: options.contentType,
      metadata: Object.freeze({ ...(options.metadata ?? {}) }),
    });
    return etag;
  }

  list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    return this.#request('LIST', prefix, () => this.#list(prefix, options));
  }

  #list(prefix: string, options: ListOptions): ListPage {
    const limit = Math.min(Math.max(1, options.limit ?? MAX_LIST_PAGE), MAX_LIST_PAGE);
    const from = options.startAfter !== undefined && compareCodePoints(options.startAfter, prefix) >= 0
      ? this.#upperBound(options.startAfter)
      : this.#lowerBound(prefix);
    const end = this.#prefixEnd(prefix, from);
    const stop = Math.min(end, from + limit);
    return { keys: this.#sorted.slice(from, stop), truncated: stop < end };
  }

  delete(key: string): Promise<void> {
    return this.#request('DELETE', key, () => {
      if (this.#objects.delete(key)) this.#sorted.splice(this.#lowerBound(key), 1);
    });
  }

  requestCounts(): RequestCounts {
    return this.#counter.snapshot();
  }

  resetCounts(): void {
    this.#counter.reset();
  }

  /** Every object, in key order. Not counted as requests. */
  dump(): DumpedObject[] {
    return this.#sorted.map((key) => {
      const e = this.#objects.get(key) as Entry;
      return { key, ...toStored(e) };
    });
  }

  /** Number of objects stored. */
  get size(): number {
    return this.#objects.size;
  }

  #insertKey(key: string): void {
    const i = this.#lowerBound(key);
    this.#sorted.splice(i, 0, key);
  }

  /** First index whose key is >= `key`. */
  #lowerBound(key: string): number {
    let lo = 0;
    let hi = this.#sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareCodePoints(this.#sorted[mid] as string, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index at or after `from` whose key does not start with `prefix` (keys >= prefix from `from` on). */
  #prefixEnd(prefix: string, from: number): number {
    let lo = from;
    let hi = this.#sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#sorted[mid] as string).startsWith(prefix)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose key is > `key`. */
  #upperBound(key: string): number {
    let lo = 0;
    let hi = this.#sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareCodePoints(this.#sorted[mid] as string, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function toStored(e: Entry): StoredObject {
  return {
    body: e.body.slice(),
    etag: e.etag,
    metadata: e.metadata,
    ...(e.contentType === undefined ? {} : { contentType: e.contentType }),
  };
}
