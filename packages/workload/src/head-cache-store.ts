import {
  type Clock,
  type ObjectStore,
  ObjectStoreDecorator,
  PreconditionFailedError,
  type PutOptions,
  type StoredObject,
} from '@manifest-lab/manifest-core';

/**
 * A client-side HEAD/ETag cache (`head_cache_ms`): a GET of HEAD within `ttlMs` of the last
 * HEAD this client read (from when the GET was sent) or wrote (its own successful CAS) is
 * answered from memory, body and ETag, without a request. Any conditional PUT that loses its
 * precondition drops the entry — a lost CAS proves it stale. Everything else passes through.
 *
 * What it costs: a snapshot may be up to `ttlMs` old. A writer on a stale snapshot loses the
 * HEAD CAS (or its segment PUT), so writes stay serializable and strictly ordered; a reader
 * on one reads an older, consistent state — serializable, but not strict-serializable: it can
 * miss a commit that finished before the read began.
 */
export class HeadCacheStore extends ObjectStoreDecorator {
  #cached: { readonly object: StoredObject; readonly atMs: number } | undefined;

  constructor(
    inner: ObjectStore,
    private readonly clock: Clock,
    private readonly headKey: string,
    private readonly ttlMs: number,
  ) {
    super(inner);
  }

  override async get(key: string): Promise<StoredObject | null> {
    if (key !== this.headKey) return super.get(key);
    const now = this.clock.now();
    // Copies in and out: a caller may reuse or change the buffer it was given or handed.
    if (this.#cached !== undefined && now - this.#cached.atMs < this.ttlMs) return copyOf(this.#cached.object);
    const object = await super.get(key);
    this.#cached = object === null ? undefined : { object: copyOf(object), atMs: now };
    return object;
  }

  override async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<string> {
    const sentMs = this.clock.now();
    try {
      const etag = await super.put(key, body, options);
      if (key === this.headKey) {
        this.#cached = { object: { body: body.slice(), etag, metadata: {}, ...(options.contentType === undefined ? {} : { contentType: options.contentType }) }, atMs: sentMs };
      }
      return etag;
    } catch (err) {
      if (err instanceof PreconditionFailedError) this.#cached = undefined;
      throw err;
    }
  }
}

function copyOf(object: StoredObject): StoredObject {
  return { ...object, body: object.body.slice(), metadata: { ...object.metadata } };
}
