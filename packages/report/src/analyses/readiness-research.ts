/**
 * Research sweeps: those that vary a research knob of the workload (issue 11: GC mode, remote
 * writers, orphan-recovery frequency, injected writer crashes, a HEAD cache) or fix one away from
 * its default. Each changes the system under test, so its results answer its own question
 * (docs/research.md) and are kept out of the safe operating envelope.
 */
import type { Cell, RunEntry, SweepResult } from '../types.js';
import { constantFields } from './readiness-envelope.js';
import { join } from './readiness-evidence.js';

/** Each research knob with its default: the behaviour from before the knob existed. */
export const RESEARCH_DEFAULTS: Readonly<Record<string, Cell>> = {
  compact_gc: 'none',
  remote_writers: 0,
  remote_latency_ms: 0,
  orphan_recovery_every: 1,
  writer_crash_prob: 0,
  head_cache_ms: 0,
};

export const RESEARCH_KNOBS = Object.keys(RESEARCH_DEFAULTS);

export interface ResearchKnobs {
  /** Research knobs among the sweep's axes. */
  readonly varied: readonly string[];
  /** Research knobs held at one value other than their default. */
  readonly fixed: Readonly<Record<string, Cell>>;
}

const isDefault = (knob: string, v: Cell | undefined) => v === null || v === undefined || String(v) === String(RESEARCH_DEFAULTS[knob]);

/** The research knobs a sweep touches (results without the columns touch none). */
export function researchKnobs(sweep: SweepResult): ResearchKnobs {
  const varied = RESEARCH_KNOBS.filter((k) => sweep.axes.includes(k));
  const constant = constantFields(sweep, RESEARCH_KNOBS);
  return { varied, fixed: Object.fromEntries(Object.entries(constant).filter(([k, v]) => !varied.includes(k) && !isDefault(k, v))) };
}

/** Whether a run used a HEAD cache: its readers may see a snapshot up to head_cache_ms old. */
export function headCached(run: RunEntry): boolean {
  const v = Number(run.run.config?.head_cache_ms ?? 0);
  return Number.isFinite(v) && v > 0;
}

export interface ResearchSweep {
  readonly name: string;
  readonly dir: string;
  /** The sweep's own `description` (sweep.json), its question; null when it has none. */
  readonly question: string | null;
  readonly knobs: ResearchKnobs;
  /** The values each varied knob takes, in first-seen order. */
  readonly values: Readonly<Record<string, readonly Cell[]>>;
  readonly configs: number;
  readonly runs: number;
  /** The section that does use it (GC-mode sweeps feed the compaction section), or null. */
  readonly usedIn: 'compaction' | null;
  readonly file: string;
}

export function researchSweep(sweep: SweepResult, usedIn: ResearchSweep['usedIn']): ResearchSweep {
  const d = sweep.definition?.definition?.description;
  const knobs = researchKnobs(sweep);
  const values = Object.fromEntries(knobs.varied.map((k) => [k, [...new Set(sweep.configs.map((c) => c.row[k] ?? null))]]));
  return {
    name: sweep.name,
    dir: sweep.dir,
    question: typeof d === 'string' && d.trim() !== '' ? d.trim() : null,
    knobs,
    values,
    configs: sweep.configs.length,
    runs: sweep.configs.reduce((a, c) => a + c.runs.length, 0),
    usedIn,
    file: join(sweep.dir, 'results.csv'),
  };
}
