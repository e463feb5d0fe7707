/**
 * A production readiness document assembled from loaded results: the safe operating envelope,
 * retry and compaction settings, hazards observed and their mitigations, isolation, and what is
 * missing. Pure: every number comes from the results, every claim carries the runs behind it,
 * and nothing reads the clock — the same results give the same document.
 */
import { type Proportion, wilson } from '../stats.js';
import type { ResultSets, RunEntry, SweepResult } from '../types.js';
import { type CompactionSection, compactionSection } from './readiness-compaction.js';
import { boundaryCells, type EnvelopeSection, envelopeSweep } from './readiness-envelope.js';
import type { RunLink } from './readiness-evidence.js';
import { type HazardsSection, hazardsSection } from './readiness-hazards.js';
import { RETRY_FIELDS, type RetrySweep, retrySweep } from './readiness-retry.js';

export const DEFAULT_THRESHOLD = 0.1;

export interface IsolationGroup {
  /** workload: sweeps; boundary: boundary probes; chaos: chaos scenarios; hazards: hazard reproductions. */
  readonly group: 'workload' | 'boundary' | 'chaos' | 'hazards';
  readonly runs: number;
  /** Runs whose history was checked (valid or not). */
  readonly verified: number;
  /** Runs with an anomaly, of the verified ones, Wilson 95 %. */
  readonly anomalous: Proportion;
  /** Anomaly type → runs showing it. */
  readonly types: Readonly<Record<string, number>>;
  /** The anomalous runs (all of them), or every run when none is anomalous. */
  readonly evidence: readonly RunLink[];
  /** Result directories in the group. */
  readonly dirs: readonly string[];
}

export interface MissingItem {
  readonly section: 'envelope' | 'boundary' | 'retry' | 'compaction' | 'hazards' | 'isolation';
  readonly what: string;
  readonly command: string;
}

export interface Provenance {
  /** The results root as given. */
  readonly root: string;
  readonly runs: number;
  /** `versions.code` of every run (the built code that wrote it), sorted. */
  readonly codeVersions: readonly string[];
  readonly backends: readonly string[];
  /** `time` config values: virtual (simulated) or real. */
  readonly time: readonly string[];
  readonly skipped: readonly { readonly dir: string; readonly reason: string }[];
}

export interface Readiness {
  readonly threshold: number;
  readonly provenance: Provenance;
  readonly envelope: EnvelopeSection;
  readonly retry: readonly RetrySweep[];
  readonly compaction: CompactionSection;
  readonly hazards: HazardsSection;
  readonly isolation: readonly IsolationGroup[];
  readonly missing: readonly MissingItem[];
  /** Whether any section has data to recommend from. */
  readonly usable: boolean;
}

export interface ReadinessOptions {
  /** Transaction failure-rate budget (default 0.1). */
  readonly threshold?: number;
}

/** Which section a top-level sweep feeds: retry when it varies a retry field, compaction when compact_interval_s, else the envelope. */
export function sweepRole(sweep: SweepResult): 'retry' | 'compaction' | 'envelope' {
  if (sweep.axes.some((a) => (RETRY_FIELDS as readonly string[]).includes(a))) return 'retry';
  if (sweep.axes.includes('compact_interval_s')) return 'compaction';
  return 'envelope';
}

const under = (dir: string, parent: string) => parent === '' || dir === parent || dir.startsWith(`${parent}/`);

function isolationGroup(group: IsolationGroup['group'], sweeps: readonly SweepResult[]): IsolationGroup {
  const runs: { link: RunLink; run: RunEntry }[] = sweeps.flatMap((s) => s.configs.flatMap((c) => c.runs.map((r) => ({ link: { id: `${c.id}/${r.id}`, file: r.files.run }, run: r }))));
  const verified = runs.filter((r) => r.run.run.isolation !== undefined && r.run.run.isolation.valid !== 'unknown');
  const bad = verified.filter((r) => r.run.run.isolation?.valid === false);
  const types: Record<string, number> = {};
  for (const r of bad) for (const t of r.run.run.isolation?.anomaly_types ?? []) types[t] = (types[t] ?? 0) + 1;
  return {
    group,
    runs: runs.length,
    verified: verified.length,
    anomalous: wilson(bad.length, verified.length),
    types: Object.fromEntries(Object.entries(types).sort(([a], [b]) => (a < b ? -1 : 1))),
    evidence: (bad.length > 0 ? bad : runs).map((r) => r.link),
    dirs: sweeps.map((s) => s.dir),
  };
}

