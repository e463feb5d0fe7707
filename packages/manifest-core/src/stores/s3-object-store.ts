import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import {
  AmbiguousError,
  FatalError,
  ManifestLabError,
  PreconditionFailedError,
  ThrottledError,
  TimeoutError,
  TransientError,
} from '../errors.js';
import {
  type ListOptions,
  type ListPage,
  MAX_LIST_PAGE,
  type ObjectHeadInfo,
  type ObjectStore,
  type PutOptions,
  type RequestCounts,
  type StoredObject,
} from '../ports/object-store.js';
import { md5ETag } from './etag.js';
import { RequestCounter } from './request-counter.js';

export interface S3ObjectStoreOptions {
  readonly bucket: string;
  /** Prepended to every key (e.g. `team/`); default none. */
  readonly keyPrefix?: string;
  readonly region?: string;
  /** A custom endpoint (MinIO, Ceph RGW, R2, LocalStack); default: AWS. */
  readonly endpoint?: string;
  /** Path-style addressing (`endpoint/bucket/key`), which most non-AWS services need. */
  readonly forcePathStyle?: boolean;
  /**
   * SDK attempts per request (default 3; conditional PUTs always 1). Credentials always come
   * from the SDK's default provider chain (env, profile, SSO, instance roles).
   */
  readonly maxAttempts?: number;
  /** An existing client (tests); the options above are then ignored except `bucket`/`keyPrefix`. */
  readonly client?: S3Client;
}

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
}

/**
 * `ObjectStore` over any S3-compatible service with conditional writes (AWS S3, MinIO, Ceph RGW,
 * R2), via @aws-sdk/client-s3. `If-Match` is sent without quotes (RGW answers 412 to a quoted
 * one); single-part PUTs only; ETags kept as returned. A 412 is a lost condition — unless the SDK
 * had retried the request, when the first attempt may have landed (`AmbiguousError`). A 409
 * ConditionalRequestConflict, or RGW's 500 on a lost CAS race, is settled by re-reading the key.
 */
export class S3ObjectStore implements ObjectStore {
  readonly client: S3Client;
  /**
   * Conditional PUTs go through a client that never retries: a retried CAS that answers 412
   * cannot be told apart from a lost race, and RGW's 500 on a lost race must reach us so we
   * can re-read instead of the SDK retrying into an ambiguous 412.
   */
  readonly #casClient: S3Client;
  readonly bucket: string;
  readonly #keyPrefix: string;
  readonly #counter = new RequestCounter();
  readonly #where: string;

  constructor(options: S3ObjectStoreOptions) {
    this.bucket = options.bucket;
    this.#keyPrefix = options.keyPrefix ?? '';
    this.#where = `bucket "${options.bucket}"${options.endpoint === undefined ? '' : ` at ${options.endpoint}`}`;
    const config: S3ClientConfig = {
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.forcePathStyle === undefined ? {} : { forcePathStyle: options.forcePathStyle }),
      maxAttempts: options.maxAttempts ?? 3,
      // A stuck connection must fail, not hang a run.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
      // Bodies are small buffers; checksums only where S3 requires them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    this.client = options.client ?? new S3Client(config);
    this.#casClient = options.client ?? new S3Client({ ...config, maxAttempts: 1 });
  }

