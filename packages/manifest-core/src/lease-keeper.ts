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

  readonly #abort: AbortController | null;

  /**
   * `session`: the `strict` write session's keeper (not the crate's): it renews every third of
   * the TTL, `stop()` interrupts its sleep at once, and it never releases the lease (the session
   * does, on every exit).
   */
  constructor(leases: LeaseStore, lease: LeaseHandle, ttlMs: number, clock: Clock, session = false) {
    const interval = session ? Math.max(Math.floor(ttlMs / 3), 100) : keeperIntervalMs(ttlMs);
    const abort = session ? new AbortController() : null;
    this.#abort = abort;
    this.#done = (async () => {
      // As the crate's keeper: the stop flag is checked before each sleep and after it.
      while (!this.#stopped) {
        if (abort === null) await clock.sleep(interval);
        else {
          try {
            await clock.sleep(interval, abort.signal);
          } catch {
            return; // stopped by the session, which releases the lease itself
          }
        }
        if (this.#stopped) break;
        try {
          await leases.heartbeat(lease, ttlMs);
          this.heartbeats++;
        } catch (err) {
          if (err instanceof PreconditionFailedError) break;
        }
      }
      if (abort === null) await leases.release(lease);
    })();
  }

  /** Stop at once without waiting or releasing (the session keeper's stop; see the constructor). */
  stop(): void {
    this.#stopped = true;
    this.#abort?.abort();
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
