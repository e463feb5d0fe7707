import { JSON_CONTENT_TYPE } from './layout.js';
import type { ObjectStore, PutCondition } from './ports/object-store.js';
import { decodeHead, encodeHead, type HeadDoc } from './wire.js';

export interface LoadedHead {
  readonly head: HeadDoc;
  /** The ETag, verbatim (quotes included): the CAS token. */
  readonly tag: string;
}

const MAX_SIGHTINGS = 64;

/** The one mutable object: `P/HEAD.json`, read with one GET, written by conditional PUT. */
export class HeadStore {
  /** Checkpoint id -> wall time this process first read a HEAD naming it (newest 64 kept). */
  readonly #sightings = new Map<string, number>();

  constructor(
    private readonly store: ObjectStore,
    readonly key: string,
    private readonly wallNow: () => number = () => 0,
  ) {}

  async load(): Promise<LoadedHead | null> {
    const obj = await this.store.get(this.key);
    if (obj === null) return null;
    const head = decodeHead(obj.body);
    const id = head.checkpoint_id;
    if (id !== null && !this.#sightings.has(id)) {
      if (this.#sightings.size >= MAX_SIGHTINGS) this.#sightings.delete(this.#sightings.keys().next().value as string);
      this.#sightings.set(id, this.wallNow());
    }
    return { head, tag: obj.etag };
  }

  /**
   * When this process first saw HEAD name each checkpoint (wall ms): HEAD named it by then. GC's
   * grace under `gcKeepsLeasedReads` (§6.4) is measured from here.
   */
  get sightings(): ReadonlyMap<string, number> {
    return this.#sightings;
  }

  /** CAS-write HEAD; a lost condition raises `PreconditionFailedError`. Returns the new tag. */
  put(head: HeadDoc, condition: PutCondition): Promise<string> {
    return this.store.put(this.key, encodeHead(head), { condition, contentType: JSON_CONTENT_TYPE });
  }
}
