import { parseWorkloadConfig, runWorkload } from '@manifest-lab/workload';
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, toCsv } from './csv.js';
import { verifyRun } from './isolation.js';
import { runDocument } from './run-output.js';

describe('results.csv', () => {
  it("has the reference framework's columns plus requests_per_commit", () => {
    for (const c of [
      'num_writers', 'writer_rate', 'num_readers', 'reader_rate', 'key_overlap_ratio',
      'write_tps', 'read_tps', 'write_p50_ms', 'write_p95_ms', 'write_p99_ms', 'read_p50_ms', 'read_p95_ms', 'read_p99_ms',
      'total_attempts', 'successful_commits', 'precondition_failures', 'precondition_failure_rate', 'avg_retry_count',
      'retry_success_rate', 'retry_failure_rate', 'total_retry_failures', 'requests_per_commit',
      'isolation_valid', 'anomaly_types',
    ]) {
      expect(CSV_COLUMNS).toContain(c);
    }
    expect(CSV_COLUMNS.length).toBeGreaterThanOrEqual(24);
    expect(new Set(CSV_COLUMNS).size).toBe(CSV_COLUMNS.length);
  });

  it('writes one row per run with values matching run.json', async () => {
    const run = await runWorkload(parseWorkloadConfig({ duration_s: 10, warmup_s: 1, num_readers: 2 }));
    const doc = runDocument(run, { sweep: 's', id: '000-x', backend: 'memory' }, (await verifyRun(run)).summary);
    const [header, row, end] = toCsv([doc]).split('\n');
    expect(end).toBe('');
    const cells = Object.fromEntries((header as string).split(',').map((h, i) => [h, (row as string).split(',')[i]]));
    expect(Number(cells.write_tps)).toBe(doc.metrics.write.tps);
    expect(Number(cells.precondition_failure_rate)).toBe(doc.metrics.rates.precondition_failure_rate);
    expect(Number(cells.requests_per_commit)).toBe(doc.metrics.rates.requests_per_commit);
    expect(cells.latency_profile).toBe('s3-standard');
    expect(cells.run_id).toBe('000-x');
    expect(cells.isolation_valid).toBe('true');
    expect(cells.anomaly_types).toBe('');
  });
});
