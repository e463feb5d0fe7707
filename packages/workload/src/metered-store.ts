import type {
  Clock,
  ListOptions,
  ListPage,
  ObjectHeadInfo,
  ObjectStore,
  PutOptions,
  RequestCounts,
  RequestKind,
  StoredObject,
} from '@manifest-lab/manifest-core';
import { emptyRequestCounts } from '@manifest-lab/manifest-core';
import type { WorkloadMetrics } from './metrics.js';

/**
 * Measures each request's latency into the run's per-kind histograms (after the warm-up) and
 * counts this client group's own requests, so writers' cost per commit is not mixed with
 * readers'.
 */
export class MeteredObjectStore implements ObjectStore {
  readonly #own: RequestCounts = emptyRequestCounts();

  constructor(
    private readonly inner: ObjectStore,
    private readonly clock: Clock,
    private readonly metrics: WorkloadMetrics,
  ) {}

  async #timed<T>(kind: RequestKind, op: () => Promise<T>): Promise<T> {
    const start = this.clock.now();
    const measured = this.metrics.measured(start);
    if (measured) this.#own[kind]++;
    try {
      return await op();
    } finally {
      if (measured) this.metrics.histograms[`request_${kind}`].record(this.clock.now() - start);
    }
  }

  get(key: string): Promise<StoredObject | null> {
    return this.#timed('GET', () => this.inner.get(key));
  }

  head(key: string): Promise<ObjectHeadInfo | null> {
    return this.#timed('HEAD', () => this.inner.head(key));
  }

  put(key: string, body: Uint8Array, options?: PutOptions): Promise<string> {
    return this.#timed(options?.condition === undefined ? 'PUT' : 'CPUT', () => this.inner.put(key, body, options));
  }

  list(prefix: string, options?: ListOptions): Promise<ListPage> {
    return this.#timed('LIST', () => this.inner.list(prefix, options));
  }

  delete(key: string): Promise<void> {
    return this.#timed('DELETE', () => this.inner.delete(key));
  }

  /** The whole store's counts (all clients). */
  requestCounts(): RequestCounts {
    return this.inner.requestCounts();
  }

  resetCounts(): void {
    this.inner.resetCounts();
  }

  /** Requests made through this store after the warm-up. */
  ownCounts(): RequestCounts {
    return { ...this.#own };
  }
}
