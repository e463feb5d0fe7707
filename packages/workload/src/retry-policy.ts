import type { Random } from '@manifest-lab/manifest-core';
import type { RetryBackoff } from './config.js';

export interface RetryPolicy {
  readonly backoff: RetryBackoff;
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Weight of the newest attempt in a client's conflict-rate EWMA (about its last 8 attempts). */
export const CONFLICT_EWMA_ALPHA = 0.25;

/**
 * What one client remembers between retries: its previous sleep (decorrelated jitter) and an
 * EWMA of its attempts' PreconditionFailed outcomes (adaptive). Lives with the client.
 */
export interface RetryState {
  prevSleepMs: number;
  conflictRate: number;
}

/** A fresh client's state; the conflict rate starts neutral (0.5, a scale of 1). */
export function newRetryState(): RetryState {
  return { prevSleepMs: 0, conflictRate: 0.5 };
}

/** Folds one finished write attempt (conflicted or committed) into the client's conflict rate. */
export function observeAttempt(state: RetryState, conflicted: boolean): void {
  state.conflictRate += CONFLICT_EWMA_ALPHA * ((conflicted ? 1 : 0) - state.conflictRate);
}

/** Adaptive's multiplier on the exponential base: 4^(2·rate − 1), i.e. ¼ at no conflicts, 1 at half, 4 at all. */
export function adaptiveScale(conflictRate: number): number {
  return 4 ** (2 * conflictRate - 1);
}

/**
 * The sleep before retry number `retry` (1-based) of a transaction: none, fixed, exponential
 * (base·2^(retry-1), capped), exponential with full jitter (uniform in [0, that]), AWS's
 * decorrelated jitter (uniform in [base, 3·previous sleep], capped; the first retry's previous
 * sleep is base) or adaptive: full jitter below base·scale·2^(retry-1), capped, where the scale
 * grows with the client's recent conflict rate (`adaptiveScale`), so a client that keeps losing
 * spreads its retries wider and one that rarely conflicts retries sooner. The first four use no
 * state and draw as they always have.
 */
export function retryDelayMs(policy: RetryPolicy, retry: number, random: Random, state: RetryState = newRetryState()): number {
  switch (policy.backoff) {
    case 'none':
      return 0;
    case 'fixed':
      return policy.baseMs;
    case 'exponential':
      return Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
    case 'exponential-jitter':
      return random.next() * Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
    case 'decorrelated-jitter': {
      const prev = retry <= 1 ? policy.baseMs : state.prevSleepMs;
      const sleep = Math.min(policy.maxMs, policy.baseMs + random.next() * (3 * prev - policy.baseMs));
      state.prevSleepMs = sleep;
      return sleep;
    }
    case 'adaptive':
      return random.next() * Math.min(policy.maxMs, policy.baseMs * adaptiveScale(state.conflictRate) * 2 ** (retry - 1));
  }
}
