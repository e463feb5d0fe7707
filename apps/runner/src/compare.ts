/**
 * The regression gate: two `results.csv` files, rows matched by configuration (every config
 * column but `seed`), each thresholded metric checked. Noise rule: when NEW has an interval
 * for the metric (`<metric>_lo`/`_hi`, non-empty), a change counts as a breach only if the
 * whole interval lies past the limit — NEW's lower bound above it (upper bound below it, for a
 * `>-N%` floor). Otherwise the point value decides. The limit is always computed from BASE's
 * point value. A point change past the limit that the interval explains is reported as NOISE.
 */
import { CONFIG_FIELDS } from '@manifest-lab/workload';
import { alignedTable } from './text-table.js';
import { UserError } from './user-error.js';

export const BREACH_EXIT = 99;

export type ThresholdKind = 'relative-increase' | 'pp-increase' | 'relative-decrease' | 'below';

export interface Threshold {
  readonly text: string;
  readonly metric: string;
  readonly kind: ThresholdKind;
  /** Percent for relative kinds, percentage points for `pp`, the cap itself for `below`. */
  readonly amount: number;
}

export const THRESHOLD_FORMS =
  "'metric<+N%' (NEW at most N % above BASE), 'metric<+Npp' (a *_rate at most N percentage points above BASE), 'metric>-N%' (NEW at most N % below BASE, e.g. for throughput) or 'metric<N' (NEW below N)";

/** A parsed CSV: header and rows as maps of column to cell text. */
export interface CsvTable {
  readonly file: string;
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, string>>[];
}

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF). */
export function parseCsv(text: string, file: string): CsvTable {
  const records: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      records.push(row);
      row = [];
      field = '';
    } else field += c;
    i++;
  }
  if (quoted) throw new UserError(`${file} is not valid CSV: a quoted field is never closed. Pass a results.csv written by manifest-lab sweep or baseline.`);
  if (field !== '' || row.length > 0) {
    row.push(field);
    records.push(row);
  }
  const [header, ...body] = records.filter((r) => !(r.length === 1 && r[0] === ''));
  if (header === undefined || !header.includes('config_id')) {
    throw new UserError(`${file} has no config_id column, so it is not a manifest-lab results.csv; pass a results.csv (or the sweep directory holding one) written by manifest-lab sweep or baseline.`);
  }
  const rows = body.map((cells, n) => {
    if (cells.length !== header.length) {
      throw new UserError(`${file} line ${n + 2} has ${cells.length} fields but the header has ${header.length}; the file is damaged — rerun the sweep to rewrite it.`);
    }
    return Object.fromEntries(header.map((h, k) => [h, cells[k] as string]));
  });
  return { file, columns: header, rows };
}

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Columns both tables share that hold numbers (config fields and interval bounds excluded). */
export function numericColumns(base: CsvTable, next: CsvTable): string[] {
  const config = new Set<string>(CONFIG_FIELDS);
  return base.columns.filter((c) => {
    if (config.has(c) || /_(lo|hi|flag)$/.test(c) || !next.columns.includes(c)) return false;
    const cells = [...base.rows, ...next.rows].map((r) => r[c] ?? '').filter((v) => v !== '');
    return cells.length > 0 && cells.every((v) => NUMBER.test(v));
  });
}

/** Parse one `--threshold`; `columns` are the metrics it may name. */
export function parseThreshold(text: string, columns: readonly string[]): Threshold {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*([<>])\s*([+-]?)\s*(\d+(?:\.\d+)?)\s*(%|pp)?\s*$/.exec(text);
  const bad = (why: string) =>
    new UserError(`--threshold '${text}' ${why}. Accepted forms: ${THRESHOLD_FORMS}. Numeric columns of these files: ${columns.join(', ')}.`);
  if (m === null) throw bad('is not a threshold');
  const [, metric, op, sign, num, unit] = m as unknown as [string, string, string, string, string, string | undefined];
  const amount = Number(num);
  let kind: ThresholdKind;
  if (op === '<' && sign === '+' && unit === '%') kind = 'relative-increase';
  else if (op === '<' && sign === '+' && unit === 'pp') kind = 'pp-increase';
  else if (op === '>' && sign === '-' && unit === '%') kind = 'relative-decrease';
  else if (op === '<' && sign === '' && unit === undefined) kind = 'below';
  else throw bad(`combines '${op}', '${sign || 'no sign'}' and '${unit ?? 'no unit'}', which is not one of the forms`);
  if (!columns.includes(metric)) throw bad(`names ${metric}, which is not a numeric column of both files`);
  if (kind === 'pp-increase' && !metric.endsWith('_rate')) throw bad(`uses percentage points on ${metric}, which is not a rate (a *_rate column); use a % allowance`);
  if (kind === 'relative-decrease' && amount > 100) throw bad('allows a decrease of more than 100 %');
  return { text: text.trim(), metric, kind, amount };
}

