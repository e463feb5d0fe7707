/**
 * The `ObjectStore` port: the only way anything in the lab touches storage. Its semantics are
 * S3's: ETags are opaque strings kept verbatim (quotes included), conditional PUTs are atomic,
 * listings are lexicographic and paged.
 */

/** The request kinds a store counts; cost is a metric. CPUT is a conditional PUT. */
export const REQUEST_KINDS = ['GET', 'HEAD', 'PUT', 'CPUT', 'LIST', 'DELETE'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
export type RequestCounts = Record<RequestKind, number>;

/** A write condition. Exactly one of the two, or none (an unconditional overwrite). */
export type PutCondition = { readonly ifMatch: string } | { readonly ifNoneMatch: '*' };

export interface PutOptions {
  readonly condition?: PutCondition;
  readonly contentType?: string;
  /** User metadata, keys without the `x-amz-meta-` prefix (e.g. `fusio-txn-id`). */
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface StoredObject {
  readonly body: Uint8Array;
  readonly etag: string;
  readonly contentType?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ObjectHeadInfo {
  readonly etag: string;
  readonly size: number;
  readonly contentType?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ListOptions {
  /** Return only keys strictly greater than this one. */
  readonly startAfter?: string;
  /** Page size; at most (and by default) 1000, like S3. */
  readonly limit?: number;
}

/** One page of a listing: one LIST request. */
export interface ListPage {
  readonly keys: readonly string[];
  /** More keys follow; ask again with `startAfter` = the last key. */
  readonly truncated: boolean;
}

/** S3's default and maximum page size. */
export const MAX_LIST_PAGE = 1000;

export interface ObjectStore {
  /** `null` when the key does not exist. */
  get(key: string): Promise<StoredObject | null>;
  /** `null` when the key does not exist. */
  head(key: string): Promise<ObjectHeadInfo | null>;
  /**
   * Write `body` at `key` and return the new ETag. A condition that does not hold raises
   * `PreconditionFailedError`; `ifMatch` on a missing key fails the precondition too.
   */
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<string>;
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
  /** Deleting a missing key succeeds, as on S3. */
  delete(key: string): Promise<void>;
  /** Requests made so far, by kind. */
  requestCounts(): RequestCounts;
  resetCounts(): void;
}

/**
 * The keys under `prefix`, one page (one LIST request) at a time. Yielding pages rather than
 * keys keeps the per-key cost synchronous: listings walk every segment on each write session.
 */
export async function* listPages(store: ObjectStore, prefix: string): AsyncGenerator<readonly string[]> {
  let startAfter: string | undefined;
  for (;;) {
    const page = await store.list(prefix, startAfter === undefined ? {} : { startAfter });
    yield page.keys;
    const last = page.keys[page.keys.length - 1];
    if (!page.truncated || last === undefined) return;
    startAfter = last;
  }
}

/** Every key under `prefix`, in order. */
export async function listAll(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of listPages(store, prefix)) keys.push(...page);
  return keys;
}

export function emptyRequestCounts(): RequestCounts {
  return { GET: 0, HEAD: 0, PUT: 0, CPUT: 0, LIST: 0, DELETE: 0 };
}

/** `a - b` per kind: the cost of whatever ran between two `requestCounts()` readings. */
export function diffRequestCounts(a: RequestCounts, b: RequestCounts): RequestCounts {
  const out = emptyRequestCounts();
  for (const kind of REQUEST_KINDS) out[kind] = a[kind] - b[kind];
  return out;
}

export function totalRequests(counts: RequestCounts): number {
  let n = 0;
  for (const kind of REQUEST_KINDS) n += counts[kind];
  return n;
}
