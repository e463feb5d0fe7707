import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from './cli.js';
import { checkMetric, compareTables, type CsvTable, formatComparison, numericColumns, parseCsv, parseThreshold, type Threshold } from './compare.js';
import { toCsv } from './csv.js';
import { UserError } from './user-error.js';

const COLUMNS = ['txn_failure_rate', 'write_p99_ms', 'write_tps'];

function userError(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('parseThreshold', () => {
  it('accepts the four forms', () => {
    expect(parseThreshold('write_p99_ms<+10%', COLUMNS)).toMatchObject({ metric: 'write_p99_ms', kind: 'relative-increase', amount: 10 });
    expect(parseThreshold(' txn_failure_rate < +2.5pp ', COLUMNS)).toMatchObject({ metric: 'txn_failure_rate', kind: 'pp-increase', amount: 2.5 });
    expect(parseThreshold('write_tps>-5%', COLUMNS)).toMatchObject({ kind: 'relative-decrease', amount: 5 });
    expect(parseThreshold('write_p99_ms<2000', COLUMNS)).toMatchObject({ kind: 'below', amount: 2000 });
  });

  it('refuses malformed thresholds and unknown metrics, naming the forms and the columns', () => {
    for (const bad of ['write_p99_ms', 'write_p99_ms<+10', 'write_p99_ms>+10%', 'write_p99_ms<-10%', 'write_p99_ms<10%', 'write_p99_ms<+ten%', '<+10%', 'write_p99_ms<+10%%']) {
      const msg = userError(() => parseThreshold(bad, COLUMNS));
      expect(msg, bad).toMatch(/Accepted forms: 'metric<\+N%'.*'metric<\+Npp'.*'metric>-N%'.*'metric<N'/);
      expect(msg, bad).toContain('Numeric columns of these files: txn_failure_rate, write_p99_ms, write_tps.');
    }
    expect(userError(() => parseThreshold('commit_p99<+10%', COLUMNS))).toMatch(/names commit_p99, which is not a numeric column/);
    expect(userError(() => parseThreshold('write_tps<+2pp', COLUMNS))).toMatch(/not a rate/);
    expect(userError(() => parseThreshold('write_tps>-120%', COLUMNS))).toMatch(/more than 100 %/);
  });
});

const HEADER = ['num_writers', 'key_overlap_ratio', 'seed', 'txn_failure_rate', 'txn_failure_rate_lo', 'txn_failure_rate_hi', 'write_p99_ms', 'write_tps', 'top_failure_class', 'config_id'];

function table(file: string, rows: (string | number)[][]): CsvTable {
  return parseCsv(toCsv(HEADER, rows), file);
}

const base = table('base.csv', [
  [2, 0.1, 11, 0.05, 0.03, 0.08, 100, 1.0, 'conflict', '000-a'],
  [4, 0.1, 12, 0.2, 0.15, 0.26, 200, 2.0, '"odd, quoted"', '001-b'],
  [8, 0.1, 13, 0.3, 0.25, 0.35, 300, 3.0, '', '002-c'],
]);

describe('compareTables', () => {
  it('parses quoted CSV fields and finds the numeric columns', () => {
    expect(base.rows[1]?.top_failure_class).toBe('"odd, quoted"');
    expect(numericColumns(base, base)).toEqual(['txn_failure_rate', 'write_p99_ms', 'write_tps']);
  });

  it('matches rows by configuration without the seed and lists the rest', () => {
    const next = table('new.csv', [
      [4, 0.1, 99, 0.2, 0.15, 0.26, 200, 2.0, '', '007-x'],
      [2, 0.1, 98, 0.05, 0.03, 0.08, 100, 1.0, '', '008-y'],
      [2, 0.9, 97, 0.05, 0.03, 0.08, 100, 1.0, '', '009-z'],
    ]);
    const c = compareTables(base, next, [parseThreshold('write_p99_ms<+10%', COLUMNS)]);
    expect(c.matched).toBe(2);
    expect(c.checks.map((k) => [k.config, k.base_config_id, k.new_config_id, k.status])).toEqual([
      ['num_writers=4 key_overlap_ratio=0.1', '001-b', '007-x', 'PASS'],
      ['num_writers=2 key_overlap_ratio=0.1', '000-a', '008-y', 'PASS'],
    ]);
    expect(c.only_in_base).toEqual(['002-c (num_writers=8 key_overlap_ratio=0.1)']);
    expect(c.only_in_new).toEqual(['009-z (num_writers=2 key_overlap_ratio=0.9)']);
    expect(c.passed).toBe(false); // a configuration missing from NEW fails the gate
  });

  it('refuses a file with two rows of one configuration', () => {
    const dup = table('dup.csv', [
      [2, 0.1, 1, 0.05, 0.03, 0.08, 100, 1.0, '', '000-a'],
      [2, 0.1, 2, 0.05, 0.03, 0.08, 100, 1.0, '', '001-a'],
    ]);
    expect(userError(() => compareTables(base, dup, []))).toMatch(/dup\.csv has two rows with the same configuration apart from seed \(000-a and 001-a\)/);
  });

  it('flags a breach only past the limit, and only when the interval is past it too', () => {
    const pp: Threshold = parseThreshold('txn_failure_rate<+2pp', COLUMNS);
    const est = (value: number | null, lo: number | null = null, hi: number | null = null) => ({ value, lo, hi });
    // Exactly the allowance passes.
    expect(checkMetric(pp, est(0.1), est(0.12)).status).toBe('PASS');
    // Past it with no interval: the point decides.
    expect(checkMetric(pp, est(0.1), est(0.13))).toMatchObject({ status: 'FAIL', limit: 0.12 });
    // Past it, but NEW's lower bound is inside the limit: noise, not a breach.
    expect(checkMetric(pp, est(0.1, 0.07, 0.14), est(0.13, 0.09, 0.18))).toMatchObject({ status: 'NOISE', intervals_overlap: true });
    // NEW's whole interval past the limit: a breach, though the intervals overlap.
    expect(checkMetric(pp, est(0.1, 0.07, 0.14), est(0.16, 0.13, 0.2))).toMatchObject({ status: 'FAIL', intervals_overlap: true });
    expect(checkMetric(pp, est(0.1, 0.07, 0.11), est(0.16, 0.13, 0.2)).intervals_overlap).toBe(false);
    // Relative increase and decrease, absolute cap, missing values.
    const rel = parseThreshold('write_p99_ms<+10%', COLUMNS);
    expect(checkMetric(rel, est(100), est(110)).status).toBe('PASS');
    expect(checkMetric(rel, est(100), est(111))).toMatchObject({ status: 'FAIL', relative_change: 0.11 });
    const floor = parseThreshold('write_tps>-5%', COLUMNS);
    expect(checkMetric(floor, est(2), est(1.9)).status).toBe('PASS');
    expect(checkMetric(floor, est(2), est(1.8)).status).toBe('FAIL');
    expect(checkMetric(floor, est(2), est(1.8, 1.5, 2.1)).status).toBe('NOISE');
    const cap = parseThreshold('write_p99_ms<2000', COLUMNS);
    expect(checkMetric(cap, est(null), est(1999)).status).toBe('PASS');
    expect(checkMetric(cap, est(null), est(2000)).status).toBe('FAIL');
    expect(checkMetric(rel, est(null), est(150)).status).toBe('N/A');
    expect(checkMetric(rel, est(100), est(null)).status).toBe('FAIL'); // NEW lost a value BASE had
  });

  it('prints a diff table and a FAIL summary on a breach', () => {
    const next = table('new.csv', [
      [2, 0.1, 11, 0.2, 0.15, 0.26, 100, 1.0, '', '000-a'],
      [4, 0.1, 12, 0.2, 0.15, 0.26, 250, 2.0, '', '001-b'],
      [8, 0.1, 13, 0.3, 0.25, 0.35, 300, 3.0, '', '002-c'],
    ]);
    const c = compareTables(base, next, [parseThreshold('txn_failure_rate<+2pp', COLUMNS), parseThreshold('write_p99_ms<+10%', COLUMNS)]);
    expect(c.counts).toEqual({ PASS: 4, FAIL: 2, NOISE: 0, 'N/A': 0 });
    const text = formatComparison(c);
    expect(text).toMatch(/num_writers=2\s+txn_failure_rate\s+5\.00%\s+20\.00%\s+15\.00%–26\.00%\s+\+15\.00pp\s+≤ 7\.00%\s+no\s+FAIL/);
    expect(text).toMatch(/num_writers=4\s+write_p99_ms\s+200\s+250\s+-\s+\+25\.0%\s+≤ 220\s+-\s+FAIL/);
    expect(text).toMatch(/^FAIL: 3 configs matched, 6 checks — 4 pass, 2 fail, 0 within noise, 0 n\/a; 0 only in base, 0 only in new$/m);
  });
});

const BIN = new URL('../bin/manifest-lab.js', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'manifest-lab-compare-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `main` in this process, paths relative to `work`; stdout and stderr captured. */
async function inProcess(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => err.push(String(s)) > 0);
  const cwd = process.cwd();
  process.chdir(work);
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.chdir(cwd);
    process.exitCode = undefined;
    o.mockRestore();
    e.mockRestore();
  }
}

