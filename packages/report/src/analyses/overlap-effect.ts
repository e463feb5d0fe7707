/**
 * Does key overlap matter? Under fusio-0.5 every commit CASes the one HEAD.json, so two
 * writers conflict whether or not they touch the same keys: the difference between the lowest
 * and the highest overlap should be indistinguishable from zero.
 */
import { compareCells, countsOf, groupRates, type RateMetric } from '../rates.js';
import { type Interval, newcombe, type Proportion, pooled } from '../stats.js';
import type { ConfigEntry, SweepResult } from '../types.js';
import type { AxisLevel } from './marginal-effects.js';

export const OVERLAP_AXIS = 'key_overlap_ratio';

export interface OverlapSide extends Proportion {
  readonly overlap: number;
  readonly configs: number;
}

export type OverlapVerdict = 'no detectable effect' | 'higher overlap, higher rate' | 'higher overlap, lower rate' | 'not enough data';

export interface OverlapEffect {
  readonly metric: RateMetric;
  readonly low: OverlapSide;
  readonly high: OverlapSide;
  /** high − low, with Newcombe's hybrid score 95 % interval. */
  readonly difference: Interval;
  /** Compared only configurations that differ in nothing but overlap (matched pairs). */
  readonly matched: boolean;
  readonly verdict: OverlapVerdict;
  /** Every overlap value's pooled rate, for context. */
  readonly levels: readonly AxisLevel[];
}

/** null when the sweep does not vary key overlap. */
export function overlapEffect(sweep: SweepResult, metric: RateMetric = 'txn_failure_rate'): OverlapEffect | null {
  if (!sweep.axes.includes(OVERLAP_AXIS)) return null;
  const values = [...new Set(sweep.configs.map((c) => c.row[OVERLAP_AXIS]))].filter((v): v is number => typeof v === 'number').sort(compareCells);
  const lowValue = values[0];
  const highValue = values.at(-1);
  if (lowValue === undefined || highValue === undefined || lowValue === highValue) return null;

  // Match on every other axis, so the comparison is not confounded by what else varies.
  const others = sweep.axes.filter((a) => a !== OVERLAP_AXIS);
  const keyOf = (c: ConfigEntry) => JSON.stringify(others.map((a) => c.row[a] ?? null));
  const lowKeys = new Set(sweep.configs.filter((c) => c.row[OVERLAP_AXIS] === lowValue).map(keyOf));
  const highKeys = new Set(sweep.configs.filter((c) => c.row[OVERLAP_AXIS] === highValue).map(keyOf));
  const both = new Set([...lowKeys].filter((k) => highKeys.has(k)));
  const matched = both.size > 0;
  const side = (value: number): OverlapSide => {
    const members = sweep.configs.filter((c) => c.row[OVERLAP_AXIS] === value && (!matched || both.has(keyOf(c))));
    return { overlap: value, configs: members.length, ...pooled(members.map((m) => countsOf(m, metric))) };
  };
  const low = side(lowValue);
  const high = side(highValue);
  const difference = newcombe(high, low);
  const verdict: OverlapVerdict =
    difference.lo === null || difference.hi === null
      ? 'not enough data'
      : difference.lo > 0
        ? 'higher overlap, higher rate'
        : difference.hi < 0
          ? 'higher overlap, lower rate'
          : 'no detectable effect';
  const levels = groupRates(sweep.configs, [OVERLAP_AXIS], metric).map(({ key, ...rest }) => ({ ...rest, level: key[OVERLAP_AXIS] ?? null }));
  return { metric, low, high, difference, matched, verdict, levels };
}
