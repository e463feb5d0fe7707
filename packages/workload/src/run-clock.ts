import type { Clock } from '@manifest-lab/manifest-core';

/** A view of a clock whose `now()` counts from the start of the run (so 0 = run start). */
export class RunClock implements Clock {
  readonly #origin: number;

  constructor(private readonly inner: Clock) {
    this.#origin = inner.now();
  }

  now(): number {
    return this.inner.now() - this.#origin;
  }

  wallNow(): number {
    return this.inner.wallNow();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.inner.sleep(ms, signal);
  }
}
