import { totalRequests } from '@manifest-lab/manifest-core';
import { CONFIG_FIELDS, WRITE_FAILURE_CLASSES, WRITER_GROUPS } from '@manifest-lab/workload';
import { type ConfigSummary, type Estimate, LATENCY_COLUMNS } from './pool.js';
import type { RunDocument } from './run-output.js';

const NO_ESTIMATE: Estimate = { value: null, lo: null, hi: null };

/** A cell: undefined results are empty cells, never 0. */
export type Cell = string | number | boolean | null;
type Columns<T> = Record<string, (row: T) => Cell>;

/** `name`, `name_lo`, `name_hi` for an estimate. */
function withInterval<T>(name: string, get: (row: T) => Estimate): Columns<T> {
  return { [name]: (r) => get(r).value, [`${name}_lo`]: (r) => get(r).lo, [`${name}_hi`]: (r) => get(r).hi };
}

/**
 * `results.csv`: one row per configuration, its replicas pooled. Every rate has a 95 %
 * interval and sits beside its sample size; latency percentiles from fewer than 100 samples
 * are marked in `<name>_flag`.
 */
const SUMMARY_MEASURES: Columns<ConfigSummary> = {
  replicas: (s) => s.replicas,
  write_txns: (s) => s.counts.write_txns,
  write_attempts: (s) => s.counts.write_attempts,
  commits: (s) => s.counts.commits,
  // The reference framework's names for the same three counts.
  total_write_txns: (s) => s.counts.write_txns,
  total_attempts: (s) => s.counts.write_attempts,
  successful_commits: (s) => s.counts.commits,
  ...withInterval('txn_failure_rate', (s) => s.rates.txn_failure_rate),
  ...withInterval('precondition_failure_rate', (s) => s.rates.precondition_failure_rate),
  top_failure_class: (s) => s.top_failure_class ?? '',
  ...Object.fromEntries(WRITE_FAILURE_CLASSES.map((c) => [`fail_${c}`, (s: ConfigSummary) => s.outcomes[c]])),
  ...withInterval('write_tps', (s) => s.throughput.write_tps),
  ...withInterval('read_tps', (s) => s.throughput.read_tps),
  ...Object.assign(
    {},
    ...LATENCY_COLUMNS.map((c) => ({
      ...withInterval<ConfigSummary>(c, (s) => s.latency[c]),
      [`${c}_flag`]: (s: ConfigSummary) => (s.latency[c].flagged ? `fewer than 100 samples (${s.latency[c].samples})` : ''),
    })),
  ),
  window_mean_ms: (s) => s.window_mean_ms,
  model_conflict_rate: (s) => s.conflict_model.model_conflict_rate,
  model_to_measured_ratio: (s) => s.conflict_model.ratio,
  direct_conflict_rate: (s) => s.conflict_model.direct_conflict_rate,
  lambda_others: (s) => s.conflict_model.lambda_others,
  ...withInterval('write_offered_tps', (s) => s.throughput.write_offered_tps),
  ...withInterval('write_achieved_tps', (s) => s.throughput.write_achieved_tps),
  ...withInterval('read_offered_tps', (s) => s.throughput.read_offered_tps),
  ...withInterval('read_achieved_tps', (s) => s.throughput.read_achieved_tps),
  write_late: (s) => s.load.write_late,
  write_dropped: (s) => s.load.write_dropped,
  read_late: (s) => s.load.read_late,
  read_dropped: (s) => s.load.read_dropped,
  saturated: (s) => s.load.saturated,
  overrun_s: (s) => s.overrun_s,
  precondition_failures: (s) => s.counts.precondition_failures,
  total_retries: (s) => s.counts.retries,
  avg_retry_count: (s) => s.avg_retry_count,
  ...withInterval('retry_success_rate', (s) => s.rates.retry_success_rate),
  ...withInterval('retry_failure_rate', (s) => s.rates.retry_failure_rate),
  retried_txns: (s) => s.counts.retried_txns,
  total_retry_failures: (s) => s.rates.retry_failure_rate.k,
  total_read_txns: (s) => s.counts.read_txns,
  read_errors: (s) => s.counts.read_errors,
  requests_per_commit: (s) => s.requests_per_commit,
  wasted_requests_per_commit: (s) => s.wasted_requests_per_commit,
  // Multi-region (remote_writers > 0): does the far writer lose more CAS races? Empty otherwise.
  ...Object.assign(
    {},
    ...WRITER_GROUPS.map((g) => ({
      [`${g}_write_attempts`]: (s: ConfigSummary) => s.groups?.[g].write_attempts ?? null,
      [`${g}_commits`]: (s: ConfigSummary) => s.groups?.[g].commits ?? null,
      ...withInterval<ConfigSummary>(`${g}_precondition_failure_rate`, (s) => s.groups?.[g].precondition_failure_rate ?? NO_ESTIMATE),
      ...withInterval<ConfigSummary>(`${g}_txn_failure_rate`, (s) => s.groups?.[g].txn_failure_rate ?? NO_ESTIMATE),
    })),
  ),
  isolation_valid: (s) => String(s.isolation.valid),
  runs_valid: (s) => s.isolation.runs_valid,
  anomaly_types: (s) => s.isolation.anomaly_types.join(';'),
  config_id: (s) => s.id,
};

