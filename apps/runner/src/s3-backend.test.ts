/**
 * End to end against a real S3 implementation: `manifest-lab baseline --backend s3 --time real`
 * on the Ceph RGW the project's script started (see scripts/rgw), verified black- and white-box;
 * and the clear refusals for a missing bucket, bad credentials and an unreachable endpoint.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestBucket } from '@manifest-lab/manifest-core/test';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const BIN = new URL('../bin/manifest-lab.js', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'manifest-lab-s3-'));
const endpoint = inject('rgwEndpoint');
const bucket = `runner-e2e-${process.pid}`;
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(() => createTestBucket(endpoint, bucket));

function cli(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const s3 = ['--backend', 's3', '--endpoint', endpoint, '--path-style'];

describe('manifest-lab on S3 (Ceph RGW)', () => {
  it('runs a short real-time baseline on a fresh prefix and verifies it clean, black- and white-box', () => {
    const r = cli({}, 'baseline', ...s3, '--bucket', bucket, '--duration-s', '4', '--warmup-s', '1', '--num-readers', '2', '--writer-rate', '2', '--out', 'b');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`storage: s3://${bucket}/manifest-lab/baseline-\\d{8}T\\d{9}Z-\\d+/ at ${endpoint}`));
    expect(r.stdout).toMatch(/4 s real time/);
    expect(r.stdout).toMatch(/isolation \(strict-serializable\): valid/);
    expect(r.stdout).toMatch(/white-box: stored objects agree with the history/);
    const dir = join(work, 'b', readdirSync(join(work, 'b')).find((d) => /^\d{3}-/.test(d)) as string, 'r000');
    const doc = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(doc.backend).toBe('s3');
    expect(doc.metrics.write.counters.successes).toBeGreaterThan(0);
    expect(doc.prefix).toMatch(/^manifest-lab\/baseline-\d{8}T\d{9}Z-\d+\/\d{3}-[0-9a-f]{8}\/r000$/);
    const v = cli({}, 'verify', '--history', join(dir, 'history.jsonl'));
    expect(v.code).toBe(0);
  });

  it('refuses a missing bucket, bad credentials and an unreachable endpoint with one paragraph, writing nothing', () => {
    const missing = cli({}, 'baseline', ...s3, '--bucket', 'no-such-bucket', '--out', 'm');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/bucket "no-such-bucket" at .* does not exist: create it, or pass the right --bucket/);
    const creds = cli({ AWS_SECRET_ACCESS_KEY: 'wrong' }, 'baseline', ...s3, '--bucket', bucket, '--out', 'c');
    expect(creds.code).toBe(2);
    expect(creds.stderr).toMatch(/rejected the credentials \(SignatureDoesNotMatch\): check the access key and secret/);
    expect(creds.stderr).not.toContain('wrong');
    const down = cli({}, 'baseline', '--backend', 's3', '--endpoint', 'http://127.0.0.1:9', '--path-style', '--bucket', bucket, '--out', 'd');
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/is unreachable \(ECONNREFUSED\); check the endpoint URL and that the service is running/);
    for (const r of [missing, creds, down]) {
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    for (const d of ['m', 'c', 'd']) expect(existsSync(join(work, d))).toBe(false);
  });

  it('asks for what a real backend needs', () => {
    expect(cli({}, 'baseline', '--backend', 's3').stderr).toMatch(/--backend s3 needs --bucket NAME/);
    expect(cli({}, 'baseline', '--backend', 'fs').stderr).toMatch(/--backend fs needs --dir DIR/);
    expect(cli({}, 'baseline', ...s3, '--bucket', bucket, '--time', 'virtual').stderr).toMatch(/runs in real time .* drop --time virtual/);
    expect(cli({}, 'baseline', '--bucket', bucket).stderr).toMatch(/--bucket only applies to a real backend; add --backend s3/);
  });
});

describe('manifest-lab on a local directory', () => {
  it('runs a short real-time baseline with --backend fs and verifies it', () => {
    const dir = join(work, 'objects');
    const r = cli({}, 'baseline', '--backend', 'fs', '--dir', dir, '--duration-s', '3', '--warmup-s', '0.5', '--num-readers', '2', '--writer-rate', '3', '--out', 'f');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/isolation \(strict-serializable\): valid/);
    expect(r.stdout).toMatch(/white-box: stored objects agree with the history/);
  });
});
