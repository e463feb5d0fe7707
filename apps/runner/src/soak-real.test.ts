/**
 * Short soaks in real time, as CI runs them: on a local directory and on the Ceph RGW the
 * project's script started (see scripts/rgw) — the census LISTs the run's prefix on the real
 * store every bucket, the history goes to disk as recorded, and the run verifies clean.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestBucket } from '@manifest-lab/manifest-core/test';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SoakAnalysis } from './soak/analysis.js';
import { SOAK_COLUMNS } from './soak/soak-output.js';

const BIN = new URL('../bin/manifest-lab.js', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'manifest-lab-soak-real-'));
const endpoint = inject('rgwEndpoint');
const bucket = `soak-real-${process.pid}`;
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => createTestBucket(endpoint, bucket));

// A light load a single-machine RGW serves without drowning: 15 s in 3 s buckets. The checks
// below hold however slow the machine: counts only need to be non-zero, and wall time can only
// run late.
writeFileSync(
  join(work, 'real.json'),
  JSON.stringify({ name: 'real-soak', seed: 2, fixed: { duration_s: 15, warmup_s: 2, num_readers: 2, writer_rate: 1 }, soak: { bucket_s: 3 } }),
);

function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: work, env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function expectRealSoak(out: string, backend: string, storageLine: RegExp, ...storage: string[]) {
  const r = await cli('soak', '--config', 'real.json', ...storage, '--out', out, '--no-progress');
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(storageLine);
  expect(r.stdout).toMatch(/soak real-soak \(buckets of 3 s\):/);
  const config = readdirSync(join(work, out)).find((d) => /^\d{3}-/.test(d)) as string;
  const dir = join(work, out, config, 'r000');
  const doc = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  expect(doc.backend).toBe(backend);
  expect(doc.config.time).toBe('real');
  expect(doc.isolation.valid).toBe(true);
  const rows = readFileSync(join(dir, 'soak.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const col = (row: string[], name: (typeof SOAK_COLUMNS)[number]) => Number(row[SOAK_COLUMNS.indexOf(name)]);
  expect(rows).toHaveLength(5);
  // The census saw the manifest grow: HEAD from the first bucket on, segments never fewer.
  const segments = rows.map((row) => col(row, 'segments'));
  expect(segments).toEqual([...segments].sort((a, b) => a - b));
  expect(segments.at(-1)).toBeGreaterThan(0);
  expect(rows.every((row) => col(row, 'head') === 1)).toBe(true);
  const ends = rows.map((row) => col(row, 'end_s'));
  expect(ends.slice(0, -1)).toEqual([3, 6, 9, 12]);
  // The last bucket closes where the run ended: at 15 s, or just before when the clients finished
  // their last transaction ahead of the schedule's last instant.
  expect(ends.at(-1)).toBeGreaterThan(12);
  expect(ends.at(-1)).toBeLessThanOrEqual(15);
  // Both roles ran and were counted per bucket (how many a busy machine manages varies).
  expect(rows.reduce((a, row) => a + col(row, 'read_txns'), 0)).toBeGreaterThan(0);
  expect(rows.reduce((a, row) => a + col(row, 'commits'), 0)).toBeGreaterThan(0);
  expect(rows.every((row) => col(row, 'heap_live_mb') > 0)).toBe(true);
  // Real time: a bucket closes no earlier than its end in real seconds (a slow machine only adds).
  expect(rows.every((row) => col(row, 'wall_s') >= col(row, 'end_s') - 0.5), JSON.stringify(rows.map((row) => col(row, 'wall_s')))).toBe(true);
  const a = JSON.parse(readFileSync(join(dir, 'soak.json'), 'utf8')) as SoakAnalysis;
  expect(a.objects.last.segments).toBe(segments.at(-1));
  expect(a.leases.max_live).toBeGreaterThan(0);
}

// One after the other: run side by side on a 2-core machine, each would slow the other.
describe('manifest-lab soak in real time', () => {
  it('on a local directory', () => expectRealSoak('fs', 'fs', /storage: directory .*objects, prefix manifest-lab\/real-soak-/, '--backend', 'fs', '--dir', join(work, 'objects')), 60_000);
  it('on S3 (Ceph RGW)', () =>
    expectRealSoak('s3', 's3', new RegExp(`storage: s3://${bucket}/manifest-lab/real-soak-`), '--backend', 's3', '--endpoint', endpoint, '--path-style', '--bucket', bucket), 60_000);
});
