/**
 * How S3ObjectStore classifies what the SDK reports — the cases a healthy RGW rarely produces
 * on demand (a 412 after an SDK retry, a 409, throttling, bad credentials). The S3 semantics
 * themselves are tested against a real Ceph RGW in conformance.test.ts; here the client's
 * `send` is replaced so each SDK outcome can be produced exactly.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { AmbiguousError, FatalError, PreconditionFailedError, ThrottledError, TransientError } from '../errors.js';
import { plantBug } from '../test/planted-bugs.js';
import { SeededRandom } from '../random.js';
import { md5ETag } from './etag.js';
import { MemoryObjectStore } from './memory-object-store.js';
import { probeConditionalWrites, S3ObjectStore } from './s3-object-store.js';

const sdkError = (name: string, status: number, attempts = 1) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status, attempts } });

function storeAnswering(answers: ((command: { input: Record<string, unknown> }) => unknown)[]) {
  let i = 0;
  const client = {
    send: async (command: { input: Record<string, unknown> }) => {
      const answer = answers[Math.min(i++, answers.length - 1)] as (c: { input: Record<string, unknown> }) => unknown;
      return answer(command);
    },
  } as unknown as S3Client;
  return new S3ObjectStore({ bucket: 'b', client });
}

const body = new TextEncoder().encode('x');
const fail = (e: Error) => () => {
  throw e;
};

describe('S3ObjectStore error classification', () => {
  it('412 on a first attempt is a lost condition; after an SDK retry it is ambiguous', async () => {
    await expect(storeAnswering([fail(sdkError('PreconditionFailed', 412))]).put('k', body, { condition: { ifNoneMatch: '*' } })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await expect(storeAnswering([fail(sdkError('PreconditionFailed', 412, 2))]).put('k', body, { condition: { ifMatch: '"a"' } })).rejects.toBeInstanceOf(
      AmbiguousError,
    );
  });

  it('sends If-Match without quotes', async () => {
    let sent: Record<string, unknown> = {};
    const store = storeAnswering([
      (c) => {
        sent = c.input;
        return { ETag: '"new"' };
      },
    ]);
    expect(await store.put('k', body, { condition: { ifMatch: '"abc"' } })).toBe('"new"');
    expect(sent.IfMatch).toBe('abc');
  });

  it('a 409 or RGW 500 on a conditional PUT is settled by re-reading: ours landed, or we lost', async () => {
    const landed = storeAnswering([fail(sdkError('ConditionalRequestConflict', 409)), () => ({ Body: { transformToByteArray: async () => body }, ETag: md5ETag(body) })]);
    expect(await landed.put('k', body, { condition: { ifNoneMatch: '*' } })).toBe(md5ETag(body));
    const lost = storeAnswering([fail(sdkError('UnknownError', 500)), () => ({ Body: { transformToByteArray: async () => new Uint8Array([1]) }, ETag: '"other"' })]);
    await expect(lost.put('k', body, { condition: { ifMatch: '"a"' } })).rejects.toBeInstanceOf(PreconditionFailedError);
  });

  it('throttling, credentials, missing buckets and server errors get their own types and messages', async () => {
    await expect(storeAnswering([fail(sdkError('SlowDown', 503))]).get('k')).rejects.toBeInstanceOf(ThrottledError);
    const creds = storeAnswering([fail(sdkError('InvalidAccessKeyId', 403))]).get('k');
    await expect(creds).rejects.toBeInstanceOf(FatalError);
    await expect(storeAnswering([fail(sdkError('InvalidAccessKeyId', 403))]).get('k')).rejects.toThrow(/rejected the credentials \(InvalidAccessKeyId\)/);
    await expect(storeAnswering([fail(sdkError('NoSuchBucket', 404))]).list('p/')).rejects.toThrow(/bucket "b" does not exist/);
    await expect(storeAnswering([fail(sdkError('InternalError', 500))]).get('k')).rejects.toBeInstanceOf(TransientError);
    expect(await storeAnswering([fail(sdkError('NoSuchKey', 404))]).get('k')).toBeNull();
  });
});

describe('probeConditionalWrites', () => {
  it('accepts a store that enforces conditions, and leaves nothing behind', async () => {
    const store = new MemoryObjectStore();
    await probeConditionalWrites(store, 'p/.probe');
    expect(store.dump()).toEqual([]);
  });

  it('refuses a store that ignores If-None-Match or If-Match, naming the problem', async () => {
    const random = new SeededRandom(1);
    await expect(probeConditionalWrites(plantBug(new MemoryObjectStore(), 'ignore-if-none-match', { random }), 'p/.probe')).rejects.toThrow(
      /does not enforce conditional writes: a second If-None-Match: \* PUT succeeded/,
    );
    await expect(probeConditionalWrites(plantBug(new MemoryObjectStore(), 'ignore-if-match', { random }), 'p/.probe')).rejects.toThrow(
      /an If-Match PUT with a wrong ETag succeeded/,
    );
  });
});

describe('S3ObjectStore and ETags', () => {
  it('refuses a response without an ETag, as fusio does', async () => {
    await expect(storeAnswering([() => ({})]).put('k', body, { condition: { ifNoneMatch: '*' } })).rejects.toThrow(/carried no ETag/);
    await expect(storeAnswering([() => ({ Body: { transformToByteArray: async () => body } })]).get('k')).rejects.toThrow(/carried no ETag/);
  });
});
