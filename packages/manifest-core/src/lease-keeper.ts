import { PreconditionFailedError } from './errors.js';
import type { LeaseHandle, LeaseStore } from './lease-store.js';
import type { Clock } from './ports/clock.js';

/** The crate's keeper interval: max(ttl/2, 100 ms). */
export function keeperIntervalMs(ttlMs: number): number {
  return Math.max(Math.floor(ttlMs / 2), 100);
}

/**
 * Heartbeats a lease every `keeperIntervalMs(ttl)` until shut down, then releases it
 * (reference §2.8). Faithful to the crate: a 412 stops it and deletes the lease (even one
 * another party just renewed), other errors — "lease missing" after `end()` included — are
 * ignored, and `shutdown()` waits for the current sleep to finish.
 */
export class LeaseKeeper implements AsyncDisposable {
  #stopped = false;
  readonly #done: Promise<void>;
  heartbeats = 0;

  constructor(leases: LeaseStore, lease: LeaseHandle, ttlMs: number, clock: Clock) {
    const interval = keeperIntervalMs(ttlMs);
    this.#done = (async () => {
      // As the crate's keeper: the stop flag is checked before each sleep and after it.
      while (!this.#stopped) {
        await clock.sleep(interval);
        if (this.#stopped) break;
        try {
          await leases.heartbeat(lease, ttlMs);
          this.heartbeats++;
        } catch (err) {
          if (err instanceof PreconditionFailedError) break;
        }
      }
      await leases.release(lease);
    })();
  }

  /** Resolves once the keeper has stopped and released its lease. */
  get done(): Promise<void> {
    return this.#done;
  }

  /** Ask the keeper to stop and wait until it has (up to one interval). */
  async shutdown(): Promise<void> {
    this.#stopped = true;
    await this.#done;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }
}
