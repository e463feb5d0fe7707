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
   * the TTL, `stop()` interrupts its sleep at once, it never releases the lease (the session
   * does, on every exit), and it gives up after `session.maxLifetimeMs`, so a session nobody
   * ends cannot renew its lease — and pin GC and adoption — forever.
   */
  constructor(
    leases: LeaseStore,
    lease: LeaseHandle,
    ttlMs: number,
    clock: Clock,
    session?: { readonly maxLifetimeMs: number; readonly leasedAtMs: number },
  ) {
    const interval = session !== undefined ? Math.max(Math.floor(ttlMs / 3), 100) : keeperIntervalMs(ttlMs);
    const abort = session !== undefined ? new AbortController() : null;
    const until = session === undefined ? Number.POSITIVE_INFINITY : clock.now() + session.maxLifetimeMs;
    this.#abort = abort;
    this.#renewOnce = async () => {
      const started = clock.now();
      await leases.heartbeat(lease, ttlMs);
      // Only a renewal that landed while the lease was surely live extends the chain: once it
      // may have lapsed, GC may have deleted what the session reads.
      if (clock.now() < this.#liveUntil) this.#liveUntil = started + ttlMs;
      this.heartbeats++;
    };
    this.#liveUntil = (session?.leasedAtMs ?? Number.NEGATIVE_INFINITY) + ttlMs;
    this.#done = (async () => {
      // As the crate's keeper: the stop flag is checked before each sleep and after it.
      while (!this.#stopped && clock.now() < until) {
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
          await this.renew();
        } catch (err) {
          if (err instanceof PreconditionFailedError) break;
        }
      }
      if (abort === null) await leases.release(lease);
    })();
  }

  #liveUntil = Number.NEGATIVE_INFINITY;
  readonly #renewOnce: () => Promise<void>;
  /** The renewal in flight: renewals run one at a time (an If-Match race would fail one). */
  #renewing: Promise<unknown> = Promise.resolve();

  /**
   * Renew the lease once, after any renewal in flight: the keeper's own, and a session's
   * `heartbeat()`, which goes through here so the two never race each other's If-Match.
   */
  renew(): Promise<void> {
    const next = this.#renewing.then(this.#renewOnce);
    this.#renewing = next.catch(() => undefined);
    return next;
  }

  /**
   * Session keepers: the run-clock time until which the lease has surely been live in storage
   * without a break since the session's snapshot — a TTL after the start of the last create or
   * renewal that landed in time (−∞ when the lease was stored too late to protect the snapshot).
   * A host whose clock runs ahead by up to the skew bound still sees it live:
   * `skewTolerantExpiry` adds that bound.
   */
  get liveUntil(): number {
    return this.#liveUntil;
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
