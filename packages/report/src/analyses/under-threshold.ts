/** Which configurations are safely under a failure-rate budget, and which only might be. */
import { type ConfigRate, configRate, type RateMetric } from '../rates.js';
import type { SweepResult } from '../types.js';

export interface UnderThreshold {
  readonly metric: RateMetric;
  readonly threshold: number;
  /** Upper 95 % bound below the threshold. */
  readonly below: readonly ConfigRate[];
  /** Point estimate below, but the interval reaches the threshold: more samples would tell. */
  readonly maybe: readonly ConfigRate[];
  /** Point estimate at or above the threshold. */
  readonly above: readonly ConfigRate[];
  /** Configurations with nothing to rate. */
  readonly unrated: readonly string[];
}

export function underThreshold(sweep: SweepResult, threshold = 0.1, metric: RateMetric = 'txn_failure_rate'): UnderThreshold {
  const all = sweep.configs.map((c) => configRate(sweep, c, metric));
  const rated = all.filter((r) => r.value !== null);
  return {
    metric,
    threshold,
    below: rated.filter((r) => r.hi! < threshold),
    maybe: rated.filter((r) => r.value! < threshold && r.hi! >= threshold),
    above: rated.filter((r) => r.value! >= threshold),
    unrated: all.filter((r) => r.value === null).map((r) => r.id),
  };
}
