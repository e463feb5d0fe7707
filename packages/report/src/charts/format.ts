/** Labels and number formats shared by the charts. */
import type { Proportion } from '../stats.js';

const AXIS_LABELS: Record<string, string> = {
  num_writers: 'writers',
  writer_rate: 'writer rate (txn/s per writer)',
  num_readers: 'readers',
  reader_rate: 'reader rate (txn/s per reader)',
  key_overlap_ratio: 'key overlap ratio',
  keys_per_writer: 'keys per writer',
  shared_keys: 'shared keys',
  ops_per_txn: 'keys per transaction',
  max_retry_count: 'max retries',
  retry_backoff: 'retry backoff',
  retry_backoff_ms: 'retry backoff (ms)',
  latency_profile: 'latency profile',
};

export function axisLabel(field: string): string {
  return AXIS_LABELS[field] ?? field.replaceAll('_', ' ');
}

/** A rate as a percentage with a precision that suits small rates. */
export function pct(x: number | null): string {
  if (x === null) return '–';
  const p = x * 100;
  return `${p === 0 || p >= 10 ? p.toFixed(0) : p >= 1 ? p.toFixed(1) : p.toFixed(2)}%`;
}

/** `3.1% [1.2%–7.4%], 4/130` — a rate, its interval and its sample. */
export function rateText(r: Proportion): string {
  return r.value === null ? `no data (0 of 0)` : `${pct(r.value)} [${pct(r.lo)}–${pct(r.hi)}], ${r.k}/${r.n}`;
}

/** The smallest and largest sample size, for captions. */
export function nRange(ns: readonly number[]): string {
  if (ns.length === 0) return 'n = 0';
  const lo = Math.min(...ns);
  const hi = Math.max(...ns);
  return lo === hi ? `n = ${lo}` : `n = ${lo}–${hi}`;
}

export function num(x: number | null, digits = 2): string {
  return x === null ? '–' : x.toFixed(digits);
}
