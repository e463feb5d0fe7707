import { createHash } from 'node:crypto';

/** S3's ETag for a single-part upload: the quoted hex MD5 of the body. */
export function md5ETag(body: Uint8Array): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}
