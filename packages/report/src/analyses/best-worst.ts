/** The best and worst configurations, and which others their intervals cannot tell apart. */
import { type ConfigRate, configRate, num, type RateMetric } from '../rates.js';
import { overlaps } from '../stats.js';
import type { SweepResult } from '../types.js';

export interface BestWorst {
  readonly metric: RateMetric;
  /** Lowest upper 95 % bound first (ties: higher write TPS first). */
  readonly best: readonly ConfigRate[];
  /** Highest lower 95 % bound first. */
  readonly worst: readonly ConfigRate[];
  /** Every other configuration whose interval overlaps the best one's. */
  readonly indistinguishableFromBest: readonly ConfigRate[];
  /** Every other configuration whose interval overlaps the worst one's. */
  readonly indistinguishableFromWorst: readonly ConfigRate[];
  /** Configurations with no transactions to rate. */
  readonly unrated: readonly string[];
}

/**
 * Ranked by bounds, not point estimates: "best" is the configuration we can be most sure is
 * low, so a lucky 0/3 does not beat a solid 1/400.
 */
export function bestWorst(sweep: SweepResult, n = 5, metric: RateMetric = 'txn_failure_rate'): BestWorst {
  const tps = new Map(sweep.configs.map((c) => [c.id, num(c.row, 'write_tps') ?? 0]));
  const all = sweep.configs.map((c) => configRate(sweep, c, metric));
  const rated = all.filter((r) => r.n > 0);
  const byId = (a: ConfigRate, b: ConfigRate) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const best = [...rated].sort((a, b) => a.hi! - b.hi! || tps.get(b.id)! - tps.get(a.id)! || byId(a, b));
  const worst = [...rated].sort((a, b) => b.lo! - a.lo! || b.value! - a.value! || byId(a, b));
  const like = (x: ConfigRate | undefined) => (x === undefined ? [] : rated.filter((r) => r.id !== x.id && overlaps(r, x)));
  return {
    metric,
    best: best.slice(0, n),
    worst: worst.slice(0, n),
    indistinguishableFromBest: like(best[0]),
    indistinguishableFromWorst: like(worst[0]),
    unrated: all.filter((r) => r.n === 0).map((r) => r.id),
  };
}
