import { PreconditionFailedError } from '../errors.js';
import { compareCodePoints } from '../json.js';
import {
  MAX_LIST_PAGE,
  type ListOptions,
  type ListPage,
  type ObjectHeadInfo,
  type ObjectStore,
  type PutOptions,
  type RequestCounts,
  type StoredObject,
} from '../ports/object-store.js';
import { md5ETag } from './etag.js';
import { RequestCounter } from './request-counter.js';

/** One object as `dump()` returns it, for white-box inspection. */
export interface DumpedObject {
  readonly key: string;
  readonly body: Uint8Array;
  readonly etag: string;
  readonly contentType?: string;
  readonly metadata: Readonly<Record<string, string>>;
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

  async get(key: string): Promise<StoredObject | null> {
    this.#counter.count('GET');
    const e = this.#objects.get(key);
    return e === undefined ? null : toStored(e);
  }

  async head(key: string): Promise<ObjectHeadInfo | null> {
    this.#counter.count('HEAD');
    const e = this.#objects.get(key);
    if (e === undefined) return null;
    return {
      etag: e.etag,
      size: e.body.byteLength,
      metadata: e.metadata,
      ...(e.contentType === undefined ? {} : { contentType: e.contentType }),
    };
  }

  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<string> {
    const { condition } = options;
    this.#counter.count(condition === undefined ? 'PUT' : 'CPUT');
    const current = this.#objects.get(key);
    if (condition !== undefined) {
      if ('ifNoneMatch' in condition) {
        if (current !== undefined) throw new PreconditionFailedError(`If-None-Match: * failed for ${key}`);
      } else if (current === undefined || current.etag !== condition.ifMatch) {
        throw new PreconditionFailedError(`If-Match ${condition.ifMatch} failed for ${key}`);
      }
    }
    const copy = body.slice();
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

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    this.#counter.count('LIST');
    const limit = Math.min(Math.max(1, options.limit ?? MAX_LIST_PAGE), MAX_LIST_PAGE);
    const from = options.startAfter !== undefined && compareCodePoints(options.startAfter, prefix) >= 0
      ? this.#upperBound(options.startAfter)
      : this.#lowerBound(prefix);
    const end = this.#prefixEnd(prefix, from);
    const stop = Math.min(end, from + limit);
    return { keys: this.#sorted.slice(from, stop), truncated: stop < end };
  }

  async delete(key: string): Promise<void> {
    this.#counter.count('DELETE');
    if (this.#objects.delete(key)) {
      this.#sorted.splice(this.#lowerBound(key), 1);
    }
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
