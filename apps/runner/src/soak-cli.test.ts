/**
 * `manifest-lab soak` end to end in virtual time: the files a soak run writes, that watching a
 * run does not change it (its run.json and history equal a plain sweep's), that it replays, and
 * the refusals of bad input.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SoakAnalysis } from './soak/analysis.js';
import { SPILL_BATCH } from './soak/history-spill.js';
import { SOAK_COLUMNS } from './soak/soak-output.js';

const BIN = new URL('../bin/manifest-lab.js', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'manifest-lab-soak-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectUserError(r: ReturnType<typeof cli>, pattern: RegExp) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
}

const sweep = { name: 'soaky', seed: 4, fixed: { duration_s: 40, num_readers: 3 }, axes: { compact_interval_s: [0, 10] } };
writeFileSync(join(work, 'plain.json'), JSON.stringify(sweep));
writeFileSync(join(work, 'soak.json'), JSON.stringify({ ...sweep, soak: { bucket_s: 4 } }));

/** The replica directories of a sweep output, in order. */
function runDirs(out: string): string[] {
  return readdirSync(out)
    .filter((d) => /^\d{3}-/.test(d))
    .sort()
    .map((d) => join(out, d, 'r000'));
}

/** soak.csv without the columns that measure the process (memory, wall time). */
function deterministicCsv(dir: string): string {
  const [header, ...rows] = readFileSync(join(dir, 'soak.csv'), 'utf8').trim().split('\n');
  const names = (header as string).split(',');
  const keep = names.map((n, i) => (['heap_used_mb', 'heap_live_mb', 'rss_mb', 'wall_s'].includes(n) ? -1 : i)).filter((i) => i >= 0);
  return [header, ...rows].map((r) => keep.map((i) => (r as string).split(',')[i]).join(',')).join('\n');
}

describe('manifest-lab soak (virtual time)', () => {
  it('samples every bucket, analyses each run, and changes nothing in the run it watches', () => {
    const soak = cli('soak', '--config', 'soak.json', '--out', 's1', '--no-progress', '--concurrency', '2');
    expect(soak.code, soak.stderr).toBe(0);
    expect(soak.stdout).toMatch(/soak soaky \(buckets of 4 s\):/);
    expect(soak.stdout).toMatch(/compact_interval_s=0 r000 .*(stationary|drifting|inconclusive)/);
    expect(soak.stdout).toMatch(/compact_interval_s=10 r000 .*(bounded|growing|inconclusive)/);
    const dirs = runDirs(join(work, 's1'));
    expect(dirs).toHaveLength(2);
    for (const dir of dirs) {
      const lines = readFileSync(join(dir, 'soak.csv'), 'utf8').trim().split('\n');
      expect(lines[0]).toBe(SOAK_COLUMNS.join(','));
      expect(lines).toHaveLength(1 + 10);
      expect(existsSync(join(dir, 'history.spill.jsonl'))).toBe(false);
      const a = JSON.parse(readFileSync(join(dir, 'soak.json'), 'utf8')) as SoakAnalysis;
      expect(a.schema).toBe('manifest-lab/soak@1');
      expect(a.buckets).toBe(10);
      expect(a.measured_buckets).toBe(9); // the first bucket starts in the 4 s warm-up
      // History events on disk by each bucket's end: in whole batches, never more than the run recorded.
      const events = readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n').length;
      expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).history.events).toBe(events);
      const written = lines.slice(1).map((l) => Number(l.split(',')[SOAK_COLUMNS.indexOf('history_events')]));
      expect(written).toEqual([...written].sort((x, y) => x - y));
      expect(written.every((n) => n % SPILL_BATCH === 0 && n <= events)).toBe(true);
      expect(a.memory.caches?.segments).toBeGreaterThan(0);
      expect(a.memory.heap_live_first_mb).toBeGreaterThan(0);
    }
    const [noCompactor, compactor] = dirs.map((d) => JSON.parse(readFileSync(join(d, 'soak.json'), 'utf8')) as SoakAnalysis);
    expect(noCompactor?.objects.last.checkpoints).toBe(0);
    expect(compactor?.objects.last.checkpoints).toBeGreaterThan(0);

    // The same configurations as a plain sweep: byte-identical run.json (but for the hash of the
    // code, should a package be rebuilt in between), history and results.
    const plain = cli('sweep', '--config', 'plain.json', '--out', 'p1', '--no-progress', '--concurrency', '2');
    expect(plain.code, plain.stderr).toBe(0);
    const plainDirs = runDirs(join(work, 'p1'));
    for (const [i, dir] of dirs.entries()) {
      for (const file of ['run.json', 'history.jsonl', 'verify.json']) {
        const text = (d: string) => readFileSync(join(d, file), 'utf8').replace(/"code": "[0-9a-f]+"/, '"code": ""');
        expect(text(dir), file).toBe(text(plainDirs[i] as string));
      }
    }
    expect(readFileSync(join(work, 's1', 'results.csv'), 'utf8')).toBe(readFileSync(join(work, 'p1', 'results.csv'), 'utf8'));

    // A replay samples the same buckets; only the process's measurements differ.
    const again = cli('soak', '--config', 'soak.json', '--out', 's2', '--no-progress');
    expect(again.code, again.stderr).toBe(0);
    for (const [i, dir] of runDirs(join(work, 's2')).entries()) expect(deterministicCsv(dir)).toBe(deterministicCsv(dirs[i] as string));
  }, 120_000);

  it('--bucket-s overrides the file, and a resumed soak reruns runs sampled in other buckets', () => {
    const r = cli('soak', '--config', 'soak.json', '--out', 's1', '--no-progress', '--bucket-s', '12');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 runs \(2 run now, 0 already done\)/);
    const lines = readFileSync(join(runDirs(join(work, 's1'))[0] as string, 'soak.csv'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1 + 4);
  }, 60_000);

  it('refuses bad input with one paragraph and writes nothing', () => {
    writeFileSync(join(work, 'bad-block.json'), JSON.stringify({ ...sweep, soak: { bucket_s: 0.5 } }));
    expectUserError(cli('soak', '--config', 'bad-block.json', '--out', 'x1'), /`soak\.bucket_s`: a bucket is at least 1 s/);
    writeFileSync(join(work, 'bad-key.json'), JSON.stringify({ ...sweep, soak: { bucket: 5 } }));
    expectUserError(cli('sweep', '--config', 'bad-key.json', '--out', 'x2'), /Sweep file bad-key\.json is malformed: .*soak/);
    expectUserError(cli('soak', '--config', 'soak.json', '--bucket-s', '0', '--out', 'x3'), /--bucket-s must be a number of seconds of at least 1, got 0/);
    expectUserError(cli('soak', '--config', 'soak.json', '--bucket-s', '500', '--out', 'x4'), /buckets of 500 s, longer than the 36 s measured .* set --bucket-s to at most 36/);
    expectUserError(cli('soak', '--config', 'soak.json', '--backend', 'fs', '--dir', 'objects', '--time', 'virtual', '--out', 'x5'), /--backend fs runs in real time/);
    for (const out of ['x1', 'x2', 'x3', 'x4', 'x5']) expect(existsSync(join(work, out)), out).toBe(false);
  });
});
