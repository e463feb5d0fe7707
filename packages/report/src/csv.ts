/**
 * The runner's CSV files (RFC 4180, fields quoted only when they must be) as arquero tables.
 * Types are decided per column, never per cell, so a column means the same thing in every row
 * and every sweep: a column whose non-empty cells are all numbers is numeric, one of only
 * `true`/`false` is boolean, anything else text. Empty cells — the runner's "undefined" —
 * become null, never 0.
 */
import { type ColumnTable, table } from 'arquero';
import { ReportInputError } from './errors.js';
import type { Cell, Row } from './types.js';

/** Identifiers and verdicts stay text even when they look like numbers or booleans. */
const TEXT_COLUMNS = new Set(['config_id', 'run_id', 'run', 'section', 'isolation_valid', 'anomaly_types', 'scenario', 'hazard']);

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Split CSV text into records of raw fields. */
export function splitCsv(text: string, file: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      if (c === '\r' && text[i + 1] === '\n') i++;
    } else field += c;
    i++;
  }
  if (quoted) throw new ReportInputError(file, 'a quoted field is never closed', 'The file is truncated or not CSV: regenerate it with manifest-lab.');
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

type ColumnKind = 'number' | 'boolean' | 'text';

function kindOf(name: string, cells: readonly string[]): ColumnKind {
  if (TEXT_COLUMNS.has(name)) return 'text';
  let numbers = true;
  let booleans = true;
  for (const c of cells) {
    if (c === '') continue;
    if (numbers && !NUMBER.test(c)) numbers = false;
    if (booleans && c !== 'true' && c !== 'false') booleans = false;
    if (!numbers && !booleans) break;
  }
  return numbers ? 'number' : booleans ? 'boolean' : 'text';
}

function convert(kind: ColumnKind, c: string): Cell {
  if (c === '') return null;
  return kind === 'number' ? Number(c) : kind === 'boolean' ? c === 'true' : c;
}

/**
 * Parse CSV text into a column table. `required` columns must be present; `file` names the
 * file in errors.
 */
export function parseCsv(text: string, file: string, required: readonly string[] = []): ColumnTable {
  const records = splitCsv(text, file);
  const header = records[0];
  if (header === undefined || header.length === 0 || (header.length === 1 && header[0] === '')) {
    throw new ReportInputError(file, 'the file is empty', 'Rerun the manifest-lab command that writes it.');
  }
  if (new Set(header).size !== header.length) {
    throw new ReportInputError(file, 'a column name appears twice in the header', 'This is not a manifest-lab CSV: regenerate it.');
  }
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new ReportInputError(
      file,
      `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      'It was written by another version of manifest-lab, or is not its output: rerun the command that writes it.',
    );
  }
  const body = records.slice(1).filter((r) => !(r.length === 1 && r[0] === ''));
  body.forEach((r, i) => {
    if (r.length !== header.length) {
      throw new ReportInputError(
        file,
        `line ${i + 2} has ${r.length} fields, the header ${header.length}`,
        'The file is truncated or was edited by hand: regenerate it with manifest-lab.',
      );
    }
  });
  const columns: Record<string, Cell[]> = {};
  header.forEach((name, j) => {
    const raw = body.map((r) => r[j]!);
    const kind = kindOf(name, raw);
    columns[name] = raw.map((c) => convert(kind, c));
  });
  return table(columns, header);
}

/** The table's rows as plain objects. */
export function rowsOf(t: ColumnTable): Row[] {
  return t.objects() as Row[];
}
