/**
 * Compaction settings, from whatever the results hold: sweeps that vary `compact_interval_s` or
 * the GC mode `compact_gc`, configurations run with a compactor, and hazard reproductions that
 * involve compactors or GC.
 */
import { groupRates, num, rateOf } from '../rates.js';
import type { Proportion } from '../stats.js';
import type { SweepResult } from '../types.js';
import { configEvidence, type Evidence, join } from './readiness-evidence.js';
import type { HazardFinding } from './readiness-hazards.js';

/** Hazard scenarios whose workload runs a compactor or GC. */
export const COMPACTION_HAZARDS = ['two-compactors', 'gc-under-reader', 'gc-plan-once'] as const;

/** The compaction settings a sweep can vary, in the order they are grouped by. */
export const COMPACTION_FIELDS = ['compact_interval_s', 'compact_gc'] as const;

export interface CompactionLevel extends Proportion {
  readonly interval_s: number | null;
  /** GC after each checkpoint (none | inline | three-phase); null when the results have no compact_gc column. */
  readonly gc: string | null;
  readonly configs: number;
  readonly evidence: readonly Evidence[];
}

export interface CompactionSweep {
  readonly name: string;
  readonly dir: string;
  /** The compaction fields it varies (of COMPACTION_FIELDS): the levels are grouped by these. */
  readonly by: readonly string[];
  /** Its other axes, pooled over inside each level. */
  readonly pooled: readonly string[];
  /** Transaction failure rate pooled per value of `by`. */
  readonly levels: readonly CompactionLevel[];
  readonly file: string;
}

export interface CompactionSection {
  readonly sweeps: readonly CompactionSweep[];
  /** Configurations run with a compactor (compact_interval_s > 0) in sweeps that do not vary it. */
  readonly withCompactor: readonly (Proportion & { readonly sweep: string; readonly interval_s: number; readonly gc: string | null; readonly evidence: Evidence })[];
  /** Workload configurations run with no compactor at all, and the sweeps they are in. */
  readonly withoutCompactor: { readonly configs: number; readonly sweeps: readonly { readonly dir: string; readonly file: string }[] };
  readonly hazards: readonly HazardFinding[];
}

const gcOf = (row: Readonly<Record<string, unknown>>): string | null => {
  const v = row.compact_gc;
  return v === null || v === undefined || v === '' ? null : String(v);
};

export function compactionSection(sweeps: readonly SweepResult[], hazards: readonly HazardFinding[]): CompactionSection {
  const varies = (s: SweepResult) => COMPACTION_FIELDS.some((f) => s.axes.includes(f));
  const varying = sweeps.filter(varies);
  const fixed = sweeps.filter((s) => !varies(s));
  const interval = (s: SweepResult) => num(s.configs[0]?.row ?? {}, 'compact_interval_s') ?? 0;
  return {
    sweeps: varying.map((s) => {
      const by = COMPACTION_FIELDS.filter((f) => s.axes.includes(f));
      return {
        name: s.name,
        dir: s.dir,
        by,
        pooled: s.axes.filter((a) => !(by as readonly string[]).includes(a)),
        levels: groupRates(s.configs, by, 'txn_failure_rate').map((g) => {
          const members = s.configs.filter((c) => by.every((f) => String(c.row[f] ?? '') === String(g.key[f] ?? '')));
          const first = members[0]?.row ?? {};
          return {
            k: g.k,
            n: g.n,
            value: g.value,
            lo: g.lo,
            hi: g.hi,
            interval_s: num(first, 'compact_interval_s'),
            gc: gcOf(first),
            configs: g.configs,
            evidence: members.map((c) => configEvidence(s, c)),
          };
        }),
        file: join(s.dir, 'results.csv'),
      };
    }),
    withCompactor: fixed
      .filter((s) => interval(s) > 0)
      .flatMap((s) =>
        s.configs.map((c) => ({ ...rateOf(c, 'txn_failure_rate'), sweep: s.dir, interval_s: interval(s), gc: gcOf(c.row), evidence: configEvidence(s, c) })),
      ),
    withoutCompactor: {
      configs: fixed.filter((s) => interval(s) === 0).reduce((a, s) => a + s.configs.length, 0),
      sweeps: fixed.filter((s) => interval(s) === 0).map((s) => ({ dir: s.dir, file: join(s.dir, 'results.csv') })),
    },
    hazards: hazards.filter((h) => (COMPACTION_HAZARDS as readonly string[]).includes(h.hazard)),
  };
}
