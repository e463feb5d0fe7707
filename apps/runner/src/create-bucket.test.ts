/**
 * `--create-bucket` against the project's Ceph RGW (scripts/rgw, started by the global setup or
 * `pnpm test`): a fresh bucket is created before the start-up probe and used; an existing one is
 * left alone; a refusal is one paragraph naming the fix. Also the bucket scripts/rgw/start.sh
 * creates for the README's examples.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, inject, it } from 'vitest';

const BIN = new URL('../bin/manifest-lab.js', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'manifest-lab-create-bucket-'));
const endpoint = inject('rgwEndpoint');
const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true });
afterAll(() => {
  client.destroy();
  rmSync(work, { recursive: true, force: true });
});

function cli(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function bucketExists(Bucket: string): Promise<boolean> {
  try {
    await client.send(new HeadBucketCommand({ Bucket }));
    return true;
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw err;
  }
}

const s3 = ['--backend', 's3', '--endpoint', endpoint, '--path-style'];
const short = ['--duration-s', '2', '--num-readers', '1', '--writer-rate', '2'];

/** A user error: exit 2, one paragraph, no stack trace. */
function expectUserError(r: ReturnType<typeof cli>, pattern: RegExp) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('--create-bucket on S3 (Ceph RGW)', () => {
  it('creates a missing bucket before the probe, runs on it, and leaves an existing one alone', async () => {
    const bucket = `created-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
    expect(await bucketExists(bucket)).toBe(false);
    const first = cli({}, 'baseline', ...s3, '--bucket', bucket, '--create-bucket', ...short, '--out', 'c1');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`storage: created bucket "${bucket}" at ${endpoint}`);
    expect(first.stdout).toMatch(/isolation \(strict-serializable\): valid/);
    expect(await bucketExists(bucket)).toBe(true);
    const again = cli({}, 'baseline', ...s3, '--bucket', bucket, '--create-bucket', ...short, '--out', 'c2');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('created bucket');
  });

  it('without --create-bucket a missing bucket is still refused', async () => {
    const bucket = `not-created-${process.pid}`;
    expectUserError(cli({}, 'baseline', ...s3, '--bucket', bucket, '--out', 'n'), /does not exist: create it, or pass the right --bucket/);
    expect(await bucketExists(bucket)).toBe(false);
    expect(existsSync(join(work, 'n'))).toBe(false);
  });

  it('refuses with one paragraph when creation is refused, and writes nothing', async () => {
    expectUserError(
      cli({}, 'baseline', ...s3, '--bucket', 'Not_A_Valid_Bucket', '--create-bucket', '--out', 'bad'),
      /Cannot create bucket "Not_A_Valid_Bucket" at .*: not a valid bucket name .*; pass another --bucket\./,
    );
    const bucket = `bad-secret-${process.pid}`;
    const creds = cli({ AWS_SECRET_ACCESS_KEY: 'not-the-secret' }, 'baseline', ...s3, '--bucket', bucket, '--create-bucket', '--out', 'creds');
    expectUserError(creds, /rejected the credentials \(SignatureDoesNotMatch\)/);
    expect(creds.stderr).not.toContain('not-the-secret');
    expect(await bucketExists(bucket)).toBe(false);
    expectUserError(cli({}, 'baseline', '--create-bucket', '--out', 'mem'), /--create-bucket only applies to --backend s3/);
    for (const d of ['bad', 'creds', 'mem']) expect(existsSync(join(work, d))).toBe(false);
  });

  it('scripts/rgw/start.sh made the bucket the README examples use', async () => {
    expect(process.env.MANIFEST_LAB_S3_BUCKET).toBe('manifest-lab');
    expect(await bucketExists('manifest-lab')).toBe(true);
  });
});
