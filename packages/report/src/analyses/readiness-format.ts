/** Plain-text formatting shared by the readiness renderers: rates always with k/n and interval. */
import type { Proportion } from '../stats.js';
import type { Cell } from '../types.js';
import type { Estimate } from './readiness-retry.js';

/** A percentage with enough digits to tell small rates apart (`0.04 %`, `1.2 %`). */
export function percent(x: number): string {
  const v = x * 100;
  const digits = v !== 0 && Math.abs(v) < 1 ? 2 : 1;
  return `${v.toFixed(digits)} %`;
}

/** `1.2 % [0.4–3.1 %] (3/250)`: never a bare rate. */
export function rateText(p: Proportion): string {
  if (p.value === null || p.lo === null || p.hi === null) return `no data (${p.k}/${p.n})`;
  return `${percent(p.value)} [${percent(p.lo).replace(' %', '')}–${percent(p.hi)}] (${p.k}/${p.n})`;
}

function numberText(x: number, unit: string): string {
  const v = unit === '%' ? x * 100 : x;
  const s = Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
  return unit === '%' ? `${s} %` : s;
}

/** `12.3 [11.0–13.5] txn/s, n = 4`, or `(no interval)` when there is none. */
export function estimateText(e: Estimate, unit: string): string {
  if (e.value === null) return `no data (n = ${e.n})`;
  const interval = e.lo === null || e.hi === null ? ' (no interval)' : ` [${numberText(e.lo, unit).replace(' %', '')}–${numberText(e.hi, unit)}]`;
  return `${numberText(e.value, unit)}${interval}${unit === '%' ? '' : ` ${unit}`}, n = ${e.n}`;
}

export function cellText(c: Cell | undefined): string {
  return c === null || c === undefined ? '—' : String(c);
}

/** `num_writers=4, key_overlap_ratio=0.2`. */
export function settingText(setting: Readonly<Record<string, Cell>>): string {
  const parts = Object.entries(setting).map(([k, v]) => `${k}=${cellText(v)}`);
  return parts.length === 0 ? 'the only configuration' : parts.join(', ');
}

/** Short column heads for the envelope fields. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  num_writers: 'writers',
  writer_rate: 'writer rate (txn/s each)',
  key_overlap_ratio: 'key overlap',
  num_readers: 'readers',
  reader_rate: 'reader rate',
};

/** Below this achieved/offered write ratio a boundary end is flagged as saturated. */
export const SATURATED = 0.9;

/** A boundary end: `rate: failure`, flagged when the writers could not keep up with the rate. */
export function boundaryEndText(e: { readonly rate: number; readonly failure: Proportion; readonly achieved: number | null } | null): string {
  if (e === null) return '—';
  const saturated = e.achieved !== null && e.achieved < SATURATED ? ` (${percent(e.achieved)} achieved)` : '';
  return `${e.rate}: ${rateText(e.failure)}${saturated}`;
}
