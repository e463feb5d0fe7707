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

/** `P/checkpoints/ckpt-<lsn:020>.json` (payload) and `.meta.json`, written unconditionally. */
export class CheckpointStore {
  /** Decoded payloads by key, reused while the stored bytes are unchanged (see `read`). */
  readonly decoded = new DecodedCache<DecodedCheckpoint>(64);

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

  async getMeta(id: string): Promise<CheckpointMeta> {
    const key = this.layout.checkpointMeta(id);
    const obj = await this.store.get(key);
    if (obj === null) throw new NotFoundError(`checkpoint meta not found: ${key}`);
    return decodeCheckpointMeta(obj.body);
  }

  /** Meta, then payload (`.json`, falling back to `.bin`). */
  async get(id: string): Promise<LoadedCheckpoint> {
    const { meta, obj } = await this.#load(id);
    return { meta, payload: obj.body };
  }

  /**
   * `get` with the same requests, the payload decoded — shared and deep-frozen, parsed once per
   * key, ETag and bytes. For readers that copy out what they return (the read path).
   */
  async read<K extends Key, V extends JsonValue>(id: string): Promise<{ meta: CheckpointMeta; payload: DecodedCheckpoint<K, V> }> {
    const { meta, key, obj } = await this.#load(id);
    return { meta, payload: this.decoded.get(key, obj.etag, obj.body, decodeCheckpoint) as DecodedCheckpoint<K, V> };
  }

  async #load(id: string) {
    const meta = await this.getMeta(id);
    for (const ext of ['.json', '.bin'] as const) {
      const key = this.layout.checkpointPayload(id, ext);
      const obj = await this.store.get(key);
      if (obj !== null) return { meta, key, obj };
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
