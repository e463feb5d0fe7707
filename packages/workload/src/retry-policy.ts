import type { Random } from '@manifest-lab/manifest-core';
import type { RetryBackoff } from './config.js';

export interface RetryPolicy {
  readonly backoff: RetryBackoff;
  readonly baseMs: number;
  readonly maxMs: number;
}

/**
 * The sleep before retry number `retry` (1-based) of a transaction: none, fixed, exponential
 * (base·2^(retry-1), capped) or exponential with full jitter (uniform in [0, that]).
 */
export function retryDelayMs(policy: RetryPolicy, retry: number, random: Random): number {
  switch (policy.backoff) {
    case 'none':
      return 0;
    case 'fixed':
      return policy.baseMs;
    case 'exponential':
      return Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
    case 'exponential-jitter':
      return random.next() * Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
  }
}
