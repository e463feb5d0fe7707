import { type BackoffPolicy, backoffDelays } from './backoff.js';
import type { Clock } from './ports/clock.js';
import type { Random } from './ports/random.js';
import { classifyError, PROFILE_RULES, type Profile, type ProfileRules } from './profile.js';
import type { RetentionPolicy } from './retention.js';
import { type ManifestPhase, type Tracer, traced } from './tracer.js';

/** What every part of one manifest shares: time, randomness, policies and the profile. */
export interface Runtime {
  readonly clock: Clock;
  readonly random: Random;
  readonly backoff: BackoffPolicy;
  readonly retention: RetentionPolicy;
  readonly profile: Profile;
  /** Reports each session phase as a span; undefined = no tracing. */
  readonly tracer?: Tracer | undefined;
}

/** The rules of this runtime's profile (which hazard fixes are on). */
export function rules(rt: Runtime): ProfileRules {
  return PROFILE_RULES[rt.profile];
}

/**
 * How long past `expires_at_ms` a lease still counts as live: `retention.maxClockSkewMs` when
 * the profile tolerates clock skew (§6.7), else 0 (fusio 0.5 compares the clocks as they are).
 */
export function skewMarginMs(rt: Runtime): number {
  return rules(rt).skewTolerantExpiry ? rt.retention.maxClockSkewMs : 0;
}

/** Run `op` as a traced phase of this runtime's tracer (a plain call without one). */
export function phase<T>(rt: Runtime, name: ManifestPhase, op: () => Promise<T>): Promise<T> {
  return rt.tracer === undefined ? op() : traced(rt.tracer, () => rt.clock.now(), name, op);
}

/** A fresh backoff iterator, as each retry loop of the crate builds one. */
export function newBackoff(rt: Runtime): Iterator<number, void, void> {
  return backoffDelays(rt.backoff, rt.random);
}

/**
 * The crate's retry step after a failure: if the profile calls `err` transient and the backoff
 * has a delay left, sleep it (the caller then retries); otherwise throw `err`.
 */
export async function sleepOrThrow(rt: Runtime, delays: Iterator<number, void, void>, err: unknown): Promise<void> {
  if (classifyError(rt.profile, err) !== 'transient') throw err;
  const next = delays.next();
  if (next.done) throw err;
  await rt.clock.sleep(next.value);
}

/**
 * Sleep the next delay of `delays` unless the elapsed budget (`backoff.maxElapsedMs` since
 * `startMs`) or the delays are spent; whether it slept (the caller then retries).
 */
export async function sleepWithinBudget(rt: Runtime, delays: Iterator<number, void, void>, startMs: number): Promise<boolean> {
  if (rt.backoff.maxElapsedMs > 0 && rt.clock.now() - startMs >= rt.backoff.maxElapsedMs) return false;
  const next = delays.next();
  if (next.done) return false;
  await rt.clock.sleep(next.value);
  return true;
}

/**
 * Run `op`, retrying transient errors per `delays`. The iterator is passed in because some of
 * the crate's loops share one across several steps.
 */
export async function retryTransient<T>(
  rt: Runtime,
  delays: Iterator<number, void, void>,
  op: () => Promise<T>,
): Promise<T> {
  for (;;) {
    try {
      return await op();
    } catch (err) {
      await sleepOrThrow(rt, delays, err);
    }
  }
}