/** `runs.csv`: one row per replica run, unpooled. */
const RUN_MEASURES: Columns<RunDocument> = {
  write_tps: (d) => d.metrics.write.tps,
  read_tps: (d) => d.metrics.read.tps,
  // A summary of no samples reads 0: leave those cells empty.
  write_p50_ms: (d) => (d.metrics.write.latency.count === 0 ? null : d.metrics.write.latency.p50_ms),
  write_p99_ms: (d) => (d.metrics.write.latency.count === 0 ? null : d.metrics.write.latency.p99_ms),
  read_p50_ms: (d) => (d.metrics.read.latency.count === 0 ? null : d.metrics.read.latency.p50_ms),
  read_p99_ms: (d) => (d.metrics.read.latency.count === 0 ? null : d.metrics.read.latency.p99_ms),
  write_txns: (d) => d.metrics.write.counters.txns,
  write_attempts: (d) => d.metrics.write.counters.attempts,
  commits: (d) => d.metrics.write.counters.successes,
  precondition_failures: (d) => d.metrics.write.counters.precondition_failures,
  txn_failure_rate: (d) => d.metrics.rates.txn_failure_rate,
  precondition_failure_rate: (d) => d.metrics.rates.precondition_failure_rate,
  ...Object.fromEntries(WRITE_FAILURE_CLASSES.map((c) => [`fail_${c}`, (d: RunDocument) => d.metrics.outcomes[c]])),
  window_p50_ms: (d) => d.metrics.conflict_model.window_p50_ms,
  window_mean_ms: (d) => d.metrics.conflict_model.window_mean_ms,
  model_conflict_rate: (d) => d.metrics.conflict_model.model_conflict_rate,
  write_offered_tps: (d) => d.metrics.load.write.offered_tps,
  write_achieved_tps: (d) => d.metrics.load.write.achieved_tps,
  read_offered_tps: (d) => d.metrics.load.read.offered_tps,
  read_achieved_tps: (d) => d.metrics.load.read.achieved_tps,
  saturated: (d) => d.metrics.load.saturated,
  overrun_s: (d) => d.metrics.overrun_s,
  requests_per_commit: (d) => d.metrics.rates.requests_per_commit,
  wasted_requests_per_commit: (d) => d.metrics.rates.wasted_requests_per_commit ?? null,
  total_requests: (d) => totalRequests(d.request_counts),
  isolation_valid: (d) => String(d.isolation.valid),
  anomaly_types: (d) => d.isolation.anomaly_types.join(';'),
  run_id: (d) => d.id,
};

export const CSV_COLUMNS: readonly string[] = [...CONFIG_FIELDS, ...Object.keys(SUMMARY_MEASURES)];
export const RUN_CSV_COLUMNS: readonly string[] = [...CONFIG_FIELDS, ...Object.keys(RUN_MEASURES)];

function rows<T extends { readonly config: Record<string, unknown> }>(items: readonly T[], measures: Columns<T>): Cell[][] {
  return items.map((it) => [...CONFIG_FIELDS.map((f) => it.config[f] as Cell), ...Object.values(measures).map((m) => m(it))]);
}

/** The `results.csv` cells of each summary, in `CSV_COLUMNS` order. */
export function summaryRows(summaries: readonly ConfigSummary[]): Cell[][] {
  return rows(summaries, SUMMARY_MEASURES);
}

export function summariesCsv(summaries: readonly ConfigSummary[]): string {
  return toCsv(CSV_COLUMNS, summaryRows(summaries));
}

export function runsCsv(docs: readonly RunDocument[]): string {
  return toCsv(RUN_CSV_COLUMNS, rows(docs, RUN_MEASURES));
}

/** RFC 4180: a header line, one line per row, fields quoted only when they must be. */
export function toCsv(header: readonly string[], body: readonly (readonly Cell[])[]): string {
  const lines = [header, ...body].map((row) => row.map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}

function csvField(v: Cell): string {
  const s = v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
