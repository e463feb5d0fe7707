import { totalRequests } from '@manifest-lab/manifest-core';
import { CONFIG_FIELDS } from '@manifest-lab/workload';
import type { RunDocument } from './run-output.js';

/** Measures, after the config fields: the reference framework's columns plus the lab's own. */
const MEASURES = {
  write_tps: (d) => d.metrics.write.tps,
  read_tps: (d) => d.metrics.read.tps,
  write_p50_ms: (d) => d.metrics.write.latency.p50_ms,
  write_p95_ms: (d) => d.metrics.write.latency.p95_ms,
  write_p99_ms: (d) => d.metrics.write.latency.p99_ms,
  read_p50_ms: (d) => d.metrics.read.latency.p50_ms,
  read_p95_ms: (d) => d.metrics.read.latency.p95_ms,
  read_p99_ms: (d) => d.metrics.read.latency.p99_ms,
  commit_p50_ms: (d) => d.metrics.write.commit_latency.p50_ms,
  commit_p99_ms: (d) => d.metrics.write.commit_latency.p99_ms,
  total_write_txns: (d) => d.metrics.write.counters.txns,
  total_attempts: (d) => d.metrics.write.counters.attempts,
  successful_commits: (d) => d.metrics.write.counters.successes,
  precondition_failures: (d) => d.metrics.write.counters.precondition_failures,
  precondition_failure_rate: (d) => d.metrics.rates.precondition_failure_rate,
  total_retries: (d) => d.metrics.write.counters.retries,
  avg_retry_count: (d) => d.metrics.rates.avg_retry_count,
  retry_success_rate: (d) => d.metrics.rates.retry_success_rate,
  retry_failure_rate: (d) => d.metrics.rates.retry_failure_rate,
  total_retry_failures: (d) => d.metrics.write.counters.retry_failures,
  write_errors: (d) => d.metrics.write.counters.errors,
  total_read_txns: (d) => d.metrics.read.counters.txns,
  read_errors: (d) => d.metrics.read.counters.errors,
  late_arrivals: (d) => d.metrics.arrivals.write.late + d.metrics.arrivals.read.late,
  dropped_arrivals: (d) => d.metrics.arrivals.write.dropped + d.metrics.arrivals.read.dropped,
  requests_per_commit: (d) => d.metrics.rates.requests_per_commit,
  total_requests: (d) => totalRequests(d.request_counts),
  isolation_valid: (d) => String(d.isolation.valid),
  anomaly_types: (d) => d.isolation.anomaly_types.join(';'),
  run_id: (d) => d.id,
} satisfies Record<string, (d: RunDocument) => string | number>;

export const CSV_COLUMNS: readonly string[] = [...CONFIG_FIELDS, ...Object.keys(MEASURES)];

export function csvRow(doc: RunDocument): (string | number)[] {
  return [
    ...CONFIG_FIELDS.map((f) => doc.config[f] as string | number),
    ...Object.values(MEASURES).map((m) => m(doc)),
  ];
}

/** RFC 4180: a header line, one line per run, fields quoted only when they must be. */
export function toCsv(docs: readonly RunDocument[]): string {
  const lines = [CSV_COLUMNS, ...docs.map(csvRow)].map((row) => row.map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}

function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
