/** Number formatting for tables: rates as percentages with their interval, and sample sizes. */

export function num(value: unknown): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export function pct(value: unknown, digits = 1): string {
  const n = num(value);
  return n === undefined ? '' : `${(n * 100).toFixed(digits)}%`;
}

/** `12.3% [4.5%–20.1%]`; the interval is left out when either end is missing. */
export function rateWithInterval(rate: unknown, lo: unknown, hi: unknown): string {
  const r = pct(rate);
  if (r === '') return '';
  const [l, h] = [pct(lo), pct(hi)];
  return l === '' || h === '' ? r : `${r} [${l}–${h}]`;
}

/** A plain number: integers as is, others to `digits` significant decimals. */
export function fixed(value: unknown, digits = 2): string {
  const n = num(value);
  if (n === undefined) return value === null || value === undefined ? '' : String(value);
  return Number.isInteger(n) ? String(n) : n.toFixed(digits);
}

/** `123.4 [100.2–150.0]` for a metric with a bootstrap interval. */
export function valueWithInterval(value: unknown, lo: unknown, hi: unknown, digits = 2): string {
  const v = fixed(value, digits);
  if (v === '') return '';
  const [l, h] = [fixed(lo, digits), fixed(hi, digits)];
  return l === '' || h === '' ? v : `${v} [${l}–${h}]`;
}

/** Percentage points with a sign: `+3.2 pp`. */
export function pp(value: unknown, digits = 1): string {
  const n = num(value);
  if (n === undefined) return '';
  return `${n > 0 ? '+' : n < 0 ? '−' : '±'}${Math.abs(n * 100).toFixed(digits)} pp`;
}
