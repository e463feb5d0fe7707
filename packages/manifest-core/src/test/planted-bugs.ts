import type { ObjectStore, PutOptions, StoredObject } from '../ports/object-store.js';
import type { Random } from '../ports/random.js';
import { md5ETag } from '../stores/etag.js';
import { ObjectStoreDecorator } from '../stores/object-store-decorator.js';

/**
 * Storage bugs to plant under a manifest, to prove an isolation checker catches them:
 * - `ignore-if-match`: conditional `If-Match` PUTs are applied unconditionally;
 * - `ignore-if-none-match`: `If-None-Match: *` PUTs overwrite existing objects;
 * - `stale-read`: some GETs of HEAD return its previous version;
 * - `drop-write`: some segment PUTs are acknowledged (with the right ETag) but never stored.
 */
export type PlantedBug = 'ignore-if-match' | 'ignore-if-none-match' | 'stale-read' | 'drop-write';
export const PLANTED_BUGS: readonly PlantedBug[] = ['ignore-if-match', 'ignore-if-none-match', 'stale-read', 'drop-write'];

export interface PlantOptions {
  /** Share of eligible requests the bug hits (stale-read, drop-write). Default 0.2. */
  readonly rate?: number;
  readonly random: Random;
}

export function plantBug(inner: ObjectStore, bug: PlantedBug, options: PlantOptions): ObjectStore {
  const rate = options.rate ?? 0.2;
  switch (bug) {
    case 'ignore-if-match':
      return new ConditionStripper(inner, (c) => c !== undefined && 'ifMatch' in c);
    case 'ignore-if-none-match':
      return new ConditionStripper(inner, (c) => c !== undefined && 'ifNoneMatch' in c);
    case 'stale-read':
      return new StaleHeadReads(inner, rate, options.random);
    case 'drop-write':
      return new DroppedSegmentWrites(inner, rate, options.random);
  }
}

/** Forwards everything, but drops the write conditions `strip` selects. */
class ConditionStripper extends ObjectStoreDecorator {
  constructor(
    inner: ObjectStore,
    private readonly strip: (c: PutOptions['condition']) => boolean,
  ) {
    super(inner);
  }

  override put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<string> {
    if (!this.strip(options.condition)) return this.inner.put(key, body, options);
    const { condition: _dropped, ...rest } = options;
    return this.inner.put(key, body, rest);
  }
}

/** Remembers the previous version of each HEAD and serves it on some reads. */
class StaleHeadReads extends ObjectStoreDecorator {
  readonly #previous = new Map<string, StoredObject>();

  constructor(
    inner: ObjectStore,
    private readonly rate: number,
    private readonly random: Random,
  ) {
    super(inner);
  }

  override async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<string> {
    const before = key.endsWith('HEAD.json') ? await this.inner.get(key) : null;
    const tag = await this.inner.put(key, body, options);
    if (before !== null) this.#previous.set(key, before);
    return tag;
  }

  override async get(key: string): Promise<StoredObject | null> {
    const current = await this.inner.get(key);
    const old = this.#previous.get(key);
    if (old !== undefined && key.endsWith('HEAD.json') && this.random.next() < this.rate) return old;
    return current;
  }
}

/** Acknowledges some segment writes without storing them. */
class DroppedSegmentWrites extends ObjectStoreDecorator {
  constructor(
    inner: ObjectStore,
    private readonly rate: number,
    private readonly random: Random,
  ) {
    super(inner);
  }

  override async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<string> {
    if (key.includes('/segments/') && this.random.next() < this.rate) {
      const existing = await this.inner.head(key); // the request still costs a round trip
      if (existing === null || options.condition === undefined) return md5ETag(body);
    }
    return this.inner.put(key, body, options);
  }
}
