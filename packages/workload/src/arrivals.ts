import type { Random } from '@manifest-lab/manifest-core';

export type ArrivalProcess = 'poisson' | 'uniform';

/**
 * An open-model arrival schedule (like k6's constant-arrival-rate): intended start times in
 * ms, independent of how long transactions take. Uniform arrivals start at a random phase so
 * clients do not march in lockstep.
 */
export function* arrivalTimes(
  process: ArrivalProcess,
  ratePerSec: number,
  durationMs: number,
  random: Random,
): Generator<number, void, void> {
  if (ratePerSec <= 0) return;
  const mean = 1000 / ratePerSec;
  let t = process === 'uniform' ? mean * random.next() : exponential(mean, random);
  while (t < durationMs) {
    yield t;
    t += process === 'uniform' ? mean : exponential(mean, random);
  }
}

function exponential(mean: number, random: Random): number {
  return -mean * Math.log(1 - random.next());
}
