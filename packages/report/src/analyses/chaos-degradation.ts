/** Each fault scenario against the fault-free baseline scenario. */
import { rowsOf } from '../csv.js';
import { countsOf, num } from '../rates.js';
import { type Interval, newcombe, type Proportion, wilson } from '../stats.js';
import type { ChaosResult, Row } from '../types.js';

export interface ScenarioDegradation {
  readonly scenario: string;
  readonly txnFailure: Proportion;
  readonly preconditionFailure: Proportion;
  /** scenario − baseline transaction failure rate, with Newcombe's 95 % interval. */
  readonly txnFailureDelta: Interval;
  readonly writeTps: Interval;
  /** scenario / baseline point estimates (chaos.csv); ratios of estimates carry no interval. */
  readonly writeTpsRatio: number | null;
  readonly readTpsRatio: number | null;
  readonly writeP50Ratio: number | null;
  readonly writeP99Ratio: number | null;
  /** Of the transactions that retried, the share a retry rescued. */
  readonly retryEffectiveness: Proportion;
}

export interface ChaosDegradation {
  readonly baseline: string | null;
  readonly scenarios: readonly ScenarioDegradation[];
}

function estimate(row: Row, column: string): Interval {
  return { value: num(row, column), lo: num(row, `${column}_lo`), hi: num(row, `${column}_hi`) };
}

export function chaosDegradation(chaos: ChaosResult): ChaosDegradation {
  const rows = rowsOf(chaos.rows);
  const summaryOf = (name: string) => chaos.scenarios.find((s) => s.name === name)?.sweep.configs[0]?.summary;
  const entry = (row: Row) => ({ row, summary: summaryOf(String(row.scenario)) });
  const baseRow = rows.find((r) => r.scenario === 'baseline');
  const baseCounts = baseRow === undefined ? null : countsOf(entry(baseRow), 'txn_failure_rate');
  const base = baseCounts === null ? null : wilson(baseCounts.k, baseCounts.n);
  return {
    baseline: baseRow === undefined ? null : 'baseline',
    scenarios: rows.map((row): ScenarioDegradation => {
      const e = entry(row);
      const tf = countsOf(e, 'txn_failure_rate');
      const pf = countsOf(e, 'precondition_failure_rate');
      const retry = countsOf(e, 'retry_success_rate');
      const txnFailure = wilson(tf.k, tf.n);
      return {
        scenario: String(row.scenario),
        txnFailure,
        preconditionFailure: wilson(pf.k, pf.n),
        txnFailureDelta: base === null ? { value: null, lo: null, hi: null } : newcombe(txnFailure, base),
        writeTps: estimate(row, 'write_tps'),
        writeTpsRatio: num(row, 'write_tps_ratio'),
        readTpsRatio: num(row, 'read_tps_ratio'),
        writeP50Ratio: num(row, 'write_p50_ratio'),
        writeP99Ratio: num(row, 'write_p99_ratio'),
        retryEffectiveness: wilson(retry.k, retry.n),
      };
    }),
  };
}
