import type { DumpedObject } from '@manifest-lab/manifest-core';
import { writeFileAtomic } from './files.js';
import { readInput } from './read-input.js';
import { UserError } from './user-error.js';

export const STORE_DUMP_FILE = 'store.jsonl';

/** One object per line: `{"key","etag","contentType"?,"metadata","body"}`, body in base64. */
export async function writeStoreDump(path: string, objects: readonly DumpedObject[]): Promise<void> {
  const lines = objects.map((o) =>
    JSON.stringify({
      key: o.key,
      etag: o.etag,
      ...(o.contentType === undefined ? {} : { contentType: o.contentType }),
      metadata: o.metadata,
      body: Buffer.from(o.body).toString('base64'),
    }),
  );
  await writeFileAtomic(path, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
}

export async function readStoreDump(path: string): Promise<DumpedObject[]> {
  const text = await readInput(path, 'store dump', 'Write one with `manifest-lab baseline --dump-store`.');
  return text
    .split('\n')
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line !== '')
    .map(([line, n]) => {
      try {
        const o = JSON.parse(line) as { key: string; etag: string; contentType?: string; metadata?: Record<string, string>; body: string };
        if (typeof o.key !== 'string' || typeof o.body !== 'string') throw new Error('needs "key" and "body"');
        return {
          key: o.key,
          etag: o.etag,
          metadata: o.metadata ?? {},
          body: new Uint8Array(Buffer.from(o.body, 'base64')),
          ...(o.contentType === undefined ? {} : { contentType: o.contentType }),
        };
      } catch (err) {
        throw new UserError(`Store dump ${path} line ${n} is malformed (${(err as Error).message}); each line is {"key","etag","metadata","body":<base64>}.`);
      }
    });
}
