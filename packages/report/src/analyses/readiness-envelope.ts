/**
 * The safe operating envelope: which writers × writer rate × overlap (× readers) settings keep
 * the transaction failure rate under a budget with 95 % confidence, and — from a boundary run —
 * the writer rate at which each cell crosses it.
 */
import { rowsOf } from '../csv.js';
import { compareCells, num } from '../rates.js';
import { type Interval, type Proportion, wilson } from '../stats.js';
import type { BoundaryResultSet, Cell, Row, SweepResult } from '../types.js';
import { configEvidence, type Evidence, join } from './readiness-evidence.js';
import { underThreshold } from './under-threshold.js';

/** The fields an envelope is drawn over, in the order a reader scans them. */
export const ENVELOPE_FIELDS = ['num_writers', 'writer_rate', 'key_overlap_ratio', 'num_readers', 'reader_rate'] as const;

/**
 * Fields held fixed across a sweep that the envelope is conditional on: a safe rate found with
 * 3 retries on simulated S3 latency says nothing about 0 retries on a slower store.
 */
export const CONDITION_FIELDS = [
  'max_retry_count',
  'retry_backoff',
  'ops_per_txn',
  'compact_interval_s',
  'lease_ttl_ms',
  'latency_profile',
  'time',
  'duration_s',
  'profile',
  'value_bytes',
  'keys_per_writer',
  // Research knobs (docs/research.md): at anything but their defaults they change the system.
  'compact_gc',
  'remote_writers',
  'remote_latency_ms',
  'orphan_recovery_every',
  'writer_crash_prob',
  'head_cache_ms',
  'max_clock_skew_ms',
] as const;

export type Verdict = 'safe' | 'maybe' | 'over';

export interface EnvelopeConfig {
  readonly id: string;
  /** Its values of the envelope fields and of any other axis of its sweep. */
  readonly setting: Readonly<Record<string, Cell>>;
  /** Transaction failure rate: failed of `n` write transactions, Wilson 95 %. */
  readonly failure: Proportion;
  /** safe: upper bound under the threshold; maybe: point under, interval not; over: point at or above. */
  readonly verdict: Verdict;
  /** Write TPS with its bootstrap interval over replicas (null ends when one replica). */
  readonly writeTps: Interval;
  readonly replicas: number;
  readonly evidence: Evidence;
}

/** One cell: every envelope field but the writer rate fixed. */
export interface EnvelopeCell {
  readonly key: Readonly<Record<string, Cell>>;
  /** Highest tested writer rate such that it and every lower tested rate are `safe`. */
  readonly maxSafe: EnvelopeConfig | null;
  /** Lowest tested writer rate whose point estimate is at or over the threshold. */
  readonly minOver: EnvelopeConfig | null;
  /** By writer rate. */
  readonly configs: readonly EnvelopeConfig[];
}

export interface EnvelopeSweep {
  readonly name: string;
  readonly dir: string;
  readonly axes: readonly string[];
  /** Values of the condition fields, when constant over the sweep. */
  readonly conditions: Readonly<Record<string, Cell>>;
  readonly configs: readonly EnvelopeConfig[];
  readonly cells: readonly EnvelopeCell[];
  readonly counts: { readonly safe: number; readonly maybe: number; readonly over: number; readonly unrated: number };
  /** The sweep's own results.csv, for claims about it as a whole. */
  readonly file: string;
}

/** One end of a boundary bracket: a probed rate decided below (or above) the threshold. */
export interface BoundaryEnd {
  readonly rate: number;
  /** The probe's pooled failure rate, with the interval its verdict used (widened for its looks). */
  readonly failure: Proportion;
  /** Write transactions completed / offered (well under 1: the writers were saturated). */
  readonly achieved: number | null;
  readonly evidence: Evidence[];
}

export interface BoundaryCell {
  /** The boundary result's directory. */
  readonly result: string;
  readonly cell: string;
  readonly key: Readonly<Record<string, Cell>>;
  readonly metric: string;
  readonly threshold: number;
  /** bracketed, undecided, below_range, above_range or non_monotone (see `manifest-lab boundary`). */
  readonly status: string;
  /** Highest probed rate whose interval lies wholly below the threshold. */
  readonly below: BoundaryEnd | null;
  /** Lowest probed rate whose interval lies wholly above it. */
  readonly above: BoundaryEnd | null;
  /** An undecided probe between the two: the crossing is statistically indistinguishable from it. */
  readonly near: BoundaryEnd | null;
  readonly probes: number;
  readonly runs: number;
  readonly file: string;
}

export interface EnvelopeSection {
  readonly threshold: number;
  readonly sweeps: readonly EnvelopeSweep[];
  readonly boundaries: readonly BoundaryCell[];
}

const str = (c: Cell | undefined): string => (c === null || c === undefined ? '' : String(c));

/** Values of `fields` that are the same in every row (missing columns are left out). */
export function constantFields(sweep: SweepResult, fields: readonly string[]): Record<string, Cell> {
  const rows = rowsOf(sweep.rows);
  const out: Record<string, Cell> = {};
  for (const f of fields) {
    if (!sweep.rows.columnNames().includes(f)) continue;
    const values = new Set(rows.map((r) => str(r[f])));
    if (values.size === 1) out[f] = rows[0]?.[f] ?? null;
  }
  return out;
}

