import { parseWorkloadConfig, runWorkload } from '@manifest-lab/workload';
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, runsCsv, summariesCsv } from './csv.js';
import { poolReplicas } from './pool.js';
import { verifyRun } from './isolation.js';
import { runDocument } from './run-output.js';

describe('results.csv', () => {
  it("has the reference framework's columns plus requests_per_commit", () => {
    for (const c of [
      'num_writers', 'writer_rate', 'num_readers', 'reader_rate', 'key_overlap_ratio',
      'write_tps', 'read_tps', 'write_p50_ms', 'write_p95_ms', 'write_p99_ms', 'read_p50_ms', 'read_p95_ms', 'read_p99_ms',
      'total_attempts', 'successful_commits', 'precondition_failures', 'precondition_failure_rate', 'avg_retry_count',
      'write_txns', 'write_attempts', 'commits', 'replicas', 'txn_failure_rate', 'txn_failure_rate_lo', 'txn_failure_rate_hi',
      'precondition_failure_rate_lo', 'precondition_failure_rate_hi', 'fail_conflict', 'fail_lease_race', 'fail_ambiguous',
      'fail_timeout', 'fail_throttled', 'fail_other', 'write_offered_tps', 'write_achieved_tps', 'read_offered_tps',
      'read_achieved_tps', 'write_late', 'write_dropped', 'read_late', 'read_dropped', 'saturated', 'overrun_s',
      'window_p50_ms', 'window_mean_ms', 'model_conflict_rate', 'write_tps_lo', 'write_p99_ms_hi',
      'retry_success_rate', 'retry_failure_rate', 'total_retry_failures', 'requests_per_commit',
      'isolation_valid', 'anomaly_types',
    ]) {
      expect(CSV_COLUMNS).toContain(c);
    }
    expect(CSV_COLUMNS.length).toBeGreaterThanOrEqual(24);
    expect(new Set(CSV_COLUMNS).size).toBe(CSV_COLUMNS.length);
  });

  it('writes one pooled row per config with intervals and sample sizes, and one row per run', async () => {
    const config = parseWorkloadConfig({ duration_s: 20, warmup_s: 2, num_readers: 2, writer_rate: 0.5 });
    const docs = [];
    for (const seed of [1, 2, 3]) {
      const run = await runWorkload({ ...config, seed });
      docs.push(runDocument(run, { sweep: 's', id: `000-x/r00${seed - 1}`, backend: 'memory' }, (await verifyRun(run)).summary));
    }
    const summary = poolReplicas('s', '000-x', ['r000', 'r001', 'r002'], docs);
    const [header, row, end] = summariesCsv([summary]).split('\n');
    expect(end).toBe('');
    const cells = Object.fromEntries((header as string).split(',').map((h, i) => [h, (row as string).split(',')[i]]));
    const attempts = docs.reduce((a, d) => a + d.metrics.write.counters.attempts, 0);
    const pf = docs.reduce((a, d) => a + d.metrics.write.counters.precondition_failures, 0);
    expect(Number(cells.write_attempts)).toBe(attempts);
    expect(Number(cells.replicas)).toBe(3);
    expect(Number(cells.precondition_failure_rate)).toBeCloseTo(pf / attempts, 6);
    expect(Number(cells.precondition_failure_rate_lo)).toBeLessThanOrEqual(Number(cells.precondition_failure_rate));
    expect(Number(cells.precondition_failure_rate_hi)).toBeGreaterThan(Number(cells.precondition_failure_rate));
    const tps = docs.map((d) => d.metrics.write.tps);
    expect(Number(cells.write_tps)).toBeCloseTo(tps.reduce((a, b) => a + b, 0) / 3, 5);
    expect(Number(cells.write_tps_lo)).toBeGreaterThanOrEqual(Math.min(...tps) - 1e-9);
    expect(Number(cells.write_tps_hi)).toBeLessThanOrEqual(Math.max(...tps) + 1e-9);
    const classes = ['conflict', 'lease_race', 'ambiguous', 'timeout', 'throttled', 'other'].map((c) => Number(cells[`fail_${c}`]));
    expect(classes.reduce((a, b) => a + b, 0) + summary.outcomes.committed).toBe(Number(cells.write_txns));
    expect(cells.latency_profile).toBe('s3-standard');
    expect(cells.config_id).toBe('000-x');
    expect(cells.isolation_valid).toBe('true');
    expect(['true', 'false']).toContain(cells.saturated);
    const runs = runsCsv(docs).trim().split('\n');
    expect(runs).toHaveLength(4);
  });

  it('leaves undefined ratios empty, never 0', async () => {
    const run = await runWorkload(parseWorkloadConfig({ duration_s: 10, warmup_s: 1, num_writers: 0, num_readers: 1 }));
    const doc = runDocument(run, { sweep: 's', id: '000-y/r000', backend: 'memory' }, (await verifyRun(run)).summary);
    const [header, row] = summariesCsv([poolReplicas('s', '000-y', ['r000'], [doc])]).split('\n');
    const cells = Object.fromEntries((header as string).split(',').map((h, i) => [h, (row as string).split(',')[i]]));
    for (const c of ['txn_failure_rate', 'precondition_failure_rate', 'retry_success_rate', 'avg_retry_count', 'requests_per_commit', 'write_tps_lo', 'model_conflict_rate']) {
      expect(cells[c], c).toBe('');
    }
    expect(cells.write_txns).toBe('0');
  });
});
