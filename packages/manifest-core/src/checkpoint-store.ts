import { CorruptError, NotFoundError } from './errors.js';
import { basename, checkpointId, type Layout } from './layout.js';
import { listAll, type ObjectStore } from './ports/object-store.js';
import { type CheckpointMeta, decodeCheckpointMeta, encodeCheckpointMeta } from './wire.js';

export interface LoadedCheckpoint {
  readonly meta: CheckpointMeta;
  readonly payload: Uint8Array;
}

const META_SUFFIX = '.meta.json';

/** `P/checkpoints/ckpt-<lsn:020>.json` (payload) and `.meta.json`, written unconditionally. */
export class CheckpointStore {
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
    const meta = await this.getMeta(id);
    for (const ext of ['.json', '.bin'] as const) {
      const obj = await this.store.get(this.layout.checkpointPayload(id, ext));
      if (obj !== null) return { meta, payload: obj.body };
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
