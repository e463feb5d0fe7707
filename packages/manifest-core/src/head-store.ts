import type { ObjectStore, PutCondition } from './ports/object-store.js';
import { JSON_CONTENT_TYPE } from './layout.js';
import { decodeHead, encodeHead, type HeadDoc } from './wire.js';

export interface LoadedHead {
  readonly head: HeadDoc;
  /** The ETag, verbatim (quotes included): the CAS token. */
  readonly tag: string;
}

/** The one mutable object: `P/HEAD.json`, read with one GET, written by conditional PUT. */
export class HeadStore {
  constructor(
    private readonly store: ObjectStore,
    readonly key: string,
  ) {}

  async load(): Promise<LoadedHead | null> {
    const obj = await this.store.get(this.key);
    return obj === null ? null : { head: decodeHead(obj.body), tag: obj.etag };
  }

  /** CAS-write HEAD; a lost condition raises `PreconditionFailedError`. Returns the new tag. */
  put(head: HeadDoc, condition: PutCondition): Promise<string> {
    return this.store.put(this.key, encodeHead(head), { condition, contentType: JSON_CONTENT_TYPE });
  }
}
