import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from './cli.js';
import { writeFileError } from './files.js';
import { UserError } from './user-error.js';

/** The report package's fixtures: a small sweep, a baseline, chaos, hazards and a crash. */
const LAB = fileURLToPath(new URL('../../../packages/report/test-fixtures/lab', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'recommend-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('manifest-lab recommend', () => {
  it('writes the readiness document, its links resolving from where it is written, and prints a summary', async () => {
    const file = join(scratch, 'docs', 'readiness.md');
    const { code, out, err } = await run(['recommend', LAB, '--out', file, '--threshold', '0.2']);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain(`wrote ${file}`);
    expect(out).toMatch(/envelope .*: \d+ safe, \d+ maybe, \d+ over the 20\.0 % budget/);
    expect(out).toMatch(/missing retry: .*manifest-lab sweep --config sweeps\/retry\.json/);
    const md = readFileSync(file, 'utf8');
    expect(md).toContain('## 1. Safe operating envelope (transaction failure rate under 20.0 %)');
    const links = [...md.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1] as string).filter((l) => !l.startsWith('#'));
    expect(links.length).toBeGreaterThan(20);
    for (const l of links) expect(existsSync(resolve(dirname(file), decodeURIComponent(l))), l).toBe(true);
    expect(readdirSync(dirname(file))).toEqual(['readiness.md']); // no temporary file left
  });

  it('refuses a results directory with nothing to recommend from, in one paragraph, writing nothing', async () => {
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    const file = join(scratch, 'none.md');
    const { code, err } = await run(['recommend', empty, '--out', file]);
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/Nothing in .* to recommend from.*manifest-lab sweep --config sweeps\/comprehensive\.json.*manifest-lab chaos --scenarios hazards/);
    expect(err).not.toMatch(/\n\s+at /);
    expect(existsSync(file)).toBe(false);
  });

  it('refuses bad input before writing anything, and leaves an existing document whole', async () => {
    const file = join(scratch, 'keep.md');
    writeFileSync(file, 'previous');
    const broken = join(scratch, 'broken');
    cpSync(join(LAB, 'tiny'), join(broken, 'tiny'), { recursive: true });
    writeFileSync(join(broken, 'tiny', 'sweep.json'), '{ not json');
    const bad = await run(['recommend', broken, '--out', file]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/sweep\.json: is not valid JSON/);
    expect(readFileSync(file, 'utf8')).toBe('previous');
    expect((await run(['recommend', LAB, '--out', file, '--threshold', '1.5'])).err).toMatch(/--threshold must lie strictly between 0 and 1/);
    expect((await run(['recommend', LAB, '--out', scratch])).err).toMatch(/is a directory; name a file/);
    expect((await run(['recommend', join(scratch, 'missing'), '--out', file])).code).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe('previous');
    expect(readdirSync(scratch).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses an --out whose parent is a file before loading anything, in one paragraph, creating nothing', async () => {
    const blocker = join(scratch, 'blocker');
    writeFileSync(blocker, 'a file, not a directory');
    for (const out of [join(blocker, 'readiness.md'), join(blocker, 'sub', 'deeper', 'readiness.md')]) {
      // A broken results directory too: the --out check must come first.
      const { code, err } = await run(['recommend', join(scratch, 'no-such-results'), '--out', out]);
      expect(code, out).toBe(2);
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(err).toContain(`--out ${out} cannot be written: ${blocker} is a file, not a directory (ENOTDIR)`);
      expect(err).not.toMatch(/\n\s+at /);
    }
    expect(readFileSync(blocker, 'utf8')).toBe('a file, not a directory');
    expect(readdirSync(scratch).filter((f) => f.startsWith('.manifest-lab-write-check'))).toEqual([]);
  });

  it('maps a failed write to a user error by errno, and leaves other errors internal', () => {
    for (const code of ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOSPC']) {
      const mapped = writeFileError(Object.assign(new Error(code), { code }), 'docs/readiness.md');
      expect(mapped, code).toBeInstanceOf(UserError);
      expect((mapped as UserError).exitCode).toBe(2);
      expect((mapped as UserError).message).toMatch(new RegExp(`^--out docs/readiness\\.md cannot be written: [^\n]+ \\(${code}\\); pass --out a file`));
    }
    const other = Object.assign(new Error('boom'), { code: 'EIO2' });
    expect(writeFileError(other, 'x.md')).toBe(other);
  });

});