/** The matching key of a row: its config columns (shared by both files) without `seed`. */
export function matchFields(base: CsvTable, next: CsvTable): string[] {
  return CONFIG_FIELDS.filter((f) => f !== 'seed' && base.columns.includes(f) && next.columns.includes(f));
}

export type Status = 'PASS' | 'FAIL' | 'NOISE' | 'N/A';

export interface Check {
  readonly config: string;
  readonly base_config_id: string;
  readonly new_config_id: string;
  readonly metric: string;
  readonly threshold: string;
  readonly base: number | null;
  readonly new: number | null;
  readonly new_lo: number | null;
  readonly new_hi: number | null;
  /** NEW − BASE. */
  readonly change: number | null;
  /** (NEW − BASE) / BASE, null when BASE is 0 or missing. */
  readonly relative_change: number | null;
  /** The value NEW must stay at or below (at or above for a floor; strictly below for `<N`). */
  readonly limit: number | null;
  /** Whether BASE's and NEW's intervals overlap; null without both intervals. */
  readonly intervals_overlap: boolean | null;
  readonly status: Status;
}

export interface Comparison {
  readonly schema: 'manifest-lab/compare@1';
  readonly base: string;
  readonly new: string;
  readonly thresholds: readonly Threshold[];
  readonly match_fields: readonly string[];
  readonly matched: number;
  readonly only_in_base: readonly string[];
  readonly only_in_new: readonly string[];
  readonly checks: readonly Check[];
  readonly counts: Readonly<Record<Status, number>>;
  readonly passed: boolean;
}

function num(v: string | undefined): number | null {
  return v === undefined || v === '' || !NUMBER.test(v) ? null : Number(v);
}

function keyed(t: CsvTable, fields: readonly string[]): Map<string, Readonly<Record<string, string>>> {
  const out = new Map<string, Readonly<Record<string, string>>>();
  for (const r of t.rows) {
    const key = JSON.stringify(fields.map((f) => r[f] ?? ''));
    const prev = out.get(key);
    if (prev !== undefined) {
      throw new UserError(
        `${t.file} has two rows with the same configuration apart from seed (${prev.config_id} and ${r.config_id}), so compare cannot tell which to match; compare sweeps that run each configuration once (replicas pool seeds).`,
      );
    }
    out.set(key, r);
  }
  return out;
}

/** A row's label: the config fields that vary across both files (e.g. `num_writers=2`), else its config_id. */
function labeller(base: CsvTable, next: CsvTable, fields: readonly string[]) {
  const all = [...base.rows, ...next.rows];
  const varying = fields.filter((f) => new Set(all.map((r) => r[f])).size > 1);
  return (r: Readonly<Record<string, string>>) => (varying.length === 0 ? (r.config_id ?? '?') : varying.map((f) => `${f}=${r[f]}`).join(' '));
}

/** Check one metric of one matched pair against one threshold (see the file comment for the noise rule). */
export function checkMetric(
  t: Threshold,
  base: { value: number | null; lo: number | null; hi: number | null },
  next: { value: number | null; lo: number | null; hi: number | null },
): Pick<Check, 'change' | 'relative_change' | 'limit' | 'intervals_overlap' | 'status'> {
  const b = base.value;
  const n = next.value;
  const change = b === null || n === null ? null : n - b;
  const relative_change = change === null || b === null || b === 0 ? null : change / Math.abs(b);
  const intervals_overlap =
    base.lo === null || base.hi === null || next.lo === null || next.hi === null ? null : base.lo <= next.hi && next.lo <= base.hi;
  let limit: number | null;
  if (t.kind === 'below') limit = t.amount;
  else if (b === null) limit = null;
  else if (t.kind === 'relative-increase') limit = b + (Math.abs(b) * t.amount) / 100;
  else if (t.kind === 'pp-increase') limit = b + t.amount / 100;
  else limit = b - (Math.abs(b) * t.amount) / 100;
  // A value BASE had and NEW lost (a rate with nothing left to divide) fails: a gate must not pass on missing data.
  if (n === null && b !== null) return { change, relative_change, limit, intervals_overlap, status: 'FAIL' };
  if (limit === null || n === null) return { change, relative_change, limit, intervals_overlap, status: 'N/A' };
  // Round away float noise (0.1 + 0.02) so a change of exactly the allowance passes.
  const lim = Number(limit.toPrecision(12));
  const over = (x: number) => (t.kind === 'below' ? x >= lim : t.kind === 'relative-decrease' ? x < lim : x > lim);
  const bound = t.kind === 'relative-decrease' ? next.hi : next.lo;
  const status: Status = !over(n) ? 'PASS' : bound === null || over(bound) ? 'FAIL' : 'NOISE';
  return { change, relative_change, limit: lim, intervals_overlap, status };
}

