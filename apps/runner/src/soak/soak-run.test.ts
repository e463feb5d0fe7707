import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWorkloadConfig } from '@manifest-lab/workload';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { RUN_FILE } from '../run-output.js';
import { SOAK_CSV, SOAK_JSON } from './soak-output.js';
import { HISTORY_SPILL_FILE, startSoakRun } from './soak-run.js';

// The census store of a real backend fails to open (as an S3 client can, on a bad endpoint).
vi.mock('../backend.js', async (original) => ({
  ...(await original<typeof import('../backend.js')>()),
  openBackend: () => {
    throw new Error('census store: cannot open');
  },
}));

const work = mkdtempSync(join(tmpdir(), 'manifest-lab-soak-run-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const config = parseWorkloadConfig({ duration_s: 10, warmup_s: 1 });
const soak = { bucket_s: 1 };

describe('startSoakRun', () => {
  it('leaves no history spill when the census store cannot be opened', () => {
    const dir = join(work, 'census-fails');
    expect(() => startSoakRun({ dir, backend: { kind: 'fs', dir: join(work, 'objects'), prefix: 'p' }, prefix: 'p/x', config, soak })).toThrow(/census store/);
    expect(existsSync(join(dir, HISTORY_SPILL_FILE))).toBe(false);
  });

  it("removes a re-done run's stale run.json first, and a failed run's soak files", () => {
    const dir = join(work, 'redo');
    mkdirSync(dir, { recursive: true });
    for (const f of [RUN_FILE, SOAK_CSV, SOAK_JSON]) writeFileSync(join(dir, f), '{}');
    const run = startSoakRun({ dir, backend: { kind: 'memory' }, prefix: 'run', config, soak });
    // A failure from here on leaves no run.json, so resume cannot take the run for finished.
    expect(existsSync(join(dir, RUN_FILE))).toBe(false);
    expect(existsSync(join(dir, HISTORY_SPILL_FILE))).toBe(true);
    run.abandon();
    for (const f of [HISTORY_SPILL_FILE, SOAK_CSV, SOAK_JSON]) expect(existsSync(join(dir, f)), f).toBe(false);
  });
});
