/**
 * Where each rate's counts come from. Intervals are recomputed from counts (k of n), never
 * averaged from rows, so pooling several configurations stays honest.
 */
import { type Proportion, pooled, wilson } from './stats.js';
import type { Cell, ConfigEntry, ConfigSummaryDoc, Row, SweepResult } from './types.js';

/** What a rate's counts are read from: a results.csv row, and summary.json when there is one. */
export interface RateSource {
  readonly row: Row;
  readonly summary?: ConfigSummaryDoc | undefined;
}

export type RateMetric = 'txn_failure_rate' | 'precondition_failure_rate' | 'retry_success_rate' | 'retry_failure_rate';

export const RATE_METRICS: readonly RateMetric[] = ['txn_failure_rate', 'precondition_failure_rate', 'retry_success_rate', 'retry_failure_rate'];

/** What each rate counts, for labels: "k of n <unit>". */
export const RATE_LABELS: Record<RateMetric, { readonly name: string; readonly unit: string }> = {
  txn_failure_rate: { name: 'transaction failure rate', unit: 'write transactions' },
  precondition_failure_rate: { name: 'precondition failures per attempt', unit: 'write attempts' },
  retry_success_rate: { name: 'retry success rate', unit: 'retried transactions' },
  retry_failure_rate: { name: 'retry failure rate', unit: 'retried transactions' },
};

/** A number cell, or null (empty, missing or not a number). */
export function num(row: Row, column: string): number | null {
  const v = row[column];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * k and n of a rate for one configuration: failures = write_txns − commits over write_txns;
 * precondition failures over write attempts; retry outcomes over retried transactions.
 */
export function countsOf(entry: RateSource, metric: RateMetric): { k: number; n: number } {
  const row = entry.row;
  const n0 = (c: string) => num(row, c) ?? 0;
  switch (metric) {
    case 'txn_failure_rate':
      return { k: n0('write_txns') - n0('commits'), n: n0('write_txns') };
    case 'precondition_failure_rate':
      return { k: n0('precondition_failures'), n: n0('write_attempts') };
    case 'retry_failure_rate':
      return { k: n0('total_retry_failures'), n: n0('retried_txns') };
    case 'retry_success_rate': {
      const n = n0('retried_txns');
      // results.csv has no success count; summary.json has the exact one.
      const k = entry.summary?.rates?.retry_success_rate?.k ?? Math.round((num(row, 'retry_success_rate') ?? 0) * n);
      return { k, n };
    }
  }
}

export function rateOf(entry: RateSource, metric: RateMetric): Proportion {
  const { k, n } = countsOf(entry, metric);
  return wilson(k, n);
}

/** One configuration's rate, with the values of the sweep's axes. */
export interface ConfigRate extends Proportion {
  readonly id: string;
  readonly axes: Readonly<Record<string, Cell>>;
}

export function configRate(sweep: SweepResult, entry: ConfigEntry, metric: RateMetric): ConfigRate {
  return { id: entry.id, axes: axisValues(sweep, entry.row), ...rateOf(entry, metric) };
}

export function axisValues(sweep: Pick<SweepResult, 'axes'>, row: Row): Record<string, Cell> {
  return Object.fromEntries(sweep.axes.map((a) => [a, row[a] ?? null]));
}

/** Configurations grouped by the values of `keys`, each group's rate pooled. */
export interface GroupRate extends Proportion {
  readonly key: Readonly<Record<string, Cell>>;
  readonly configs: number;
}

export function groupRates(configs: readonly ConfigEntry[], keys: readonly string[], metric: RateMetric): GroupRate[] {
  const groups = new Map<string, { key: Record<string, Cell>; members: ConfigEntry[] }>();
  for (const c of configs) {
    const key = Object.fromEntries(keys.map((k) => [k, c.row[k] ?? null]));
    const id = JSON.stringify(keys.map((k) => key[k]));
    let g = groups.get(id);
    if (g === undefined) groups.set(id, (g = { key, members: [] }));
    g.members.push(c);
  }
  return [...groups.values()]
    .map((g) => ({ key: g.key, configs: g.members.length, ...pooled(g.members.map((m) => countsOf(m, metric))) }))
    .sort((a, b) => compareKeys(keys, a.key, b.key));
}

export function compareCells(a: Cell, b: Cell): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

function compareKeys(keys: readonly string[], a: Record<string, Cell>, b: Record<string, Cell>): number {
  for (const k of keys) {
    const c = compareCells(a[k] ?? null, b[k] ?? null);
    if (c !== 0) return c;
  }
  return 0;
}
