/** Each axis on its own: the rate pooled over every configuration with a given axis value. */
import { groupRates, type RateMetric } from '../rates.js';
import { overlaps, type Proportion } from '../stats.js';
import type { Cell, SweepResult } from '../types.js';

export interface AxisLevel extends Proportion {
  /** The axis value. */
  readonly level: Cell;
  /** Configurations pooled into this level. */
  readonly configs: number;
}

export interface AxisEffect {
  readonly axis: string;
  readonly levels: readonly AxisLevel[];
  /** Some two levels' 95 % intervals do not overlap: the axis visibly moves the rate. */
  readonly distinguishable: boolean;
}

export interface MarginalEffects {
  readonly metric: RateMetric;
  readonly axes: readonly AxisEffect[];
}

/**
 * Pooled k/n per axis value (Wilson 95 % intervals). Pooling treats transactions as
 * independent trials; runs of one configuration share load, so read the intervals as a
 * lower bound on the uncertainty.
 */
export function marginalEffects(sweep: SweepResult, metric: RateMetric = 'txn_failure_rate'): MarginalEffects {
  return {
    metric,
    axes: sweep.axes.map((axis) => {
      const levels = groupRates(sweep.configs, [axis], metric).map((g) => {
        const { key, ...rest } = g;
        return { ...rest, level: key[axis] ?? null };
      });
      const distinguishable = levels.some((a, i) => levels.slice(i + 1).some((b) => a.n > 0 && b.n > 0 && !overlaps(a, b)));
      return { axis, levels, distinguishable };
    }),
  };
}
