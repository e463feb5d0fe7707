/**
 * What a person reads after a sweep: every configuration with both failure rates, their
 * intervals and sample sizes, the largest failure class and a saturation mark; then the best
 * and worst by transaction failure rate, saying which of them the data cannot tell apart.
 */
import type { ConfigSummary, Percentile, Rate } from './pool.js';
import { alignedTable, pct } from './text-table.js';

type Column = readonly [header: string, cell: (s: ConfigSummary) => string];

const COLUMNS: readonly Column[] = [
  ['config', (s) => s.id],
  ['writers', (s) => String(s.config.num_writers)],
  ['w_rate', (s) => String(s.config.writer_rate)],
  ['overlap', (s) => String(s.config.key_overlap_ratio)],
  ['readers', (s) => String(s.config.num_readers)],
  ['r_rate', (s) => String(s.config.reader_rate)],
  ['reps', (s) => String(s.replicas)],
  ['txns', (s) => String(s.counts.write_txns)],
  ['txn_fail [95% CI]', (s) => rateCell(s.rates.txn_failure_rate)],
  ['attempts', (s) => String(s.counts.write_attempts)],
  ['pf/attempt [95% CI]', (s) => rateCell(s.rates.precondition_failure_rate)],
  ['model', (s) => (s.conflict_model.model_conflict_rate === null ? '-' : pct(s.conflict_model.model_conflict_rate))],
  ['top_failure', (s) => (s.top_failure_class === null ? '-' : `${s.top_failure_class} ${s.outcomes[s.top_failure_class]}`)],
  ['write_tps', (s) => (s.throughput.write_tps.value ?? 0).toFixed(3)],
  ['write_p99_ms', (s) => percentileCell(s.latency.write_p99_ms)],
  ['sat', (s) => (s.load.saturated ? saturationCell(s) : '')],
  ['isolation', (s) => (s.isolation.valid === true ? 'valid' : `${s.isolation.valid === false ? 'INVALID' : 'unknown'} ${s.isolation.anomaly_types.join(';')}`)],
];

export const LEGEND = [
  'Legend: txn_fail = write transactions that did not commit (any class) / transactions; pf/attempt = precondition',
  'failures / write attempts (the reference\'s rate); [lo–hi] = 95 % Wilson interval over the pooled replicas; model =',
  'the HEAD-CAS model 1 − exp(−λ_others·w) averaged over attempts; top_failure = largest failure class and its count',
  '(conflict, lease_race, ambiguous, timeout, throttled, other); reps = replicas (seeds) pooled; * = percentile from',
  'fewer than 100 samples (closer to a maximum than a p99); sat = saturated: W or R achieved < 90 % of offered load',
  '(writes / reads), with the achieved share.',
].join('\n');

/** Every configuration, in sweep order. */
export function configTable(summaries: readonly ConfigSummary[]): string {
  return table(COLUMNS, summaries);
}

/**
 * The `n` best and worst by transaction failure rate. Ties on the point estimate break by the
 * upper bound; a configuration whose interval overlaps the best's (or the worst's) is marked
 * "indistinguishable" from it.
 */
export function bestWorstTable(summaries: readonly ConfigSummary[], n = 5): string {
  const key = (s: ConfigSummary) => s.rates.txn_failure_rate;
  const rated = summaries.filter((s) => key(s).value !== null);
  const sorted = [...rated].sort(
    (a, b) => (key(a).value as number) - (key(b).value as number) || (key(a).hi as number) - (key(b).hi as number) || (a.id < b.id ? -1 : 1),
  );
  if (rated.length < 2) return '(one configuration: nothing to rank)';
  const best = sorted.slice(0, n);
  const worst = sorted.slice(-n).reverse();
  const vs = (ref: ConfigSummary | undefined): Column => [
    'vs first',
    (s) => (ref === undefined || s === ref ? '-' : overlaps(key(s), key(ref)) ? 'indistinguishable' : 'different'),
  ];
  const tie = (ref: ConfigSummary | undefined) => rated.filter((s) => ref !== undefined && s !== ref && overlaps(key(s), key(ref))).length;
  const cols: Column[] = [COLUMNS[0] as Column, ...COLUMNS.slice(1, 6), COLUMNS[7] as Column, COLUMNS[8] as Column, COLUMNS[12] as Column, COLUMNS[15] as Column];
  return [
    `Best ${best.length} by transaction failure rate (lowest first); ${tie(best[0])} of the ${rated.length - 1} other configs are indistinguishable from the first (95 % intervals overlap):`,
    table([...cols, vs(best[0])], best),
    '',
    `Worst ${worst.length} by transaction failure rate (highest first); ${tie(worst[0])} of the ${rated.length - 1} other configs are indistinguishable from the first:`,
    table([...cols, vs(worst[0])], worst),
  ].join('\n');
}