  #key(key: string): string {
    return this.#keyPrefix + key;
  }

  async get(key: string): Promise<StoredObject | null> {
    this.#counter.count('GET');
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.#key(key) }));
      const body = out.Body === undefined ? new Uint8Array() : await out.Body.transformToByteArray();
      if (out.ETag === undefined) throw missingETag(key);
      return {
        body,
        etag: out.ETag,
        metadata: out.Metadata ?? {},
        ...(out.ContentType === undefined ? {} : { contentType: out.ContentType }),
      };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw this.#error(err, 'GET', key);
    }
  }

  async head(key: string): Promise<ObjectHeadInfo | null> {
    this.#counter.count('HEAD');
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.#key(key) }));
      return {
        etag: out.ETag ?? '',
        size: out.ContentLength ?? 0,
        metadata: out.Metadata ?? {},
        ...(out.ContentType === undefined ? {} : { contentType: out.ContentType }),
      };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw this.#error(err, 'HEAD', key);
    }
  }

  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<string> {
    const { condition } = options;
    this.#counter.count(condition === undefined ? 'PUT' : 'CPUT');
    try {
      const out = await (condition === undefined ? this.client : this.#casClient).send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.#key(key),
          Body: body,
          ContentLength: body.byteLength,
          ...(options.contentType === undefined ? {} : { ContentType: options.contentType }),
          ...(options.metadata === undefined ? {} : { Metadata: { ...options.metadata } }),
          ...(condition === undefined ? {} : 'ifMatch' in condition ? { IfMatch: unquote(condition.ifMatch) } : { IfNoneMatch: '*' }),
        }),
      );
      if (out.ETag === undefined) throw missingETag(key);
      return out.ETag;
    } catch (err) {
      if (err instanceof ManifestLabError) throw err;
      const e = err as SdkError;
      const status = e.$metadata?.httpStatusCode;
      if (condition !== undefined && status === 412) {
        if ((e.$metadata?.attempts ?? 1) > 1) {
          throw new AmbiguousError(`conditional PUT of ${key} answered 412 after the SDK retried it: the first attempt may have landed`, { cause: err });
        }
        throw new PreconditionFailedError(`precondition failed: PUT ${key}`, { cause: err });
      }
      if (condition !== undefined && (status === 409 || status === 500)) return this.#settleConflict(key, body, condition, err);
      const code = (err as { code?: string }).code;
      if (condition !== undefined && status === undefined && code !== 'ECONNREFUSED' && code !== 'ENOTFOUND' && !isSetupError(err)) {
        // Sent but unanswered (reset, hang-up, timeout): the write may have landed.
        throw new AmbiguousError(`conditional PUT of ${key} got no answer (${code ?? (err as Error).name}): it may have landed`, { cause: err });
      }
      throw this.#error(err, 'PUT', key);
    }
  }

  /**
   * A 409 (or RGW's 500) on a conditional PUT: re-read. If the condition still holds nothing
   * happened (retry); if our exact body is there, our write landed; otherwise we lost.
   */
  async #settleConflict(key: string, body: Uint8Array, condition: NonNullable<PutOptions['condition']>, cause: unknown): Promise<string> {
    const current = await this.get(key).catch(() => undefined);
    if (current === undefined) throw new AmbiguousError(`conditional PUT of ${key} conflicted and the re-read failed`, { cause });
    const stillHolds = 'ifNoneMatch' in condition ? current === null : current?.etag === condition.ifMatch;
    if (stillHolds) throw new TransientError(`conditional PUT of ${key} conflicted and nothing changed; try again`, { cause });
    if (current !== null && current.etag === md5ETag(body)) return current.etag;
    throw new PreconditionFailedError(`precondition failed: PUT ${key} lost a concurrent conditional write`, { cause });
  }

  /** Close the SDK clients' connections. */
  close(): void {
    this.client.destroy();
    if (this.#casClient !== this.client) this.#casClient.destroy();
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    this.#counter.count('LIST');
    const limit = Math.min(Math.max(1, options.limit ?? MAX_LIST_PAGE), MAX_LIST_PAGE);
    try {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.#key(prefix),
          MaxKeys: limit,
          ...(options.startAfter === undefined ? {} : { StartAfter: this.#key(options.startAfter) }),
        }),
      );
      const keys = (out.Contents ?? []).map((o) => (o.Key ?? '').slice(this.#keyPrefix.length));
      return { keys, truncated: out.IsTruncated === true };
    } catch (err) {
      throw this.#error(err, 'LIST', prefix);
    }
  }

  async delete(key: string): Promise<void> {
    this.#counter.count('DELETE');
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.#key(key) }));
    } catch (err) {
      if (isNotFound(err)) return;
      throw this.#error(err, 'DELETE', key);
    }
  }

  requestCounts(): RequestCounts {
    return this.#counter.snapshot();
  }

  resetCounts(): void {
    this.#counter.reset();
  }

  /** Typed errors that name the problem and the fix; never credentials. */
  #error(err: unknown, op: string, key: string): ManifestLabError {
    if (err instanceof ManifestLabError) return err;
    const e = err as SdkError;
    const status = e.$metadata?.httpStatusCode;
    const name = e.name ?? e.code ?? 'Error';
    const what = `${op} ${key} on ${this.#where}`;
    if (name === 'NoSuchBucket') {
      return new FatalError(`${this.#where} does not exist: create it, or pass the right --bucket.`, { cause: err });
    }
    if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message ?? '')) {
      return new FatalError(
        `no AWS credentials found for ${this.#where}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (shared config, SSO), or run where an instance role applies.`,
        { cause: err },
      );
    }
    if (status === 403 || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'AccessDenied') {
      return new FatalError(
        `${this.#where} rejected the credentials (${name}): check the access key and secret (or the profile) and that they may read and write this bucket.`,
        { cause: err },
      );
    }
    const code = (err as { code?: string }).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || name === 'ECONNREFUSED') {
      return new TransientError(`${this.#where} is unreachable (${code ?? name}); check the endpoint URL and that the service is running.`, { cause: err });
    }
    if (status === 503 || name === 'SlowDown') return new ThrottledError(`${what}: 503 SlowDown`, { cause: err });
    if (name === 'TimeoutError' || name === 'RequestTimeout' || code === 'ETIMEDOUT') return new TimeoutError(`${what}: timed out`, { cause: err });
    return new TransientError(`${what}: ${name}${status === undefined ? '' : ` (HTTP ${status})`}`, { cause: err });
  }
}

