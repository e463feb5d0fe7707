import { PreconditionFailedError, ThrottledError } from '../errors.js';
import { compareCodePoints } from '../json.js';
import {
  MAX_LIST_PAGE,
  type ListOptions,
  type ListPage,
  type ObjectHeadInfo,
  type ObjectStore,
  type PutOptions,
  type RequestCounts,
  type RequestKind,
  type StoredObject,
} from '../ports/object-store.js';
import type { Clock } from '../ports/clock.js';
import type { Random } from '../ports/random.js';
import { md5ETag } from './etag.js';
import {
  LATENCY_PROFILES,
  type LatencyModel,
  type LatencyProfileName,
  latencySampler,
  PrefixThrottle,
} from './latency-model.js';
import { RequestCounter } from './request-counter.js';

/** One object as `dump()` returns it, for white-box inspection. */
export interface DumpedObject {
  readonly key: string;
  readonly body: Uint8Array;
  readonly etag: string;
  readonly contentType?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface MemoryObjectStoreOptions {
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
  /** Per request kind, `sampleLatency` of its distribution with the parameters precomputed. */
  readonly sample: Readonly<Record<RequestKind, (random: Random) => number>>;
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
export class MemoryObjectStore implements ObjectStore {
  readonly #objects = new Map<string, Entry>();
  /** Keys kept sorted, so a listing page costs a binary search plus the page. */
  readonly #sorted: string[] = [];
  readonly #counter = new RequestCounter();
  readonly #pool = new BodyPool();
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
      sample: {
        GET: latencySampler(model.perKind.GET),
        HEAD: latencySampler(model.perKind.HEAD),
        PUT: latencySampler(model.perKind.PUT),
        CPUT: latencySampler(model.perKind.CPUT),
        LIST: latencySampler(model.perKind.LIST),
        DELETE: latencySampler(model.perKind.DELETE),
      },
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
    const total = sim.sample[kind](sim.random);
    await sim.clock.sleep(total / 2);
    if (sim.throttle !== undefined && !sim.throttle.admit(kind, key, sim.clock.now())) {
      await sim.clock.sleep(total / 2);
      throw new ThrottledError(`503 SlowDown: request rate too high for prefix of ${key}`);
    }
    const out = apply();
    await sim.clock.sleep(total / 2);
    return out;
  }

  /** The object's bytes are the caller's copy (from a shared pool when small: see `BodyPool`). */
  get(key: string): Promise<StoredObject | null> {
    return this.#request('GET', key, () => {
      const e = this.#objects.get(key);
      return e === undefined ? null : toStored(e, this.#pool.copy(e.body));
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

/** A caller's copy of an entry; `contentType` only when there is one. */
function toStored(e: Entry, body: Uint8Array = e.body.slice()): StoredObject {
  return e.contentType === undefined
    ? { body, etag: e.etag, metadata: e.metadata }
    : { body, etag: e.etag, metadata: e.metadata, contentType: e.contentType };
}

const SLAB_BYTES = 16 * 1024;
const POOLED_MAX_BYTES = 2 * 1024;

/**
 * Copies of small bodies for GET, carved out of shared 16 KiB slabs as Node's `Buffer` pool
 * does: a GET allocates a view, not an `ArrayBuffer` (whose allocation was the costliest step
 * of a simulated GET). Each copy is the caller's own bytes — views never overlap — but its
 * `buffer` is the slab, at a `byteOffset`, as with any pooled `Buffer`.
 */
class BodyPool {
  #slab = new ArrayBuffer(SLAB_BYTES);
  #used = 0;

  copy(body: Uint8Array): Uint8Array {
    const n = body.byteLength;
    if (n > POOLED_MAX_BYTES) return body.slice();
    if (this.#used + n > SLAB_BYTES) {
      this.#slab = new ArrayBuffer(SLAB_BYTES);
      this.#used = 0;
    }
    const out = new Uint8Array(this.#slab, this.#used, n);
    out.set(body);
    this.#used = (this.#used + n + 7) & ~7;
    return out;
  }
}
