import type {
  ListOptions,
  ListPage,
  ObjectHeadInfo,
  ObjectStore,
  PutOptions,
  RequestCounts,
  RequestKind,
  StoredObject,
} from '../ports/object-store.js';

/** One request as it passes through a decorator. */
export interface StoreRequest {
  readonly kind: RequestKind;
  readonly key: string;
  readonly options?: PutOptions | ListOptions;
}

/**
 * An `ObjectStore` that forwards every call to `inner` through one `around` hook — the base of
 * every store wrapper (metering, fault injection, planted bugs), so each overrides only what it
 * changes. Request counts are the inner store's.
 */
export class ObjectStoreDecorator implements ObjectStore {
  constructor(readonly inner: ObjectStore) {}

  /** Every request passes through here; the default just runs it. */
  protected around<T>(_request: StoreRequest, op: () => Promise<T>): Promise<T> {
    return op();
  }

  get(key: string): Promise<StoredObject | null> {
    return this.around({ kind: 'GET', key }, () => this.inner.get(key));
  }

  head(key: string): Promise<ObjectHeadInfo | null> {
    return this.around({ kind: 'HEAD', key }, () => this.inner.head(key));
  }

  put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<string> {
    const kind = options.condition === undefined ? 'PUT' : 'CPUT';
    return this.around({ kind, key, options }, () => this.inner.put(key, body, options));
  }

  list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    return this.around({ kind: 'LIST', key: prefix, options }, () => this.inner.list(prefix, options));
  }

  delete(key: string): Promise<void> {
    return this.around({ kind: 'DELETE', key }, () => this.inner.delete(key));
  }

  requestCounts(): RequestCounts {
    return this.inner.requestCounts();
  }

  resetCounts(): void {
    this.inner.resetCounts();
  }
}

/** Every object under `prefix`, read through the `ObjectStore` API (LIST and GET requests). */
export async function dumpObjects(store: ObjectStore, prefix: string): Promise<DumpedObjectLike[]> {
  const out: DumpedObjectLike[] = [];
  let startAfter: string | undefined;
  for (;;) {
    const page = await store.list(prefix, startAfter === undefined ? {} : { startAfter });
    for (const key of page.keys) {
      const obj = await store.get(key);
      if (obj !== null) out.push({ key, ...obj });
    }
    const last = page.keys[page.keys.length - 1];
    if (!page.truncated || last === undefined) return out;
    startAfter = last;
  }
}

/** An object with its key — the shape of `MemoryObjectStore.dump()` entries. */
export interface DumpedObjectLike extends StoredObject {
  readonly key: string;
}
