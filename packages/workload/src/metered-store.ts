import {
  type Clock,
  emptyRequestCounts,
  type ObjectStore,
  ObjectStoreDecorator,
  type RequestCounts,
  type StoreRequest,
} from '@manifest-lab/manifest-core';
import type { WorkloadMetrics } from './metrics.js';
import type { WorkloadObserver } from './run-workload.js';

/**
 * Measures each request's latency into the run's per-kind histograms (after the warm-up) and
 * counts one client's own requests: summed by role, so writers' cost per commit is not mixed
 * with readers'; read by the client before and after each write attempt, so the requests of
 * attempts that did not commit can be told apart (wasted requests).
 */
export class MeteredObjectStore extends ObjectStoreDecorator {
  readonly #own: RequestCounts = emptyRequestCounts();
  #measured = 0;

  constructor(
    inner: ObjectStore,
    private readonly clock: Clock,
    private readonly metrics: WorkloadMetrics,
    private readonly observe?: WorkloadObserver,
  ) {
    super(inner);
  }

  protected override async around<T>(request: StoreRequest, op: () => Promise<T>): Promise<T> {
    const start = this.clock.now();
    const measured = this.metrics.measured(start);
    if (measured) {
      this.#own[request.kind]++;
      this.#measured++;
    }
    let ok = false;
    try {
      const result = await op();
      ok = true;
      return result;
    } finally {
      if (measured) this.metrics.histograms[`request_${request.kind}`].record(this.clock.now() - start);
      this.observe?.request?.(request.kind, this.clock.now() - start, ok);
    }
  }

  /** Requests made through this store after the warm-up. */
  ownCounts(): RequestCounts {
    return { ...this.#own };
  }

  /** How many requests were sent through this store after the warm-up, so far. */
  get measuredRequests(): number {
    return this.#measured;
  }
}
