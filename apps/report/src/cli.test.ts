import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/report-site.js', import.meta.url));
const RUNNER = fileURLToPath(new URL('../../runner/bin/manifest-lab.js', import.meta.url));

function cli(bin: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
}

/** One paragraph, no stack trace. */
function expectUserError(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

let dir: string;
let results: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-site-cli-'));
  results = join(dir, 'results');
  const r = await cli(RUNNER, 'baseline', '--duration-s', '10', '--num-readers', '1', '--out', join(results, 'baseline'));
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('manifest-lab-report', () => {
  it('writes the site and prints the path of its index.html', async () => {
    const out = join(dir, 'site');
    const r = await cli(BIN, results, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(join(out, 'index.html'));
    expect(r.stderr).toMatch(/\d+ pages from/);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
    expect(existsSync(join(out, 'sweeps', 'baseline', 'results.csv'))).toBe(true);
  });

  it('refuses bad input with one paragraph, exit 2, and writes nothing', async () => {
    const out = join(dir, 'never');
    expectUserError(await cli(BIN), /Name the results directory/);
    expectUserError(await cli(BIN, join(dir, 'missing'), '--out', out), /does not exist or is not a directory/);
    expectUserError(await cli(BIN, results, '--out', out, '--bogus'), /Unknown option '--bogus'.*--help/);
    expectUserError(await cli(BIN, results, '--out', out, '--compare', 'baseline'), /--compare takes exactly two/);
    expectUserError(await cli(BIN, results, '--out', out, '--compare', 'baseline', '--compare', 'nope'), /--compare nope is not a sweep/);
    await mkdir(join(dir, 'empty'));
    expectUserError(await cli(BIN, join(dir, 'empty'), '--out', out), /No results found/);
    await writeFile(join(dir, 'file'), 'x');
    expectUserError(await cli(BIN, results, '--out', join(dir, 'file')), /is a file, not a directory/);
    expectUserError(await cli(BIN, results, '--out', join(results, 'site')), /overlaps the results/);
    expect(existsSync(out)).toBe(false);
    // Nothing half-built is left beside the destination either.
    expect((await readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('a bad file in the results is reported by name, and the previous site stays', async () => {
    const out = join(dir, 'site-kept');
    expect((await cli(BIN, results, '--out', out)).code).toBe(0);
    const broken = join(dir, 'broken');
    await mkdir(join(broken, 'x'), { recursive: true });
    await writeFile(join(broken, 'x', 'sweep.json'), '{not json');
    await writeFile(join(broken, 'x', 'results.csv'), 'config_id\n');
    expectUserError(await cli(BIN, broken, '--out', out), /x\/sweep\.json: is not valid JSON/);
    expect(existsSync(join(out, 'sweeps', 'baseline', 'index.html'))).toBe(true);
  });

  it('runs as `manifest-lab report`, passing arguments and the exit code through', async () => {
    const out = join(dir, 'site-runner');
    const ok = await cli(RUNNER, 'report', results, '--out', out);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toBe(join(out, 'index.html'));
    expectUserError(await cli(RUNNER, 'report', join(dir, 'missing'), '--out', out), /^manifest-lab-report: .*does not exist/);
  });
});