function provenance(results: ResultSets, all: readonly SweepResult[]): Provenance {
  const runs = all.flatMap((s) => s.configs.flatMap((c) => c.runs.map((r) => r.run)));
  const set = (f: (r: (typeof runs)[number]) => unknown) => [...new Set(runs.map(f).filter((v): v is string => typeof v === 'string' && v !== ''))].sort();
  return {
    root: results.root,
    runs: runs.length,
    codeVersions: set((r) => (r as unknown as { versions?: { code?: string } }).versions?.code),
    backends: set((r) => (r as unknown as { backend?: unknown }).backend),
    time: set((r) => r.config.time),
    skipped: results.skipped,
  };
}

export function readiness(results: ResultSets, options: ReadinessOptions = {}): Readiness {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  if (!(threshold > 0 && threshold < 1)) throw new RangeError(`readiness: threshold must lie strictly between 0 and 1, got ${threshold}`);
  const isProbe = (s: SweepResult) => results.boundaries.some((b) => under(s.dir, b.dir) && s.dir !== b.dir);
  const probes = results.sweeps.filter(isProbe);
  const own = results.sweeps.filter((s) => !isProbe(s));
  const envelopeSweeps = own.filter((s) => sweepRole(s) === 'envelope');
  const retrySweeps = own.filter((s) => sweepRole(s) === 'retry');
  const chaosSweeps = results.chaos.flatMap((c) => c.scenarios.map((s) => s.sweep));
  const hazardSweeps = results.hazards.flatMap((h) => h.hazards.map((x) => x.sweep));

  const envelope: EnvelopeSection = {
    threshold,
    sweeps: envelopeSweeps.map((s) => envelopeSweep(s, threshold)),
    boundaries: results.boundaries.flatMap((b) => boundaryCells(b, probes)),
  };
  const retry = retrySweeps.map(retrySweep);
  const hazards = hazardsSection(results.hazards, results.crashes);
  const compaction = compactionSection([...own, ...chaosSweeps], hazards.hazards);
  const isolation = (
    [
      ['workload', own],
      ['boundary', probes],
      ['chaos', chaosSweeps],
      ['hazards', hazardSweeps],
    ] as const
  )
    .filter(([, sweeps]) => sweeps.length > 0)
    .map(([group, sweeps]) => isolationGroup(group, sweeps));

  const missing: MissingItem[] = [];
  if (envelope.sweeps.length === 0) {
    missing.push({ section: 'envelope', what: 'no sweep over writers, writer rate and key overlap', command: 'manifest-lab sweep --config sweeps/comprehensive.json' });
  }
  if (envelope.boundaries.length === 0) {
    missing.push({ section: 'boundary', what: 'no boundary search (the writer rate at which each cell crosses the threshold)', command: 'manifest-lab boundary --config sweeps/comprehensive.json' });
  }
  if (retry.length === 0) {
    missing.push({ section: 'retry', what: 'no sweep over max_retry_count × retry_backoff', command: 'manifest-lab sweep --config sweeps/retry.json' });
  }
  if (compaction.sweeps.length === 0 && compaction.withCompactor.length === 0) {
    missing.push({
      section: 'compaction',
      what: 'no workload run with a compactor (every run has compact_interval_s = 0)',
      command: 'manifest-lab sweep with a compact_interval_s axis, e.g. "axes": {"compact_interval_s": [0, 10, 30]}',
    });
  }
  if (compaction.hazards.length === 0) {
    missing.push({ section: 'compaction', what: 'no compaction hazard reproduced (two-compactors, gc-under-reader, gc-plan-once)', command: 'manifest-lab chaos --scenarios hazards' });
  }
  if (hazards.hazards.length === 0) missing.push({ section: 'hazards', what: 'no hazard reproductions', command: 'manifest-lab chaos --scenarios hazards' });
  if (isolation.every((g) => g.verified === 0)) missing.push({ section: 'isolation', what: 'no verified run', command: 'any manifest-lab sweep (every run is verified)' });

  const usable = envelope.sweeps.length > 0 || envelope.boundaries.length > 0 || retry.length > 0 || hazards.hazards.length > 0 || compaction.sweeps.length > 0;
  return { threshold, provenance: provenance(results, [...own, ...probes, ...chaosSweeps, ...hazardSweeps]), envelope, retry, compaction, hazards, isolation, missing, usable };
}
