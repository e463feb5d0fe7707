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
import { headCached, type ResearchSweep, researchKnobs, researchSweep } from './readiness-research.js';
import { RETRY_FIELDS, type RetrySweep, retrySweep } from './readiness-retry.js';
import { type SummaryItem, summaryItems } from './readiness-summary.js';

export const DEFAULT_THRESHOLD = 0.1;

export interface IsolationGroup {
  /**
   * workload: sweeps (research sweeps excepted); research: research sweeps' runs without a HEAD
   * cache; head-cache: runs with head_cache_ms > 0, whose reads may be stale by design
   * (serializable, not strict-serializable: *-realtime and stale-read anomalies are expected);
   * boundary: boundary probes; chaos: chaos scenarios; hazards: hazard reproductions.
   */
  readonly group: 'workload' | 'research' | 'head-cache' | 'boundary' | 'chaos' | 'hazards';
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
  /** Sweeps kept out of the envelope because they vary or fix a research knob. */
  readonly research: readonly ResearchSweep[];
  /** One line per topic, with its links: the top of the document. */
  readonly summary: readonly SummaryItem[];
  readonly missing: readonly MissingItem[];
  /** Whether any section has data to recommend from. */
  readonly usable: boolean;
}

export interface ReadinessOptions {
  /** Transaction failure-rate budget (default 0.1). */
  readonly threshold?: number;
}

export type SweepRole = 'retry' | 'compaction' | 'research' | 'envelope';

/**
 * Which section a top-level sweep feeds. A sweep that varies a research knob, or fixes one away
 * from its default, changes the system under test (a HEAD cache, injected writer crashes, remote
 * writers, rarer orphan recovery): `research`, never the envelope — except one that touches only
 * the GC mode, which is a compaction setting (`compaction`). Otherwise: `retry` when it varies a
 * retry field, `compaction` when compact_interval_s, else the envelope.
 */
export function sweepRole(sweep: SweepResult): SweepRole {
  const knobs = researchKnobs(sweep);
  const touched = [...knobs.varied, ...Object.keys(knobs.fixed)];
  if (touched.some((k) => k !== 'compact_gc')) return 'research';
  if (touched.length > 0) return 'compaction';
  if (sweep.axes.some((a) => (RETRY_FIELDS as readonly string[]).includes(a))) return 'retry';
  if (sweep.axes.includes('compact_interval_s')) return 'compaction';
  return 'envelope';
}

const under = (dir: string, parent: string) => parent === '' || dir === parent || dir.startsWith(`${parent}/`);

function isolationGroup(group: IsolationGroup['group'], sweeps: readonly SweepResult[], keep: (r: RunEntry) => boolean = () => true): IsolationGroup {
  const runs: { link: RunLink; run: RunEntry }[] = sweeps.flatMap((s) =>
    s.configs.flatMap((c) => c.runs.filter(keep).map((r) => ({ link: { id: `${c.id}/${r.id}`, file: r.files.run }, run: r }))),
  );
  const inGroup = sweeps.filter((s) => s.configs.some((c) => c.runs.some(keep)));
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
    dirs: inGroup.map((s) => s.dir),
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
  const researchSweeps = own.filter((s) => sweepRole(s) === 'research');
  const workloadSweeps = own.filter((s) => sweepRole(s) !== 'research');
  const chaosSweeps = results.chaos.flatMap((c) => c.scenarios.map((s) => s.sweep));
  const hazardSweeps = results.hazards.flatMap((h) => h.hazards.map((x) => x.sweep));

  const envelope: EnvelopeSection = {
    threshold,
    sweeps: envelopeSweeps.map((s) => envelopeSweep(s, threshold)),
    boundaries: results.boundaries.flatMap((b) => boundaryCells(b, probes)),
  };
  const retry = retrySweeps.map(retrySweep);
  const hazards = hazardsSection(results.hazards, results.crashes);
  // Research sweeps change the system under test: only GC-mode ones (role compaction) are used here.
  const compaction = compactionSection([...workloadSweeps, ...chaosSweeps], hazards.hazards);
  const research = own
    .filter((s) => {
      const k = researchKnobs(s);
      return k.varied.length > 0 || Object.keys(k.fixed).length > 0;
    })
    .map((s) => researchSweep(s, sweepRole(s) === 'compaction' ? 'compaction' : null));
  const strict = (r: RunEntry) => !headCached(r);
  const isolation = (
    [
      ['workload', workloadSweeps, strict],
      ['research', researchSweeps, strict],
      ['head-cache', own, headCached],
      ['boundary', probes, strict],
      ['chaos', chaosSweeps, strict],
      ['hazards', hazardSweeps, () => true],
    ] as const
  )
    .map(([group, sweeps, keep]) => isolationGroup(group, sweeps, keep))
    .filter((g) => g.runs > 0);

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
  const body = { threshold, provenance: provenance(results, [...own, ...probes, ...chaosSweeps, ...hazardSweeps]), envelope, retry, compaction, hazards, isolation, research, missing, usable };
  return { ...body, summary: summaryItems(body) };
}
