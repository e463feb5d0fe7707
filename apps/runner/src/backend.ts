import { type BucketLocationConstraint, CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import {
  type Clock,
  FsObjectStore,
  ManifestLabError,
  type ObjectStore,
  probeConditionalWrites,
  RealClock,
  S3ObjectStore,
} from '@manifest-lab/manifest-core';
import type { Argv } from 'yargs';
import { UserError } from './user-error.js';

export const BACKENDS = ['memory', 'fs', 's3'] as const;
export type BackendKind = (typeof BACKENDS)[number];

/** Where a run's manifest lives. Plain data: it crosses to worker threads. */
export type Backend =
  | { readonly kind: 'memory' }
  | { readonly kind: 'fs'; readonly dir: string; readonly prefix: string }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly endpoint?: string;
      readonly region?: string;
      readonly pathStyle: boolean;
      readonly prefix: string;
      /** Create the bucket before the start-up probe if it does not exist (`--create-bucket`). */
      readonly createBucket?: boolean;
    };

export function withBackendOptions<T>(y: Argv<T>) {
  return y
    .option('backend', { type: 'string', choices: [...BACKENDS], default: 'memory', group: 'Storage:', describe: 'memory: the embedded simulated S3 (virtual time); fs: a local directory; s3: any S3-compatible service (real time)' })
    .option('endpoint', { type: 'string', group: 'Storage:', describe: 'S3 endpoint URL (MinIO, Ceph RGW, R2); default: AWS' })
    .option('bucket', { type: 'string', group: 'Storage:', describe: 'S3 bucket (must exist, or add --create-bucket; must support conditional writes)' })
    .option('create-bucket', { type: 'boolean', default: false, group: 'Storage:', describe: 'Create the --bucket first if it does not exist' })
    .option('region', { type: 'string', group: 'Storage:', describe: 'S3 region (default: from AWS_REGION / the profile)' })
    .option('path-style', { type: 'boolean', default: false, group: 'Storage:', describe: 'Path-style S3 addressing (MinIO, RGW)' })
    .option('dir', { type: 'string', group: 'Storage:', describe: 'Directory for --backend fs' })
    .option('prefix', { type: 'string', group: 'Storage:', describe: 'Key prefix for runs on fs/s3; each run adds <name>-<timestamp>/<run>/ (default: manifest-lab)' });
}

/**
 * The backend the flags describe, with a fresh prefix `<base>/<name>-<UTC timestamp>` so a run
 * never meets an earlier run's objects. Credentials come only from the SDK's default chain.
 */
export function backendFromFlags(argv: Record<string, unknown>, name: string, clock: Clock = new RealClock()): Backend {
  const kind = argv.backend as BackendKind;
  if (kind === 'memory') {
    for (const flag of ['endpoint', 'bucket', 'dir']) {
      if (argv[flag] !== undefined) throw new UserError(`--${flag} only applies to a real backend; add --backend ${flag === 'dir' ? 'fs' : 's3'}.`);
    }
    if (argv['create-bucket'] === true) throw new UserError('--create-bucket only applies to --backend s3; add --backend s3 --bucket NAME.');
    return { kind };
  }
  // UTC time to the millisecond plus the pid: two runs started together never share a prefix.
  const stamp = `${new Date(clock.wallNow()).toISOString().replace(/[-:]/g, '').replace('.', '')}-${process.pid}`;
  const base = ((argv.prefix as string | undefined) ?? 'manifest-lab').replace(/\/+$/, '');
  const prefix = `${base === '' ? '' : `${base}/`}${name}-${stamp}`;
  if (kind === 'fs') {
    if (typeof argv.dir !== 'string') throw new UserError('--backend fs needs --dir DIR: the directory that holds the objects (created if missing).');
    if (argv['create-bucket'] === true) throw new UserError('--create-bucket only applies to --backend s3; drop it for --backend fs (--dir is created if missing).');
    return { kind, dir: argv.dir, prefix };
  }
  if (typeof argv.bucket !== 'string') {
    throw new UserError(
      '--backend s3 needs --bucket NAME (an existing bucket, or add --create-bucket); add --endpoint URL and --path-style for MinIO or Ceph RGW.',
    );
  }
  return {
    kind,
    bucket: argv.bucket,
    pathStyle: argv['path-style'] === true,
    prefix,
    ...(argv['create-bucket'] === true ? { createBucket: true } : {}),
    ...(typeof argv.endpoint === 'string' ? { endpoint: argv.endpoint } : {}),
    // The SDK resolves the region (AWS_REGION, the profile); a custom endpoint without one gets us-east-1.
    ...(typeof argv.region === 'string'
      ? { region: argv.region }
      : typeof argv.endpoint === 'string' && process.env.AWS_REGION === undefined && process.env.AWS_PROFILE === undefined
        ? { region: 'us-east-1' }
        : {}),
  };
}

