import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SiteWriter } from './output.js';
import { UserError } from './user-error.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-site-output-'));
  await mkdir(join(dir, 'results'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('SiteWriter', () => {
  it('writes nothing at the destination until commit, then replaces the old site whole', async () => {
    const out = join(dir, 'site');
    await mkdir(out);
    await writeFile(join(out, 'old.html'), 'old');
    const w = await SiteWriter.open(out, join(dir, 'results'));
    await w.write('index.html', 'new');
    await w.write('sweeps/a/index.html', 'a');
    expect(await readdir(out)).toEqual(['old.html']);
    await w.commit();
    expect((await readdir(out)).sort()).toEqual(['index.html', 'sweeps']);
    expect(await readFile(join(out, 'index.html'), 'utf8')).toBe('new');
    // No staging or old directory is left beside it.
    expect((await readdir(dir)).sort()).toEqual(['results', 'site']);
    // Readable by a web server running as another user (a temp dir starts out 0700).
    expect((await stat(out)).mode & 0o777).toBe(0o755);
  });

  it('leaves the previous site untouched when a build is aborted', async () => {
    const out = join(dir, 'site');
    await mkdir(out);
    await writeFile(join(out, 'index.html'), 'previous');
    const w = await SiteWriter.open(out, join(dir, 'results'));
    await w.write('index.html', 'half');
    await w.abort();
    expect(await readFile(join(out, 'index.html'), 'utf8')).toBe('previous');
    expect((await readdir(dir)).sort()).toEqual(['results', 'site']);
  });

  it('refuses an out that is a file, or overlaps the results', async () => {
    await writeFile(join(dir, 'file'), 'x');
    await expect(SiteWriter.open(join(dir, 'file'), join(dir, 'results'))).rejects.toThrow(UserError);
    await expect(SiteWriter.open(join(dir, 'results'), join(dir, 'results'))).rejects.toThrow(/overlaps the results/);
    await expect(SiteWriter.open(join(dir, 'results', 'site'), join(dir, 'results'))).rejects.toThrow(/overlaps the results/);
    await expect(SiteWriter.open(dir, join(dir, 'results'))).rejects.toThrow(/overlaps the results/);
  });

  it('refuses a site path that would escape the site', async () => {
    const w = await SiteWriter.open(join(dir, 'site'), join(dir, 'results'));
    await expect(w.write('../evil.html', 'x')).rejects.toThrow(/escapes the site/);
    await w.abort();
  });
});
