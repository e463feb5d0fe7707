/** Hazards observed: each reproduction's k of n seeds, its replay seed and evidence, and the mitigation. */
import { rowsOf } from '../csv.js';
import { num } from '../rates.js';
import { type Proportion, wilson } from '../stats.js';
import type { CrashResult, HazardsResult, Row } from '../types.js';
import { configEvidence, type Evidence, join, resultEvidence } from './readiness-evidence.js';
import { profileOfHazards } from './profiles.js';
import { MITIGATIONS, type Mitigation } from './readiness-mitigations.js';

/** Numeric findings of hazards.csv worth stating, with what each counts. */
export const HAZARD_FINDINGS: readonly (readonly [string, string])[] = [
  ['lost_commits', 'committed attempts lost'],
  ['failed_but_visible', 'failed-but-visible transactions'],
  ['double_applied', 'transactions applied twice'],
  ['max_blocked_after_crash_s', 's longest stall after a crash'],
  ['lease_races', 'lease races'],
];

export interface HazardFinding {
  readonly hazard: string;
  /** The manifest profile the scenario ran under (`fusio-0.5` unless the runs name another). */
  readonly profile: string;
  readonly section: string;
  /** Seeds that reproduced it of seeds run, Wilson 95 %. */
  readonly reproduced: Proportion;
  readonly replaySeed: string | null;
  /** The command that replays the first reproducing run byte for byte. */
  readonly replay: string | null;
  /** hazards.csv's evidence text and anomaly types. */
  readonly evidenceText: string;
  readonly anomalyTypes: string;
  readonly findings: readonly { readonly column: string; readonly label: string; readonly value: number }[];
  readonly mitigation: Mitigation | null;
  /** The hazards table, the first reproducing run, and every run of the hazard. */
  readonly evidence: readonly Evidence[];
  /** The first reproducing run's run.json (results-relative), when hazards.csv names one. */
  readonly firstRun: string | null;
}

export interface CrashFinding {
  readonly dir: string;
  readonly verdict: string;
  readonly commits: number | null;
  readonly attempts: number | null;
  readonly evidence: Evidence;
}

export interface HazardsSection {
  readonly results: readonly string[];
  readonly hazards: readonly HazardFinding[];
  readonly crashes: readonly CrashFinding[];
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

function finding(h: HazardsResult, row: Row): HazardFinding {
  const name = str(row.hazard);
  const profile = profileOfHazards(h);
  const sweep = h.hazards.find((x) => x.name === name)?.sweep;
  const seed = str(row.replay_seed);
  const run = str(row.run);
  const firstRun = sweep !== undefined && run !== '' ? join(sweep.dir, run, 'run.json') : null;
  const evidence: Evidence[] = [resultEvidence('hazards', h.dir, 'hazards.csv')];
  if (sweep !== undefined) evidence.push(...sweep.configs.map((c) => configEvidence(sweep, c)));
  return {
    hazard: name,
    profile,
    section: str(row.section) || (MITIGATIONS[name]?.section ?? ''),
    // Recomputed from the counts: the CSV's rounded bounds are not trusted.
    reproduced: wilson(num(row, 'reproduced') ?? 0, num(row, 'runs') ?? 0),
    replaySeed: seed === '' ? null : seed,
    replay: seed === '' ? null : `manifest-lab chaos --scenarios ${name} --replay-seed ${seed}${profile === 'fusio-0.5' ? '' : ` --profile ${profile}`}`,
    evidenceText: str(row.evidence),
    anomalyTypes: str(row.anomaly_types),
    findings: HAZARD_FINDINGS.flatMap(([column, label]) => {
      const v = num(row, column);
      return v === null || v === 0 ? [] : [{ column, label, value: v }];
    }),
    mitigation: MITIGATIONS[name] ?? null,
    evidence,
    firstRun,
  };
}

export function hazardsSection(hazards: readonly HazardsResult[], crashes: readonly CrashResult[]): HazardsSection {
  return {
    results: hazards.map((h) => h.dir),
    // Reproduced most often first: what a deployment will meet first is what to fix first.
    hazards: hazards
      .flatMap((h) => rowsOf(h.rows).map((r) => finding(h, r)))
      .sort((a, b) => (b.reproduced.lo ?? 0) - (a.reproduced.lo ?? 0) || (a.hazard < b.hazard ? -1 : 1)),
    crashes: crashes.map((c) => ({
      dir: c.dir,
      verdict: str(c.report.verdict) || 'unknown',
      commits: typeof c.report.commits === 'number' ? c.report.commits : null,
      attempts: typeof c.report.attempts === 'number' ? c.report.attempts : null,
      evidence: resultEvidence('crash', c.dir, 'crash.json'),
    })),
  };
}

/** The profiles the hazard findings ran under, in order of first appearance. */
export function hazardProfiles(hazards: readonly HazardFinding[]): string[] {
  return [...new Set(hazards.map((h) => h.profile))];
}
