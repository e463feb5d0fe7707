/**
 * `--out` that cannot hold results is refused before anything runs: exit 2, one paragraph naming
 * the problem and the fix, no stack trace, nothing written — for `baseline` and `sweep`.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureWritableDir } from './files.js';
import { UserError } from './user-error.js';

const BIN = new URL('../bin/manifest-lab.js', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'manifest-lab-out-'));
afterAll(() => {
  chmodSync(join(work, 'locked'), 0o755);
  rmSync(work, { recursive: true, force: true });
});

// Root may write anywhere, so as root the CLI runs as `nobody` to meet a read-only directory.
const asRoot = process.getuid?.() === 0;
chmodSync(work, 0o755);
if (asRoot) chownSync(work, 65534, 65534);
mkdirSync(join(work, 'locked'));
chmodSync(join(work, 'locked'), 0o555);
writeFileSync(join(work, 'a-file'), 'keep me\n');
writeFileSync(join(work, 'tiny.json'), JSON.stringify({ name: 'tiny', seed: 3, fixed: { duration_s: 10, num_readers: 2 }, axes: { num_writers: [2, 3] } }));
chmodSync(join(work, 'tiny.json'), 0o644);

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Refused before running: exit 2, one line on stderr, no stack, nothing on stdout. */
function expectRefused(r: ReturnType<typeof cli>, pattern: RegExp) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout).toBe('');
}

describe('--out that cannot hold results', () => {
  it('baseline refuses a file, a path under a file and a read-only directory, and writes nothing', () => {
    expectRefused(cli('baseline', '--out', 'a-file'), /^manifest-lab: --out a-file is a file, not a directory; pass --out a directory you can write to/);
    expectRefused(cli('baseline', '--out', 'a-file/run'), /--out a-file\/run cannot be created: a-file is a file, not a directory/);
    expectRefused(cli('baseline', '--out', 'locked'), /--out locked is not writable \(EACCES\); .* or fix its permissions\./);
    expectRefused(cli('baseline', '--out', 'locked/run/1'), /--out locked\/run\/1 cannot be created: locked is not writable \(EACCES\)/);
    expect(readFileSync(join(work, 'a-file'), 'utf8')).toBe('keep me\n');
    expect(readdirSync(join(work, 'locked'))).toEqual([]);
  });

  it('sweep refuses --out, or the default results/<name>, before running any config', () => {
    expectRefused(cli('sweep', '--config', 'tiny.json', '--out', 'a-file'), /--out a-file is a file, not a directory/);
    expectRefused(cli('sweep', '--config', 'tiny.json', '--out', 'locked/tiny'), /--out locked\/tiny cannot be created: locked is not writable/);
    writeFileSync(join(work, 'results'), '');
    expectRefused(cli('sweep', '--config', 'tiny.json'), /--out results\/tiny cannot be created: results is a file, not a directory/);
    rmSync(join(work, 'results'));
  });

  it('accepts a missing directory under a writable one and leaves no probe files behind', () => {
    const r = cli('baseline', '--duration-s', '5', '--num-readers', '1', '--out', 'new/deep/dir');
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(work, 'new', 'deep', 'dir', 'results.csv'))).toBe(true);
    const probes = (dir: string): string[] => readdirSync(dir).filter((f) => f.startsWith('.manifest-lab-write-check'));
    expect(probes(work)).toEqual([]);
    expect(probes(join(work, 'new', 'deep', 'dir'))).toEqual([]);
  });

  it('ensureWritableDir checks without creating, unless asked to', async () => {
    const missing = join(work, 'later', 'out');
    await ensureWritableDir(missing);
    expect(existsSync(join(work, 'later'))).toBe(false);
    await ensureWritableDir(missing, '--out', { create: true });
    expect(existsSync(missing)).toBe(true);
    await expect(ensureWritableDir(join(work, 'a-file'), '--results')).rejects.toThrow(UserError);
    await expect(ensureWritableDir(join(work, 'a-file'), '--results')).rejects.toThrow(/^--results .*a-file is a file, not a directory; pass --results a directory/);
    await expect(ensureWritableDir('  ')).rejects.toThrow(/--out is empty/);
  });
});
