/** `hazards.csv` and the hazards table: per hazard scenario, how often it reproduced and the evidence. */
import type { HazardFindings, HazardScenario } from '@manifest-lab/chaos';
import { wilson } from '@manifest-lab/workload';
import { type Cell, toCsv } from './csv.js';
import type { RunDocument } from './run-output.js';
import { alignedTable, pct } from './text-table.js';

export interface HazardResult {
  readonly hazard: HazardScenario;
  /** Every seed's run of the scenario, in replica order. */
  readonly docs: readonly RunDocument[];
}

interface HazardRow {
  readonly runs: number;
  readonly reproduced: number;
  readonly rate: { value: number | null; lo: number | null; hi: number | null };
  /** The first seed whose run shows the hazard: replay it with `--replay-seed`. */
  readonly seed: number | null;
  readonly evidence: string;
  readonly anomalyTypes: string[];
  readonly lost: number;
  readonly failedVisible: number;
  readonly doubled: number;
  readonly maxGapS: number;
  readonly maxBlockedAfterCrashS: number | null;
  readonly leaseRaces: number;
  readonly dir: string | null;
}

function findings(doc: RunDocument): HazardFindings {
  if (doc.chaos === undefined) throw new Error(`run ${doc.id} has no chaos findings`);
  return doc.chaos.findings;
}

export function hazardRow(r: HazardResult): HazardRow {
  const shown = r.docs.filter((d) => r.hazard.reproduced(findings(d), d.config));
  const first = shown[0] ?? r.docs[0];
  const interval = wilson(shown.length, r.docs.length);
  const all = r.docs.map(findings);
  const sum = (f: (x: HazardFindings) => number) => all.reduce((a, x) => a + f(x), 0);
  return {
    runs: r.docs.length,
    reproduced: shown.length,
    rate: { value: r.docs.length === 0 ? null : shown.length / r.docs.length, lo: interval?.lo ?? null, hi: interval?.hi ?? null },
    seed: shown[0]?.seed ?? null,
    evidence: first === undefined ? '' : r.hazard.evidence(findings(first), first.config),
    anomalyTypes: [...new Set(all.flatMap((x) => [...x.anomaly_types]))].sort(),
    lost: sum((x) => x.lost_commits),
    failedVisible: sum((x) => x.failed_but_visible),
    doubled: sum((x) => x.double_applied),
    maxGapS: Math.max(0, ...all.map((x) => x.max_commit_gap_s)),
    maxBlockedAfterCrashS: all.some((x) => x.blocked_after_crash_s !== null) ? Math.max(...all.map((x) => x.blocked_after_crash_s ?? 0)) : null,
    leaseRaces: sum((x) => x.lease_races),
    dir: first === undefined ? null : first.id,
  };
}

const round4 = (x: number | null) => (x === null ? null : Math.round(x * 1e4) / 1e4);

/** One row per hazard scenario. */
export function hazardsCsv(results: readonly HazardResult[]): string {
  const header = [
    'hazard',
    'section',
    'runs',
    'reproduced',
    'reproduced_rate',
    'reproduced_rate_lo',
    'reproduced_rate_hi',
    'replay_seed',
    'anomaly_types',
    'lost_commits',
    'failed_but_visible',
    'double_applied',
    'max_commit_gap_s',
    'max_blocked_after_crash_s',
    'lease_races',
    'evidence',
    'run',
  ];
  const rows = results.map((r): Cell[] => {
    const row = hazardRow(r);
    return [
      r.hazard.name,
      r.hazard.section,
      row.runs,
      row.reproduced,
      round4(row.rate.value),
      round4(row.rate.lo),
      round4(row.rate.hi),
      row.seed,
      row.anomalyTypes.join(' '),
      row.lost,
      row.failedVisible,
      row.doubled,
      row.maxGapS,
      row.maxBlockedAfterCrashS,
      row.leaseRaces,
      row.evidence,
      row.dir,
    ];
  });
  return toCsv(header, rows);
}

