import type { Random } from './ports/random.js';

/** Retry timing, with fusio-manifest 0.5's defaults (reference §3). */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly multiplier: number;
  /** When on, each delay d becomes d + d·U[0,1), i.e. anywhere in [d, 2d). */
  readonly jitter: boolean;
  /** At most this many delays (so at most this many retries). */
  readonly maxRetries: number;
  /** `commit` gives up on transient errors once this much time has passed; 0 = no limit. */
  readonly maxElapsedMs: number;
  /** The iterator ends once the cumulative sleep would exceed this; 0 = no cap. */
  readonly maxBackoffSleepMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({
  baseMs: 20,
  maxMs: 1000,
  multiplier: 2,
  jitter: true,
  maxRetries: 6,
  maxElapsedMs: 3000,
  maxBackoffSleepMs: 3000,
});

/**
 * The delays a retry loop sleeps, in the order backon's `ExponentialBuilder` yields them:
 * base, base·m, base·m², … capped at `maxMs`, jittered, ending after `maxRetries` delays or
 * before the cumulative sleep would pass `maxBackoffSleepMs`. Jitter draws from `random`.
 */
export function* backoffDelays(policy: BackoffPolicy, random: Random): Generator<number, void, void> {
  let nominal = policy.baseMs;
  let total = 0;
  for (let attempt = 0; attempt < policy.maxRetries; attempt++) {
    const delay = policy.jitter ? nominal + nominal * random.next() : nominal;
    if (policy.maxBackoffSleepMs > 0 && total + delay > policy.maxBackoffSleepMs) return;
    total += delay;
    yield delay;
    nominal = Math.min(nominal * policy.multiplier, policy.maxMs);
  }
}