export function compareTables(base: CsvTable, next: CsvTable, thresholds: readonly Threshold[]): Comparison {
  const fields = matchFields(base, next);
  const b = keyed(base, fields);
  const n = keyed(next, fields);
  const label = labeller(base, next, fields);
  const checks: Check[] = [];
  let matched = 0;
  for (const [key, nr] of n) {
    const br = b.get(key);
    if (br === undefined) continue;
    matched++;
    for (const t of thresholds) {
      const m = t.metric;
      const pick = (r: Readonly<Record<string, string>>) => ({ value: num(r[m]), lo: num(r[`${m}_lo`]), hi: num(r[`${m}_hi`]) });
      const bv = pick(br);
      const nv = pick(nr);
      checks.push({
        config: label(nr),
        base_config_id: br.config_id ?? '',
        new_config_id: nr.config_id ?? '',
        metric: m,
        threshold: t.text,
        base: bv.value,
        new: nv.value,
        new_lo: nv.lo,
        new_hi: nv.hi,
        ...checkMetric(t, bv, nv),
      });
    }
  }
  const onlyIn = (a: Map<string, Readonly<Record<string, string>>>, other: Map<string, unknown>) =>
    [...a].filter(([k]) => !other.has(k)).map(([, r]) => `${r.config_id} (${label(r)})`);
  const counts: Record<Status, number> = { PASS: 0, FAIL: 0, NOISE: 0, 'N/A': 0 };
  for (const c of checks) counts[c.status]++;
  const onlyInBase = onlyIn(b, n);
  return {
    schema: 'manifest-lab/compare@1',
    base: base.file,
    new: next.file,
    thresholds,
    match_fields: fields,
    matched,
    only_in_base: onlyInBase,
    only_in_new: onlyIn(n, b),
    checks,
    counts,
    // A configuration that vanished from NEW is a regression of coverage, not a pass.
    passed: counts.FAIL === 0 && onlyInBase.length === 0,
  };
}

function fmt(metric: string, v: number | null): string {
  if (v === null) return '-';
  if (metric.endsWith('_rate')) return `${(v * 100).toFixed(2)}%`;
  return String(Number(v.toPrecision(6)));
}

function fmtChange(t: Threshold, c: Check): string {
  if (c.change === null) return '-';
  const sign = (x: number) => (x > 0 ? '+' : x < 0 ? '' : '±');
  if (t.kind === 'pp-increase' || (t.kind === 'below' && t.metric.endsWith('_rate'))) return `${sign(c.change)}${(c.change * 100).toFixed(2)}pp`;
  if (c.relative_change === null) return `${sign(c.change)}${fmt(t.metric, c.change)}`;
  return `${sign(c.relative_change)}${(c.relative_change * 100).toFixed(1)}%`;
}

/** The diff table, the configs only on one side, and a summary line. */
export function formatComparison(c: Comparison): string {
  const byText = new Map(c.thresholds.map((t) => [t.text, t]));
  const rows = [['config', 'metric', 'base', 'new', 'new 95% CI', 'change', 'limit', 'CIs overlap', 'result']];
  for (const k of c.checks) {
    const t = byText.get(k.threshold) as Threshold;
    rows.push([
      k.config,
      k.metric,
      fmt(k.metric, k.base),
      fmt(k.metric, k.new),
      k.new_lo === null || k.new_hi === null ? '-' : `${fmt(k.metric, k.new_lo)}–${fmt(k.metric, k.new_hi)}`,
      fmtChange(t, k),
      k.limit === null ? '-' : `${t.kind === 'relative-decrease' ? '≥' : t.kind === 'below' ? '<' : '≤'} ${fmt(k.metric, k.limit)}`,
      k.intervals_overlap === null ? '-' : k.intervals_overlap ? 'yes' : 'no',
      k.status,
    ]);
  }
  const lines = [`compare ${c.base} → ${c.new}: ${c.thresholds.map((t) => t.text).join(', ')}`, alignedTable(rows)];
  if (c.only_in_base.length > 0) lines.push(`only in base (missing from new: a failure): ${c.only_in_base.join(', ')}`);
  if (c.only_in_new.length > 0) lines.push(`only in new (not compared): ${c.only_in_new.join(', ')}`);
  lines.push(
    'NOISE: the point value is past the limit but NEW\'s 95% interval reaches back inside it (not a breach); N/A: BASE has no value to compare with; a value BASE had and NEW lost is a FAIL.',
    `${c.passed ? 'PASS' : 'FAIL'}: ${c.matched} configs matched, ${c.checks.length} checks — ${c.counts.PASS} pass, ${c.counts.FAIL} fail, ${c.counts.NOISE} within noise, ${c.counts['N/A']} n/a; ${c.only_in_base.length} only in base, ${c.only_in_new.length} only in new`,
  );
  return `${lines.join('\n')}\n`;
}
