/**
 * The `Clock` port. Nothing outside the clock implementations reads the real clock or sets a
 * timer: that is what makes a virtual-time run replayable from its seed.
 */
export interface Clock {
  /** Monotonic milliseconds (arbitrary origin). For durations and latencies. */
  now(): number;
  /** Epoch milliseconds. For lease expiry and object timestamps, as in the reference. */
  wallNow(): number;
  /** Resolve after `ms` milliseconds; reject with the signal's reason if it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
