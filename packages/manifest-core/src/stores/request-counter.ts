import { emptyRequestCounts, type RequestCounts, type RequestKind } from '../ports/object-store.js';

/** Per-kind request counts, shared by every `ObjectStore` implementation. */
export class RequestCounter {
  #counts: RequestCounts = emptyRequestCounts();

  count(kind: RequestKind): void {
    this.#counts[kind]++;
  }

  snapshot(): RequestCounts {
    return { ...this.#counts };
  }

  reset(): void {
    this.#counts = emptyRequestCounts();
  }
}