/** fusio refuses a response without an ETag: it is the CAS token. */
function missingETag(key: string): FatalError {
  return new FatalError(`the response for ${key} carried no ETag; the service (or a proxy, or CORS) must expose the ETag header`);
}

/** Errors raised before anything was sent (credentials, region, configuration). */
function isSetupError(err: unknown): boolean {
  const name = (err as SdkError).name ?? '';
  return name === 'CredentialsProviderError' || /Region is missing|Could not load credentials/i.test((err as Error).message ?? '');
}

function isNotFound(err: unknown): boolean {
  const e = err as SdkError;
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || (e.$metadata?.httpStatusCode === 404 && e.name !== 'NoSuchBucket');
}

function unquote(etag: string): string {
  return etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"') ? etag.slice(1, -1) : etag;
}

/**
 * Refuse a bucket or service that does not enforce conditional writes: a second
 * `If-None-Match: *` PUT, or an `If-Match` PUT with a wrong ETag, must fail. Leaves nothing behind.
 */
export async function probeConditionalWrites(store: ObjectStore, probeKey: string): Promise<void> {
  const body = (n: number) => new TextEncoder().encode(`manifest-lab conditional write probe ${n}`);
  await store.delete(probeKey);
  let attempt = 0;
  try {
    await store.put(probeKey, body(attempt++), { condition: { ifNoneMatch: '*' } });
    const refused = async (condition: PutOptions['condition']) => {
      try {
        await store.put(probeKey, body(attempt++), condition === undefined ? {} : { condition });
        return false;
      } catch (err) {
        if (err instanceof PreconditionFailedError) return true;
        throw err;
      }
    };
    if (!(await refused({ ifNoneMatch: '*' }))) {
      throw new FatalError(
        'the store does not enforce conditional writes: a second If-None-Match: * PUT succeeded. manifest-lab needs S3 conditional writes (AWS S3, MinIO, Ceph RGW 16+, R2); use a service or bucket that supports them.',
      );
    }
    if (!(await refused({ ifMatch: '"00000000000000000000000000000000"' }))) {
      throw new FatalError(
        'the store does not enforce conditional writes: an If-Match PUT with a wrong ETag succeeded. manifest-lab needs S3 conditional writes (AWS S3, MinIO, Ceph RGW 16+, R2); use a service or bucket that supports them.',
      );
    }
  } finally {
    await store.delete(probeKey).catch(() => undefined);
  }
}
