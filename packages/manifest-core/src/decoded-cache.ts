import { Buffer } from 'node:buffer';

interface CachedDecode<T> {
  readonly etag: string;
  readonly body: Uint8Array;
  readonly value: T;
}

/**
 * Decoded immutable objects (segments, checkpoint payloads), reused across reads. Every read
 * still makes its GET — request counts and simulated latency are the protocol's — but a body
 * whose key, ETag *and bytes* match the cached one is not parsed again. Comparing the bytes
 * (a `memcmp`) makes a hit exact on any store, whatever its ETags mean, and safe against a key
 * rewritten in place. Values are deep-frozen: the cache hands them to internal readers only,
 * which copy whatever they return to callers (`cloneJson`).
 *
 * Bounded: beyond `capacity` entries the oldest decoded is dropped (first in, first out — newer
 * segments are the ones read; a hit does not reorder, which would churn the map on every read).
 */
export class DecodedCache<T> {
  readonly #entries = new Map<string, CachedDecode<T>>();
  #hits = 0;
  #misses = 0;

  #capacity: number;

  constructor(capacity = 4096) {
    this.#capacity = checkCapacity(capacity);
  }

  /** Entries kept at most; 0 disables the cache (every read decodes, as `get` does). */
  get capacity(): number {
    return this.#capacity;
  }

  set capacity(capacity: number) {
    this.#capacity = checkCapacity(capacity);
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= capacity) break;
      this.#entries.delete(key);
    }
  }

  /** The decoded form of `body` (stored at `key` with `etag`), from the cache or `decode`. */
  get(key: string, etag: string, body: Uint8Array, decode: (body: Uint8Array) => T): T {
    const hit = this.#entries.get(key);
    if (hit !== undefined && hit.etag === etag && sameBytes(hit.body, body)) {
      this.#hits++;
      return hit.value;
    }
    this.#misses++;
    if (this.#capacity === 0) return decode(body);
    const value = deepFreeze(decode(body));
    // Re-inserted, a changed key counts as newest: a Map iterates in insertion order.
    this.#entries.delete(key);
    // A private copy of the bytes: the caller's buffer may be reused or changed afterwards.
    this.#entries.set(key, { etag, body: body.slice(), value });
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    return value;
  }

  /**
   * The value decoded from `key`, without its bytes to compare: for callers that know the key
   * names one immutable body (`cachesImmutables`), whose hit then saves the GET. Counts a hit.
   */
  peek(key: string): T | undefined {
    const hit = this.#entries.get(key);
    if (hit !== undefined) this.#hits++;
    return hit?.value;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Reads answered from the cache / decoded, so far. */
  get stats(): { readonly hits: number; readonly misses: number } {
    return { hits: this.#hits, misses: this.#misses };
  }
}

function checkCapacity(capacity: number): number {
  if (!Number.isSafeInteger(capacity) || capacity < 0) throw new RangeError(`capacity must be a non-negative integer, got ${capacity}`);
  return capacity;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}

/** Freeze a decoded JSON document and everything in it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