/** `k/n [lo–hi]`, or – without runs. */
function rateCell(row: HazardRow): string {
  return row.rate.lo === null || row.rate.hi === null ? '–' : `${row.reproduced}/${row.runs} [${pct(row.rate.lo)}–${pct(row.rate.hi)}]`;
}

/** The console table, with the replay command for each reproduced hazard. */
export function hazardsTable(results: readonly HazardResult[], out: string, profile = 'fusio-0.5'): string {
  const computed = results.map((r) => ({ r, row: hazardRow(r) }));
  const rows = computed.map(({ r, row }) => {
    return [r.hazard.name, `§${r.hazard.section}`, rateCell(row), row.seed === null ? '–' : String(row.seed)];
  });
  const table = alignedTable([['hazard', '§', 'reproduced [95 % CI]', 'replay seed'], ...rows]);
  const evidence = computed.map(({ r, row }) => `  ${r.hazard.name}: ${row.evidence}`);
  const missing = computed.filter(({ row }) => row.reproduced === 0).map(({ r }) => r.hazard.name);
  return [
    table,
    '',
    'Evidence (the first reproducing run of each):',
    ...evidence,
    '',
    `Replay one: manifest-lab chaos --scenarios <hazard> --replay-seed <seed>${profile === 'fusio-0.5' ? '' : ` --profile ${profile}`} (the same seed gives the same bytes).`,
    hazardVerdict(profile, computed.length, missing),
    `Details: ${out}/hazards.csv; each run's run.json has chaos.findings, its history.jsonl and verify.json.`,
  ].join('\n');
}

/** What the reproduction counts mean under `profile`: the reference should show every hazard, a fixed profile none. */
function hazardVerdict(profile: string, total: number, missing: readonly string[]): string {
  if (profile === 'fusio-0.5') {
    return missing.length === 0 ? 'Every hazard reproduced under fusio-0.5.' : `Not reproduced in these seeds: ${missing.join(', ')} (add --hazard-seeds).`;
  }
  if (missing.length === total) return `No hazard reproduced under ${profile} (0 in every seed; more --hazard-seeds narrow the intervals).`;
  const shown = total - missing.length;
  return `${shown} of ${total} hazard${total === 1 ? '' : 's'} reproduced under ${profile}: replay them and read their evidence above.`;
}

/**
 * Hazard results of several profiles side by side (`chaos --scenarios hazards --all-profiles`): a
 * row per hazard, a column per profile with how many seeds reproduced it.
 */
export function hazardsByProfileTable(byProfile: readonly { readonly profile: string; readonly results: readonly HazardResult[] }[], out: string): string {
  const profiles = byProfile.map((p) => p.profile);
  const first = byProfile[0]?.results ?? [];
  const rows = first.map((r) => {
    const cells = byProfile.map((p) => {
      const same = p.results.find((x) => x.hazard.name === r.hazard.name);
      return same === undefined ? '–' : rateCell(hazardRow(same));
    });
    return [r.hazard.name, `§${r.hazard.section}`, ...cells];
  });
  const unexpected = byProfile.flatMap((p) =>
    p.profile === 'fusio-0.5' ? [] : p.results.filter((r) => hazardRow(r).reproduced > 0).map((r) => `${r.hazard.name} under ${p.profile}`),
  );
  return [
    alignedTable([['hazard', '§', ...profiles.map((p) => `${p} [95 % CI]`)], ...rows]),
    '',
    unexpected.length === 0
      ? `Under ${profiles.filter((p) => p !== 'fusio-0.5').join(' and ')}: no hazard reproduced in any seed.`
      : `Reproduced under a fixed profile: ${unexpected.join(', ')}.`,
    `Details: ${profiles.map((p) => `${out}/${p}/hazards.csv`).join(', ')}; replay one with --scenarios <hazard> --replay-seed <seed> --profile <p>.`,
  ].join('\n');
}
