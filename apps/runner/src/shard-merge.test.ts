/** `sweep --shard i/n` + `merge`: n shard processes merged equal one unsharded run, byte for byte. */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeShards, parseShard } from './merge.js';
import { UserError } from './user-error.js';

const BIN = new URL('../bin/manifest-lab.js', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'manifest-lab-shard-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI, asynchronously, so shard processes run side by side. */
function cli(...args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: work, env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function expectUserError(r: Result, pattern: RegExp) {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const sweep = {
  name: 'shardy',
  seed: 4,
  replicas: 2,
  fixed: { duration_s: 5, warmup_s: 1, num_readers: 2 },
  axes: { num_writers: [2, 3], key_overlap_ratio: [0.1, 0.9] },
};
const read = (dir: string, f: string) => readFileSync(join(work, dir, f), 'utf8');
const run = (...args: string[]) => cli('sweep', '--no-progress', '--concurrency', '1', ...args);

beforeAll(async () => {
  writeFileSync(join(work, 'sweep.json'), JSON.stringify(sweep));
  const results = await Promise.all([
    run('--config', 'sweep.json', '--out', 'full'),
    ...[0, 1, 2].map((i) => run('--config', 'sweep.json', '--shard', `${i}/3`, '--out', `shard-${i}`)),
  ]);
  for (const r of results) expect(r.code, r.stderr).toBe(0);
  // Shard 1 of another sweep: the same runs, but a sweep.json whose definition differs.
  cpSync(join(work, 'shard-1'), join(work, 'other-1'), { recursive: true });
  const doc = JSON.parse(read('other-1', 'sweep.json'));
  writeFileSync(join(work, 'other-1', 'sweep.json'), JSON.stringify({ ...doc, definition: { ...doc.definition, seed: 5 } }));
}, 60_000);

describe('sweep --shard and merge', () => {
  it('shards split the configs by index modulo n, and merged they equal the unsharded run', async () => {
    const full = JSON.parse(read('full', 'sweep.json'));
    const ids: string[] = full.configs.map((c: { id: string }) => c.id);
    expect(ids).toHaveLength(4);
    for (const i of [0, 1, 2]) {
      const shard = JSON.parse(read(`shard-${i}`, 'sweep.json'));
      expect(shard.shard).toMatchObject({ index: i, count: 3, configs: 4 });
      expect(shard.configs.map((c: { id: string }) => c.id)).toEqual(ids.filter((_, k) => k % 3 === i));
      expect(read(`shard-${i}`, 'results.csv').trim().split('\n')).toHaveLength(i === 0 ? 3 : 2);
    }
    const r = await cli('merge', 'shard-2', 'shard-0', 'shard-1', '--out', 'merged');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/merged 3 shards of sweep shardy: 4 configs, 8 runs/);
    for (const f of ['results.csv', 'runs.csv', 'sweep.json']) expect(read('merged', f), f).toBe(read('full', f));
    for (const id of ids) {
      expect(read('merged', join(id, 'summary.json'))).toBe(read('full', join(id, 'summary.json')));
      expect(readdirSync(join(work, 'merged', id)).sort()).toEqual(readdirSync(join(work, 'full', id)).sort());
    }
  });

  it('merge refuses a missing shard, another sweep, a repeated shard and an unsharded run', async () => {
    const [missing, other] = await Promise.all([
      cli('merge', 'shard-0', 'shard-2', '--out', 'm1'),
      cli('merge', 'shard-0', 'other-1', 'shard-2', '--out', 'm2'),
    ]);
    expectUserError(missing, /shard 1\/3 of sweep shardy is missing \(got 0\/3, 2\/3\)/);
    expectUserError(other, /other-1 and shard-0 are shards of different sweeps/);
    const refusal = (dirs: string[]) => mergeShards(dirs.map((d) => join(work, d)), join(work, 'm3')).catch((e: unknown) => e);
    const repeated = await refusal(['shard-0', 'shard-1', 'shard-1', 'shard-2']);
    expect(repeated).toBeInstanceOf(UserError);
    expect((repeated as Error).message).toMatch(/both shard 1\/3 \(overlapping shards\)/);
    expect(String(await refusal(['full']))).toMatch(/holds an unsharded sweep/);
    for (const d of ['m1', 'm2', 'm3']) expect(readdirSync(work)).not.toContain(d);
  });

  it('--shard must be i/n with 0 <= i < n', async () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['3/2', 'a/b', '0/0', '3/3', '-1/2', '1']) expect(() => parseShard(bad), bad).toThrow(/is not a shard: write it as i\/n/);
    expectUserError(await cli('sweep', '--config', 'sweep.json', '--shard', '3/2', '--out', 'bad'), /--shard 3\/2 is not a shard/);
  });
});