/** One line: how many configurations (and runs) verified clean, and which anomalies the others showed. */
export function isolationLine(summaries: readonly ConfigSummary[]): string {
  const clean = summaries.filter((s) => s.isolation.valid === true).length;
  const runs = summaries.reduce((a, s) => a + s.replicas, 0);
  const runsClean = summaries.reduce((a, s) => a + s.isolation.runs_valid, 0);
  const counts = new Map<string, number>();
  for (const s of summaries) for (const t of s.isolation.anomaly_types) counts.set(t, (counts.get(t) ?? 0) + 1);
  const detail = [...counts].map(([t, k]) => `${t} in ${k} configs`).join(', ');
  // A HEAD cache gives up real-time order on purpose: say so, but keep counting its anomalies.
  const cached = summaries.filter((s) => (s.config.head_cache_ms ?? 0) > 0 && s.isolation.valid !== true).length;
  const note = cached === 0 ? '' : ` (${cached} of the configs with anomalies cache HEAD — head_cache_ms > 0 — which gives up real-time order by design: their anomalies are the cache's measured cost)`;
  return `isolation (strict-serializable): ${runsClean} of ${runs} runs valid, ${clean} of ${summaries.length} configs${detail === '' ? '' : `; anomalies: ${detail}`}${note}`;
}

/** One line on saturation, the conflict model and percentile sample sizes. */
export function cautionLines(summaries: readonly ConfigSummary[]): string {
  const saturated = summaries.filter((s) => s.load.saturated).length;
  const flagged = summaries.filter((s) => s.latency.write_p99_ms.flagged).length;
  const ratios = summaries.map((s) => s.conflict_model.ratio).filter((r): r is number => r !== null).sort((a, b) => a - b);
  const q = (p: number) => ratios[Math.min(ratios.length - 1, Math.floor(p * (ratios.length - 1)))]?.toFixed(2);
  const within = ratios.filter((r) => r >= 0.8 && r <= 1.25).length;
  const direct = summaries
    .map((s) => s.conflict_model)
    .filter((m) => m.direct_conflict_rate !== null && m.measured_conflict_rate !== null && m.measured_conflict_rate > 0)
    .map((m) => (m.direct_conflict_rate as number) / (m.measured_conflict_rate as number))
    .sort((a, b) => a - b);
  const dq = (p: number) => direct[Math.min(direct.length - 1, Math.floor(p * (direct.length - 1)))]?.toFixed(2);
  return [
    `saturation: ${saturated} of ${summaries.length} configs achieved less than 90 % of their offered load (marked in "sat"); their rate axes do not set the real load.`,
    `write p99 from fewer than 100 samples: ${flagged} of ${summaries.length} configs (marked *).`,
    ratios.length === 0
      ? 'HEAD-CAS model: no config had both conflicts and measured windows to compare.'
      : `HEAD-CAS model vs measured per-attempt conflict rate (model/measured, ${ratios.length} configs with conflicts): min ${q(0)}, median ${q(0.5)}, max ${q(1)}; ${within} within 0.8–1.25. ` +
        `Share of attempts with another commit inside their window vs measured: min ${dq(0)}, median ${dq(0.5)}, max ${dq(1)} (near 1: conflicts are exactly the commits inside the window, less segment-number races; so a gap to the model is its Poisson assumption).`,
  ].join('\n');
}

function overlaps(a: Rate, b: Rate): boolean {
  return a.lo !== null && a.hi !== null && b.lo !== null && b.hi !== null && a.lo <= b.hi && b.lo <= a.hi;
}

function rateCell(r: Rate): string {
  if (r.value === null) return '-';
  return `${pct(r.value)} [${pct(r.lo ?? 0)}–${pct(r.hi ?? 0)}]`;
}

function percentileCell(p: Percentile): string {
  if (p.value === null) return '-';
  return `${p.value.toFixed(0)}${p.flagged ? '*' : ''}`;
}

function saturationCell(s: ConfigSummary): string {
  const parts: string[] = [];
  if (s.load.write_achieved_ratio !== null && s.load.write_achieved_ratio < 0.9) parts.push(`W${Math.round(s.load.write_achieved_ratio * 100)}%`);
  if (s.load.read_achieved_ratio !== null && s.load.read_achieved_ratio < 0.9) parts.push(`R${Math.round(s.load.read_achieved_ratio * 100)}%`);
  return parts.join(' ');
}

function table(cols: readonly Column[], rows: readonly ConfigSummary[]): string {
  return alignedTable([cols.map(([h]) => h), ...rows.map((r) => cols.map(([, f]) => f(r)))]);
}
