/** The built-code fingerprint, and a sweep that refuses to pool runs of two builds. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codeVersion } from './code-version.js';
import { parseSweepDefinition } from './sweep-file.js';
import { RESULTS_CSV, runSweep } from './sweep-runner.js';
import { UserError } from './user-error.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('the built code a sweep runs', () => {
  it('is a stable 16-hex fingerprint', () => {
    expect(codeVersion()).toMatch(/^[0-9a-f]{16}$/);
    expect(codeVersion()).toBe(codeVersion());
  });

  it('must be the code the sweep started with: a worker on another build stops it, and nothing is summarised', async () => {
    const out = await mkdtemp(join(tmpdir(), 'code-version-'));
    dirs.push(out);
    const definition = parseSweepDefinition({ name: 'mixed', seed: 1, fixed: { duration_s: 5, warmup_s: 1, num_writers: 1, num_readers: 0 }, axes: { writer_rate: [0.5, 1] } }, 'test');
    // As if dist/ had been rebuilt after this process started: its workers now load other code.
    const err = await runSweep({ definition, source: 'test', outDir: out, concurrency: 1, progress: false, index: false, code: 'an-earlier-build' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(new RegExp(`started with code an-earlier-build, but a worker thread ran ${codeVersion()} .*Rerun the same command`));
    expect(existsSync(join(out, RESULTS_CSV))).toBe(false);
    // The same sweep on matching code completes.
    const ok = await runSweep({ definition, source: 'test', outDir: out, concurrency: 1, progress: false, index: false });
    expect(ok.docs).toHaveLength(2);
  });
});
