import { DecodedCache } from './decoded-cache.js';
import { CorruptError, NotFoundError } from './errors.js';
import type { JsonValue, Key } from './json.js';
import { basename, checkpointId, type Layout } from './layout.js';
import { listAll, type ObjectStore } from './ports/object-store.js';
import { type CheckpointMeta, decodeCheckpointMeta, decodeCheckpointPayload, encodeCheckpointMeta } from './wire.js';

/** A checkpoint payload decoded once: its entries, and the last value of each key. */
export interface DecodedCheckpoint<K extends Key = Key, V extends JsonValue = JsonValue> {
  readonly entries: readonly (readonly [K, V])[];
  /** Key -> value of its last entry (what a scan from the end finds first). */
  readonly lastByKey: ReadonlyMap<K, V>;
}

function decodeCheckpoint(body: Uint8Array): DecodedCheckpoint {
  const entries = decodeCheckpointPayload(body);
  return { entries, lastByKey: new Map(entries) };
}

export interface LoadedCheckpoint {
  readonly meta: CheckpointMeta;
  readonly payload: Uint8Array;
}

const META_SUFFIX = '.meta.json';
const PAYLOAD_EXTS = ['.json', '.bin'] as const;

/** `P/checkpoints/ckpt-<lsn:020>.json` (payload) and `.meta.json`, written unconditionally. */
export class CheckpointStore {
  /** Decoded payloads by key, reused while the stored bytes are unchanged (see `read`). */
  readonly decoded = new DecodedCache<DecodedCheckpoint>(64);
  /** Decoded metas by key, read through `meta(id, true)` only (`cachesImmutables`). */
  readonly decodedMetas = new DecodedCache<CheckpointMeta>(64);

  constructor(
    private readonly store: ObjectStore,
    private readonly layout: Layout,
  ) {}

  /** PUT the payload, then the meta; both plain overwrites. Returns the checkpoint id. */
  async put(meta: CheckpointMeta, payload: Uint8Array): Promise<string> {
    const id = checkpointId(meta.lsn);
    await this.store.put(this.layout.checkpointPayload(id), payload);
    await this.store.put(this.layout.checkpointMeta(id), encodeCheckpointMeta(meta));
    return id;
  }

  /**
   * `getMeta`, or with `fromCache` (`cachesImmutables`) the meta this store decoded before under
   * that id, with no request: `ckpt-<lsn>` always describes the same fold.
   */
  async meta(id: string, fromCache: boolean): Promise<CheckpointMeta> {
    if (!fromCache) return this.getMeta(id);
    const key = this.layout.checkpointMeta(id);
    const hit = this.decodedMetas.peek(key);
    if (hit !== undefined) return hit;
    const obj = await this.#metaObject(key);
    return this.decodedMetas.get(key, obj.etag, obj.body, decodeCheckpointMeta);
  }

  async getMeta(id: string): Promise<CheckpointMeta> {
    return decodeCheckpointMeta((await this.#metaObject(this.layout.checkpointMeta(id))).body);
  }

  async #metaObject(key: string) {
    const obj = await this.store.get(key);
    if (obj === null) throw new NotFoundError(`checkpoint meta not found: ${key}`);
    return obj;
  }

  /** Meta, then payload (`.json`, falling back to `.bin`). */
  async get(id: string): Promise<LoadedCheckpoint> {
    const { meta, obj } = await this.#load(id);
    return { meta, payload: obj.body };
  }

  /**
   * `get` with the same requests, the payload decoded — shared and deep-frozen, parsed once per
   * key, ETag and bytes. For readers that copy out what they return (the read path). With
   * `fromCache` (`cachesImmutables`) a meta and payload read before under this id cost nothing.
   */
  async read<K extends Key, V extends JsonValue>(
    id: string,
    fromCache = false,
  ): Promise<{ meta: CheckpointMeta; payload: DecodedCheckpoint<K, V> }> {
    const meta = await this.meta(id, fromCache);
    if (fromCache) {
      for (const ext of PAYLOAD_EXTS) {
        const hit = this.decoded.peek(this.layout.checkpointPayload(id, ext));
        if (hit !== undefined) return { meta, payload: hit as DecodedCheckpoint<K, V> };
      }
    }
    const { key, obj } = await this.#payload(id).catch((err: unknown) => {
      // A meta from the cache says nothing of the payload now: it may just have been GC'd.
      if (fromCache && err instanceof CorruptError) throw new NotFoundError(`checkpoint ${id} is no longer stored`, { cause: err });
      throw err;
    });
    return { meta, payload: this.decoded.get(key, obj.etag, obj.body, decodeCheckpoint) as DecodedCheckpoint<K, V> };
  }

  async #load(id: string) {
    const meta = await this.getMeta(id);
    return { meta, ...(await this.#payload(id)) };
  }

  /** The payload object, `.json` then `.bin`; a missing one is corrupt. */
  async #payload(id: string) {
    for (const ext of PAYLOAD_EXTS) {
      const key = this.layout.checkpointPayload(id, ext);
      const obj = await this.store.get(key);
      if (obj !== null) return { key, obj };
    }
    throw new CorruptError(`checkpoint payload missing object for key ${this.layout.checkpointPayload(id, '.bin')}`);
  }

  /** Every checkpoint with its meta: one listing, one GET per meta. */
  async list(): Promise<{ id: string; meta: CheckpointMeta }[]> {
    const metaKeys = (await listAll(this.store, this.layout.checkpointsDir)).filter((k) => k.endsWith(META_SUFFIX));
    const out: { id: string; meta: CheckpointMeta }[] = [];
    for (const key of metaKeys) {
      const id = basename(key).slice(0, -META_SUFFIX.length);
      out.push({ id, meta: await this.getMeta(id) });
    }
    return out;
  }

  /** DELETE the meta, the `.json` and the `.bin`, in that order. */
  async delete(id: string): Promise<void> {
    for (const key of [
      this.layout.checkpointMeta(id),
      this.layout.checkpointPayload(id, '.json'),
      this.layout.checkpointPayload(id, '.bin'),
    ]) {
      try {
        await this.store.delete(key);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
  }
}