function interval(row: Row, column: string): Interval {
  return { value: num(row, column), lo: num(row, `${column}_lo`), hi: num(row, `${column}_hi`) };
}

export function envelopeSweep(sweep: SweepResult, threshold: number): EnvelopeSweep {
  const t = underThreshold(sweep, threshold);
  const rated = new Map<string, { verdict: Verdict; rate: Proportion }>([
    ...t.below.map((c) => [c.id, { verdict: 'safe' as const, rate: c }] as const),
    ...t.maybe.map((c) => [c.id, { verdict: 'maybe' as const, rate: c }] as const),
    ...t.above.map((c) => [c.id, { verdict: 'over' as const, rate: c }] as const),
  ]);
  const extra = sweep.axes.filter((a) => !(ENVELOPE_FIELDS as readonly string[]).includes(a));
  const fields = [...ENVELOPE_FIELDS, ...extra];
  const configs: EnvelopeConfig[] = [];
  for (const c of sweep.configs) {
    const r = rated.get(c.id);
    if (r === undefined) continue;
    configs.push({
      id: c.id,
      setting: Object.fromEntries(fields.map((f) => [f, c.row[f] ?? null])),
      failure: wilson(r.rate.k, r.rate.n),
      verdict: r.verdict,
      writeTps: interval(c.row, 'write_tps'),
      replicas: num(c.row, 'replicas') ?? c.runs.length,
      evidence: configEvidence(sweep, c),
    });
  }
  return {
    name: sweep.name,
    dir: sweep.dir,
    axes: sweep.axes,
    conditions: constantFields(sweep, CONDITION_FIELDS),
    configs,
    cells: cellsOf(configs, fields.filter((f) => f !== 'writer_rate')),
    counts: { safe: t.below.length, maybe: t.maybe.length, over: t.above.length, unrated: t.unrated.length },
    file: join(sweep.dir, 'results.csv'),
  };
}

function cellsOf(configs: readonly EnvelopeConfig[], keyFields: readonly string[]): EnvelopeCell[] {
  const groups = new Map<string, EnvelopeConfig[]>();
  for (const c of configs) {
    const id = JSON.stringify(keyFields.map((f) => c.setting[f] ?? null));
    groups.set(id, [...(groups.get(id) ?? []), c]);
  }
  const rate = (c: EnvelopeConfig) => c.setting.writer_rate ?? null;
  return [...groups.values()]
    .map((members) => {
      const sorted = [...members].sort((a, b) => compareCells(rate(a), rate(b)));
      let maxSafe: EnvelopeConfig | null = null;
      for (const c of sorted) {
        if (c.verdict !== 'safe') break;
        maxSafe = c;
      }
      const first = sorted[0] as EnvelopeConfig;
      return {
        key: Object.fromEntries(keyFields.map((f) => [f, first.setting[f] ?? null])),
        maxSafe,
        minOver: sorted.find((c) => c.verdict === 'over') ?? null,
        configs: sorted,
      };
    })
    .sort((a, b) => {
      for (const f of keyFields) {
        const d = compareCells(a.key[f] ?? null, b.key[f] ?? null);
        if (d !== 0) return d;
      }
      return 0;
    });
}

/**
 * A boundary table's cells, each end linked to its probe's runs. A probe's directory is a
 * one-configuration sweep under the boundary directory, found among the loaded sweeps.
 */
export function boundaryCells(b: BoundaryResultSet, sweeps: readonly SweepResult[]): BoundaryCell[] {
  const probes = rowsOf(b.probes);
  const byDir = new Map(sweeps.map((s) => [s.dir, s]));
  const end = (cell: string, rate: number | null): BoundaryEnd | null => {
    if (rate === null) return null;
    const p = probes.find((x) => str(x.cell) === cell && num(x, 'writer_rate') === rate);
    if (p === undefined) return null;
    const sweep = byDir.get(join(b.dir, str(p.dir)));
    const evidence = sweep === undefined ? [] : sweep.configs.map((c) => configEvidence(sweep, c));
    const k = num(p, 'k') ?? 0;
    const n = num(p, 'n') ?? 0;
    const lo = num(p, 'ci_lo');
    const hi = num(p, 'ci_hi');
    // boundary.csv from before the look correction has no achieved column; its ci is nominal.
    const failure = lo === null || hi === null ? wilson(k, n) : { k, n, value: num(p, 'value'), lo, hi };
    return { rate, failure, achieved: num(p, 'achieved'), evidence };
  };
  const columns = b.rows.columnNames();
  const keyFields = columns.slice(columns.indexOf('cell') + 1, columns.indexOf('metric'));
  return rowsOf(b.rows).map((r) => ({
    result: b.dir,
    cell: str(r.cell),
    key: Object.fromEntries(keyFields.map((f) => [f, r[f] ?? null])),
    metric: str(r.metric),
    threshold: num(r, 'threshold') ?? Number.NaN,
    status: str(r.status),
    below: end(str(r.cell), num(r, 'boundary_lo')),
    above: end(str(r.cell), num(r, 'boundary_hi')),
    near: end(str(r.cell), num(r, 'near_rate')),
    probes: num(r, 'probes') ?? 0,
    runs: num(r, 'runs') ?? 0,
    file: join(b.dir, 'boundary.csv'),
  }));
}
