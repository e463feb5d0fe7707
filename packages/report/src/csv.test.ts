import { describe, expect, it } from 'vitest';
import { parseCsv, rowsOf } from './csv.js';
import { ReportInputError } from './errors.js';

describe('parseCsv', () => {
  it('types columns, not cells, and reads empty cells as null', () => {
    const t = parseCsv('a,b,c,config_id,d\n1,true,x,001,\n2.5e-3,false,"y, ""z""",002,\n,,,003,\n', 'f.csv');
    expect(rowsOf(t)).toEqual([
      { a: 1, b: true, c: 'x', config_id: '001', d: null },
      { a: 0.0025, b: false, c: 'y, "z"', config_id: '002', d: null },
      { a: null, b: null, c: null, config_id: '003', d: null },
    ]);
  });

  it('keeps a column with one non-number as text', () => {
    expect(parseCsv('a\n1\nx\n', 'f.csv').array('a')).toEqual(['1', 'x']);
  });

  it('reads quoted newlines and CRLF', () => {
    expect(rowsOf(parseCsv('a,b\r\n"1\n2",3\r\n', 'f.csv'))).toEqual([{ a: '1\n2', b: 3 }]);
  });

  it('names the file and the problem', () => {
    expect(() => parseCsv('', 'r/results.csv')).toThrow(/r\/results\.csv: the file is empty/);
    expect(() => parseCsv('a,b\n1\n', 'r/results.csv')).toThrow(/line 2 has 1 fields, the header 2/);
    expect(() => parseCsv('a\n"1\n', 'x.csv')).toThrow(ReportInputError);
    expect(() => parseCsv('a\n1\n', 'x.csv', ['a', 'commits'])).toThrow(/missing column commits/);
  });
});
