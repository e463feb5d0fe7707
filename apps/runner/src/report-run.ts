import type { RunDocument } from './run-output.js';

/** A few lines a person reads after a run. */
export function describeRun(doc: RunDocument): string {
  const m = doc.metrics;
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  return [
    `write: ${m.write.tps.toFixed(3)} txn/s, p50 ${m.write.latency.p50_ms} ms, p99 ${m.write.latency.p99_ms} ms, ` +
      `precondition failures ${pct(m.rates.precondition_failure_rate)} of ${m.write.counters.attempts} attempts, ` +
      `${m.rates.avg_retry_count.toFixed(2)} retries/txn, ${m.write.counters.errors} errors`,
    `read:  ${m.read.tps.toFixed(3)} txn/s, p50 ${m.read.latency.p50_ms} ms, p99 ${m.read.latency.p99_ms} ms, ${m.read.counters.errors} errors`,
    `isolation (${doc.isolation.model}): ${doc.isolation.valid === true ? 'valid' : doc.isolation.valid === false ? `INVALID — ${doc.isolation.anomaly_types.join(', ')}` : `unknown — ${doc.isolation.anomaly_types.join(', ')}`} (${doc.isolation.txns} transactions checked)`,
    ...(doc.isolation.white_box === undefined
      ? []
      : [
          `white-box: ${doc.isolation.white_box.valid ? 'stored objects agree with the history' : `${doc.isolation.white_box.anomaly_types.join(', ')} (${doc.isolation.white_box.failed_commits_visible} failed commits visible)`}`,
        ]),
    `cost:  ${m.rates.requests_per_commit.toFixed(1)} requests per commit; arrivals late ${m.arrivals.write.late + m.arrivals.read.late}, dropped ${m.arrivals.write.dropped + m.arrivals.read.dropped}`,
  ].join('\n');
}