/** The store for a backend; `undefined` means the embedded store the workload builds itself. */
export function openBackend(backend: Backend): ObjectStore | undefined {
  switch (backend.kind) {
    case 'memory':
      return undefined;
    case 'fs':
      return new FsObjectStore({ dir: backend.dir });
    case 's3':
      return new S3ObjectStore({
        bucket: backend.bucket,
        forcePathStyle: backend.pathStyle,
        ...(backend.endpoint === undefined ? {} : { endpoint: backend.endpoint }),
        ...(backend.region === undefined ? {} : { region: backend.region }),
      });
  }
}

/**
 * Before any run: create the bucket if asked to, reach the store, check credentials and bucket,
 * and refuse one that does not enforce conditional writes — each failure as one paragraph
 * naming the fix.
 */
export async function checkBackend(backend: Backend, store: ObjectStore | undefined): Promise<void> {
  if (store === undefined || backend.kind === 'memory') return;
  const where = backend.kind === 's3' ? `bucket "${backend.bucket}"${backend.endpoint === undefined ? '' : ` at ${backend.endpoint}`}` : `directory ${backend.dir}`;
  try {
    if (backend.kind === 's3' && backend.createBucket === true && store instanceof S3ObjectStore && (await createBucketIfMissing(backend, store, where))) {
      process.stderr.write(`storage: created ${where}\n`);
    }
    await probeConditionalWrites(store, `${backend.prefix}/.probe`);
  } catch (err) {
    closeStore(store);
    if (err instanceof UserError) throw err;
    if (err instanceof ManifestLabError) {
      // Store errors already name the bucket or path and the fix.
      throw new UserError(err.message.includes(where) ? err.message : `Cannot use ${where}: ${err.message}`);
    }
    const e = err as NodeJS.ErrnoException;
    throw new UserError(`Cannot use ${where}: ${e.code ?? e.message}. Check the path and its permissions.`);
  }
}

interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * `--create-bucket`: create the bucket unless it exists (true if this call created it). A refusal
 * is one paragraph naming the fix; an unreachable service or rejected credentials are left to
 * the probe that follows, which names those.
 */
async function createBucketIfMissing(backend: Extract<Backend, { kind: 's3' }>, store: S3ObjectStore, where: string): Promise<boolean> {
  const Bucket = backend.bucket;
  try {
    await store.client.send(new HeadBucketCommand({ Bucket }));
    return false;
  } catch (err) {
    const e = err as SdkError;
    if (e.$metadata?.httpStatusCode !== 404 && e.name !== 'NotFound' && e.name !== 'NoSuchBucket') return false;
  }
  // Outside us-east-1, AWS wants the region as the location constraint.
  const region = await store.client.config.region().catch(() => undefined);
  const location = region === undefined || region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } };
  try {
    await store.client.send(new CreateBucketCommand({ Bucket, ...location }));
    return true;
  } catch (err) {
    const e = err as SdkError;
    const status = e.$metadata?.httpStatusCode;
    const name = e.name ?? 'Error';
    if (name === 'BucketAlreadyOwnedByYou' || status === undefined) return false;
    if (name === 'BucketAlreadyExists') {
      throw new UserError(`Cannot create ${where}: the name is taken by another account (BucketAlreadyExists; bucket names are global); choose another --bucket.`);
    }
    if (name === 'InvalidBucketName') {
      throw new UserError(`Cannot create ${where}: not a valid bucket name (3–63 lowercase letters, digits, dots and hyphens); pass another --bucket.`);
    }
    const message = e.message?.replace(/\s+/g, ' ').trim() ?? '';
    const detail = message !== '' && message !== name && message !== 'UnknownError' ? `: ${message}` : '';
    throw new UserError(
      `Cannot create ${where}: the service refused (${name}, HTTP ${status}${detail}). Create the bucket yourself and drop --create-bucket, pass an existing --bucket, or use credentials allowed to create buckets.`,
    );
  }
}

/** Release a store's connections (S3 clients keep sockets alive). */
export function closeStore(store: ObjectStore | undefined): void {
  if (store instanceof S3ObjectStore) store.close();
}

export function describeBackend(b: Backend): string {
  switch (b.kind) {
    case 'memory':
      return 'the embedded simulated S3 store';
    case 'fs':
      return `directory ${b.dir}, prefix ${b.prefix}/`;
    case 's3':
      return `s3://${b.bucket}/${b.prefix}/${b.endpoint === undefined ? '' : ` at ${b.endpoint}`}`;
  }
}
