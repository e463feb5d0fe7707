/**
 * Compaction settings, from whatever the results hold: sweeps that vary `compact_interval_s`,
 * configurations run with a compactor, and hazard reproductions that involve compactors or GC.
 */
import { groupRates, num, rateOf } from '../rates.js';
import type { Proportion } from '../stats.js';
import type { SweepResult } from '../types.js';
import { configEvidence, type Evidence, join } from './readiness-evidence.js';
import type { HazardFinding } from './readiness-hazards.js';

/** Hazard scenarios whose workload runs a compactor or GC. */
export const COMPACTION_HAZARDS = ['two-compactors', 'gc-under-reader', 'gc-plan-once'] as const;

export interface CompactionLevel extends Proportion {
  readonly interval_s: number | null;
  readonly configs: number;
  readonly evidence: readonly Evidence[];
}

export interface CompactionSweep {
  readonly name: string;
  readonly dir: string;
  /** Transaction failure rate pooled per compact_interval_s. */
  readonly levels: readonly CompactionLevel[];
}

export interface CompactionSection {
  readonly sweeps: readonly CompactionSweep[];
  /** Configurations run with a compactor (compact_interval_s > 0) in sweeps that do not vary it. */
  readonly withCompactor: readonly (Proportion & { readonly sweep: string; readonly interval_s: number; readonly evidence: Evidence })[];
  /** Workload configurations run with no compactor at all, and the sweeps they are in. */
  readonly withoutCompactor: { readonly configs: number; readonly sweeps: readonly { readonly dir: string; readonly file: string }[] };
  readonly hazards: readonly HazardFinding[];
}

export function compactionSection(sweeps: readonly SweepResult[], hazards: readonly HazardFinding[]): CompactionSection {
  const varying = sweeps.filter((s) => s.axes.includes('compact_interval_s'));
  const fixed = sweeps.filter((s) => !s.axes.includes('compact_interval_s'));
  const interval = (s: SweepResult) => num(s.configs[0]?.row ?? {}, 'compact_interval_s') ?? 0;
  return {
    sweeps: varying.map((s) => ({
      name: s.name,
      dir: s.dir,
      levels: groupRates(s.configs, ['compact_interval_s'], 'txn_failure_rate').map((g) => {
        const v = typeof g.key.compact_interval_s === 'number' ? g.key.compact_interval_s : null;
        const members = s.configs.filter((c) => num(c.row, 'compact_interval_s') === v);
        return { k: g.k, n: g.n, value: g.value, lo: g.lo, hi: g.hi, interval_s: v, configs: g.configs, evidence: members.map((c) => configEvidence(s, c)) };
      }),
    })),
    withCompactor: fixed
      .filter((s) => interval(s) > 0)
      .flatMap((s) =>
        s.configs.map((c) => ({ ...rateOf(c, 'txn_failure_rate'), sweep: s.dir, interval_s: interval(s), evidence: configEvidence(s, c) })),
      ),
    withoutCompactor: {
      configs: fixed.filter((s) => interval(s) === 0).reduce((a, s) => a + s.configs.length, 0),
      sweeps: fixed.filter((s) => interval(s) === 0).map((s) => ({ dir: s.dir, file: join(s.dir, 'results.csv') })),
    },
    hazards: hazards.filter((h) => (COMPACTION_HAZARDS as readonly string[]).includes(h.hazard)),
  };
}
