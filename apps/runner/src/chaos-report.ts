/** `chaos.csv` and the chaos table: each scenario pooled, and its degradation against the baseline scenario. */
import { CSV_COLUMNS, type Cell, summaryRows, toCsv } from './csv.js';
import type { ConfigSummary, Estimate } from './pool.js';
import { alignedTable, pct } from './text-table.js';

export interface ScenarioResult {
  readonly scenario: string;
  readonly description: string;
  readonly summary: ConfigSummary;
}

/** scenario / baseline for a throughput or latency; null where either is undefined or zero. */
function ratio(a: Estimate, b: Estimate): number | null {
  return a.value === null || b.value === null || b.value === 0 ? null : Math.round((a.value / b.value) * 1e4) / 1e4;
}

/** scenario − baseline for a rate, in percentage points. */
function delta(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : Math.round((a - b) * 1e6) / 1e4;
}

const DEGRADATION: Record<string, (s: ConfigSummary, base: ConfigSummary) => Cell> = {
  write_tps_ratio: (s, b) => ratio(s.throughput.write_tps, b.throughput.write_tps),
  read_tps_ratio: (s, b) => ratio(s.throughput.read_tps, b.throughput.read_tps),
  write_p50_ratio: (s, b) => ratio(s.latency.write_p50_ms, b.latency.write_p50_ms),
  write_p99_ratio: (s, b) => ratio(s.latency.write_p99_ms, b.latency.write_p99_ms),
  txn_failure_rate_delta_pp: (s, b) => delta(s.rates.txn_failure_rate.value, b.rates.txn_failure_rate.value),
  precondition_failure_rate_delta_pp: (s, b) => delta(s.rates.precondition_failure_rate.value, b.rates.precondition_failure_rate.value),
  // Retry effectiveness: of the transactions that retried, the share a retry rescued.
  retry_effectiveness: (s) => s.rates.retry_success_rate.value,
};

/** One row per scenario: the scenario, then the results.csv columns, then the degradation columns. */
export function chaosCsv(results: readonly ScenarioResult[]): string {
  const base = results.find((r) => r.scenario === 'baseline')?.summary;
  const pooled = summaryRows(results.map((r) => r.summary));
  const header = ['scenario', ...CSV_COLUMNS, ...Object.keys(DEGRADATION)];
  const rows = results.map((r, i) => [
    r.scenario,
    ...(pooled[i] ?? []),
    ...Object.values(DEGRADATION).map((f) => (base === undefined ? null : f(r.summary, base))),
  ]);
  return toCsv(header, rows);
}

/** The console table: per scenario, the headline numbers and their degradation. */
export function chaosTable(results: readonly ScenarioResult[]): string {
  const base = results.find((r) => r.scenario === 'baseline')?.summary;
  const pctOf = (x: number | null) => (x === null ? '-' : pct(x));
  const num = (x: Cell, d = 2) => (x === null ? '-' : typeof x === 'number' ? x.toFixed(d) : String(x));
  const head = ['scenario', 'reps', 'attempts', 'txn_fail [95% CI]', 'pf/attempt', 'write_tps', 'tps×', 'p99_ms', 'p99×', 'retry_eff', 'isolation'];
  const rows = results.map((r) => {
    const s = r.summary;
    const f = s.rates.txn_failure_rate;
    return [
      r.scenario,
      String(s.replicas),
      String(s.counts.write_attempts),
      `${pctOf(f.value)} [${pctOf(f.lo)}–${pctOf(f.hi)}]`,
      pctOf(s.rates.precondition_failure_rate.value),
      num(s.throughput.write_tps.value, 3),
      base === undefined ? '-' : num(DEGRADATION.write_tps_ratio?.(s, base) ?? null),
      s.latency.write_p99_ms.value === null ? '-' : `${s.latency.write_p99_ms.value.toFixed(0)}${s.latency.write_p99_ms.flagged ? '*' : ''}`,
      base === undefined ? '-' : num(DEGRADATION.write_p99_ratio?.(s, base) ?? null),
      pctOf(s.rates.retry_success_rate.value),
      s.isolation.valid === true ? 'valid' : `${s.isolation.valid === false ? 'INVALID' : 'unknown'} ${s.isolation.anomaly_types.join(';')}`,
    ];
  });
  return [
    `Chaos scenarios (× = scenario / baseline; retry_eff = retried transactions a retry rescued; * = p99 from < 100 samples):`,
    alignedTable([head, ...rows]),
    ...results.map((r) => `  ${r.scenario}: ${r.description}`),
  ].join('\n');
}
