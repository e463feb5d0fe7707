/** The console summary of a soak: one row per run, stationarity, then storage and memory. */
import { alignedTable, pct } from '../text-table.js';
import { type Estimate, MATERIAL_CHANGE, MATERIAL_FAILURE_DIFF, MEMORY_SLOPE_LIMIT_MB_PER_H, MIN_MEMORY_SPAN_S, type SoakAnalysis } from './analysis.js';

export interface SoakRow {
  /** The run: its configuration's axis values and replica. */
  readonly label: string;
  readonly analysis: SoakAnalysis;
}

const f1 = (x: number | null | undefined) => (x === null || x === undefined ? '' : x.toFixed(1));
const withCi = (e: Estimate | null, digits = 1) => (e === null ? '' : `${e.value.toFixed(digits)} [${e.lo.toFixed(digits)}, ${e.hi.toFixed(digits)}]`);
const rate = (x: number | null) => (x === null ? '' : pct(x));

export function soakTables(rows: readonly SoakRow[]): string {
  const stationarity = alignedTable([
    ['run', 'verdict', 'fail first→last', 'Δ fail [95% CI]', 'commit ×', 'read ×', 'write p50 ms', 'p50 slope ms/h', 'read p99 ms', 'wall s'],
    ...rows.map(({ label, analysis: a }) => {
      const s = a.stationarity;
      const d = s.failure_rate_diff;
      return [
        label,
        s.drifts.length > 0 ? `drifting: ${s.drifts.join(', ')}` : s.verdict,
        `${rate(s.first.txn_failure_rate)}→${rate(s.last.txn_failure_rate)}`,
        d === null ? '' : `${(d.value * 100).toFixed(1)} [${(d.lo * 100).toFixed(1)}, ${(d.hi * 100).toFixed(1)}] pp`,
        withCi(s.commit_rate_ratio, 2),
        withCi(s.read_rate_ratio, 2),
        `${f1(s.first.write_p50_ms)}→${f1(s.last.write_p50_ms)}`,
        withCi(s.write_p50_slope_ms_per_h),
        `${f1(s.first.read_p99_ms)}→${f1(s.last.read_p99_ms)}`,
        f1(a.wall_s),
      ];
    }),
  ]);
  const resources = alignedTable([
    ['run', 'segments/h', 'checkpoints/h', 'objects end', 'leases live/leaked', 'heap live MB first→last', 'slope MB/h', 'caches MB end/bound', 'slope beyond caches MB/h', 'rss max MB', 'memory'],
    ...rows.map(({ label, analysis: a }) => [
      label,
      withCi(a.objects.segments_per_h, 0),
      withCi(a.objects.checkpoints_per_h, 0),
      String(a.objects.last.objects),
      `${a.leases.max_live}/${a.leases.max_expired}`,
      `${f1(a.memory.heap_live_first_mb)}→${f1(a.memory.heap_live_last_mb)}`,
      withCi(a.memory.heap_live_slope_mb_per_h),
      a.memory.caches === null ? '' : `${f1(a.memory.caches.end_mb)}/${f1(a.memory.caches.bound_mb)}`,
      withCi(a.memory.heap_beyond_caches_slope_mb_per_h),
      f1(a.memory.rss_max_mb),
      a.memory.verdict,
    ]),
  ]);
  return [
    'stationarity (first vs last third of the measured buckets):',
    stationarity,
    '',
    'storage and memory:',
    resources,
    '',
    `drifting: an interval excludes "no change" and the change is material (failure rate ±${MATERIAL_FAILURE_DIFF * 100} pp; commit/read rate, p50 over the run ±${MATERIAL_CHANGE * 100} %).`,
    `memory bounded: over the second half of the run, the least-squares slope of the live heap (after a full GC) less the manifests' decoded caches (which fill up to a fixed capacity; their entries weighed after the run) has a 95 % upper bound below ${MEMORY_SLOPE_LIMIT_MB_PER_H} MB/h; growing: its lower bound is above it; no verdict from a second half under ${MIN_MEMORY_SPAN_S / 60} min.`,
    'leases leaked: expired but still stored (max over buckets). Slopes and ratios: value [95 % interval].',
  ].join('\n');
}
