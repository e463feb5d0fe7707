import { decodeUtf8 } from '../json.js';
import type { DumpedObject } from '../stores/memory-object-store.js';

export interface DecodedObject {
  readonly key: string;
  readonly text: string;
  readonly etag: string;
  readonly contentType?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** A store dump with bodies as UTF-8 text: what tests compare byte for byte. */
export function decodeObjects(objects: readonly DumpedObject[]): DecodedObject[] {
  return objects.map(({ body, ...rest }) => ({ ...rest, text: decodeUtf8(body) }));
}