describe('manifest-lab compare (CLI)', () => {
  it('gates a real sweep: 0 when identical, 99 on an injected regression, 2 on a bad threshold; sweeps and baselines append to index.jsonl', async () => {
    writeFileSync(
      join(work, 'tiny.json'),
      JSON.stringify({ name: 'tiny', seed: 5, fixed: { duration_s: 20, warmup_s: 2, writer_rate: 0.5, num_readers: 1, reader_rate: 1 }, axes: { num_writers: [2, 3] } }),
    );
    const sweep = cli('sweep', '--config', 'tiny.json', '--out', 'results/a', '--no-progress', '--concurrency', '2');
    expect(sweep.code, sweep.stderr).toBe(0);
    const gate = ['--threshold', 'txn_failure_rate<+2pp', '--threshold', 'write_p99_ms<+10%'];

    const same = cli('compare', 'results/a', 'results/a/results.csv', ...gate, '--json', 'same.json');
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toMatch(/^PASS: 2 configs matched, 4 checks/m);
    expect(JSON.parse(readFileSync(join(work, 'same.json'), 'utf8'))).toMatchObject({ schema: 'manifest-lab/compare@1', matched: 2, passed: true });

    // Inject a regression: the second config's write p99 doubles (one replica: no interval).
    const a = parseCsv(readFileSync(join(work, 'results/a/results.csv'), 'utf8'), 'a');
    const rows = a.rows.map((r, i) => a.columns.map((col) => (i === 1 && col === 'write_p99_ms' ? String(Number(r[col]) * 2) : (r[col] as string))));
    mkdirSync(join(work, 'results/b'), { recursive: true });
    writeFileSync(join(work, 'results/b/results.csv'), toCsv(a.columns, rows));
    const worse = cli('compare', 'results/a', 'results/b', ...gate, '--json', 'worse.json');
    expect(worse.code, worse.stderr).toBe(99);
    expect(worse.stdout).toMatch(/num_writers=3\s+write_p99_ms\s.*\+100\.0%.*FAIL$/m);
    expect(worse.stdout).toMatch(/^FAIL: 2 configs matched, 4 checks — 3 pass, 1 fail/m);
    const json = JSON.parse(readFileSync(join(work, 'worse.json'), 'utf8'));
    expect(json.checks.filter((c: { status: string }) => c.status === 'FAIL')).toHaveLength(1);

    // The rest in-process (each spawn costs a Node start-up): bad input, and a baseline.
    const bad = await inProcess('compare', 'results/a', 'results/b', '--threshold', 'write_p99<+10%');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/Accepted forms: .*Numeric columns of these files: .*write_p99_ms/);
    expect((await inProcess('compare', 'results/a', 'missing', ...gate)).stderr).toMatch(/NEW .*missing cannot be read \(ENOENT\)/);
    expect((await inProcess('baseline', '--duration-s', '10', '--num-readers', '1', '--out', 'results/bl')).code).toBe(0);

    const lines = readFileSync(join(work, 'results/index.jsonl'), 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    const index = lines.map((l) => JSON.parse(l));
    expect(index.map((l) => l.sweep)).toEqual(['tiny', 'tiny', 'baseline']);
    const csvIds = a.rows.map((r) => r.config_id);
    expect(index.slice(0, 2).map((l) => l.config_id)).toEqual(csvIds);
    for (const l of index) {
      expect(Number.isNaN(Date.parse(l.time))).toBe(false);
      expect(l.commit === null || /^[0-9a-f]{40}$/.test(l.commit)).toBe(true);
      expect(l.code).toMatch(/^[0-9a-f]{16}$/);
      expect(l.config_hash).toMatch(/^[0-9a-f]{16}$/);
      expect(l).toHaveProperty('txn_failure_rate_lo');
      expect(l.isolation_valid).toBe(true);
    }
    const row = a.rows[1] as Record<string, string>;
    expect(index[1]).toMatchObject({ replicas: 1, write_tps: Number(row.write_tps), write_p99_ms: Number(row.write_p99_ms), txn_failure_rate: Number(row.txn_failure_rate) });
  }, 60_000);
});
