import type { RunDocument } from './run-output.js';

const COLUMNS: [string, (d: RunDocument) => string][] = [
  ['writers', (d) => String(d.config.num_writers)],
  ['w_rate', (d) => String(d.config.writer_rate)],
  ['overlap', (d) => String(d.config.key_overlap_ratio)],
  ['readers', (d) => String(d.config.num_readers)],
  ['r_rate', (d) => String(d.config.reader_rate)],
  ['pf_rate', (d) => pct(d.metrics.rates.precondition_failure_rate)],
  ['write_tps', (d) => d.metrics.write.tps.toFixed(3)],
  ['write_p99_ms', (d) => d.metrics.write.latency.p99_ms.toFixed(0)],
  ['avg_retries', (d) => d.metrics.rates.avg_retry_count.toFixed(2)],
  ['retry_fail', (d) => pct(d.metrics.rates.retry_failure_rate)],
  ['isolation', (d) => (d.isolation.valid === true ? 'valid' : d.isolation.anomaly_types.join(';'))],
  ['run', (d) => d.id],
];

/** The `n` best and `n` worst configs by precondition-failure rate, as aligned text tables. */
export function bestWorstTable(docs: readonly RunDocument[], n = 5): string {
  const byRate = [...docs].sort(
    (a, b) => a.metrics.rates.precondition_failure_rate - b.metrics.rates.precondition_failure_rate || (a.id < b.id ? -1 : 1),
  );
  const best = byRate.slice(0, n);
  const worst = byRate.slice(-n).reverse();
  return [
    `Best ${best.length} by precondition-failure rate (lowest first):`,
    table(best),
    '',
    `Worst ${worst.length} by precondition-failure rate (highest first):`,
    table(worst),
  ].join('\n');
}

function table(docs: readonly RunDocument[]): string {
  const rows = [COLUMNS.map(([h]) => h), ...docs.map((d) => COLUMNS.map(([, f]) => f(d)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  return rows.map((r) => `  ${r.map((c, i) => c.padStart(widths[i] as number)).join('  ')}`).join('\n');
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** One line: how many runs verified clean, and which anomalies the others showed. */
export function isolationLine(docs: readonly RunDocument[]): string {
  const clean = docs.filter((d) => d.isolation.valid === true).length;
  const counts = new Map<string, number>();
  for (const d of docs) for (const t of d.isolation.anomaly_types) counts.set(t, (counts.get(t) ?? 0) + 1);
  const detail = [...counts].map(([t, n]) => `${t} in ${n}`).join(', ');
  return `isolation (strict-serializable): ${clean} of ${docs.length} runs valid${detail === '' ? '' : `; anomalies: ${detail}`}`;
}
