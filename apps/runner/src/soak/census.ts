/**
 * What a run has left in storage at one moment, by kind, from a LIST of its prefix: the object
 * count growth of a soak, and its lease leaks — a lease whose TTL has passed but which is still
 * stored (its holder ended without deleting it, and nothing reclaims it).
 */
import { dumpObjects, MemoryObjectStore, type ObjectStore, ObjectStoreDecorator } from '@manifest-lab/manifest-core';

export interface StoreCensus {
  readonly head: number;
  readonly segments: number;
  /** Checkpoint objects (a checkpoint is a meta and a payload object). */
  readonly checkpoints: number;
  /** Leases not yet expired at the census. */
  readonly leases_live: number;
  /** Leases past their expiry (or unreadable) but still stored: leaked. */
  readonly leases_expired: number;
  /** The GC plan and anything else under `gc/`. */
  readonly gc_objects: number;
  readonly other: number;
  readonly objects: number;
  /** Bytes stored, when the store is the embedded one (read without requests); else null. */
  readonly store_bytes: number | null;
}

/** An object as a census reads it: a lease's body, other objects' size when known. */
export interface CensusObject {
  readonly key: string;
  readonly body?: Uint8Array;
  readonly size?: number;
}

/** Classify the objects under `prefix`; `nowWallMs` decides which leases have expired. */
export function censusOf(prefix: string, objects: readonly CensusObject[], nowWallMs: number): StoreCensus {
  const base = prefix === '' ? '' : `${prefix.replace(/\/+$/, '')}/`;
  const c = { head: 0, segments: 0, checkpoints: 0, leases_live: 0, leases_expired: 0, gc_objects: 0, other: 0 };
  let bytes = 0;
  let sized = objects.length > 0;
  for (const o of objects) {
    if (o.size === undefined) sized = false;
    else bytes += o.size;
    const rel = o.key.startsWith(base) ? o.key.slice(base.length) : o.key;
    if (rel === 'HEAD.json') c.head++;
    else if (rel.startsWith('segments/')) c.segments++;
    else if (rel.startsWith('checkpoints/')) c.checkpoints++;
    else if (rel.startsWith('gc/')) c.gc_objects++;
    else if (rel.startsWith('leases/')) {
      if (leaseExpiry(o.body) > nowWallMs) c.leases_live++;
      else c.leases_expired++;
    } else c.other++;
  }
  return { ...c, objects: objects.length, store_bytes: sized ? bytes : objects.length === 0 ? 0 : null };
}

/** A lease document's `expires_at_ms`; -Infinity when it cannot be read (counted as expired). */
function leaseExpiry(body: Uint8Array | undefined): number {
  if (body === undefined) return Number.NEGATIVE_INFINITY;
  try {
    const doc = JSON.parse(new TextDecoder().decode(body)) as { expires_at_ms?: unknown };
    return typeof doc.expires_at_ms === 'number' ? doc.expires_at_ms : Number.NEGATIVE_INFINITY;
  } catch {
    return Number.NEGATIVE_INFINITY;
  }
}

/** Reads the objects of a run for a census. */
export type CensusReader = (prefix: string) => Promise<CensusObject[]>;

/**
 * The embedded store, read directly under any wrappers: no requests, no simulated latency, no
 * random draws — a census must not change the run it watches.
 */
export function embeddedReader(store: ObjectStore): CensusReader | undefined {
  let inner = store;
  while (inner instanceof ObjectStoreDecorator) inner = inner.inner;
  if (!(inner instanceof MemoryObjectStore)) return undefined;
  const memory = inner;
  return async (prefix) =>
    memory
      .dump()
      .filter((o) => o.key.startsWith(`${prefix}/`))
      .map((o) => ({ key: o.key, size: o.body.byteLength, ...(o.key.startsWith(`${prefix}/leases/`) ? { body: o.body } : {}) }));
}

/**
 * A real store (its own connection, so the run's request counts stay the run's): LIST the
 * prefix, GET the leases only — a GET per segment every bucket would be a load of its own.
 * Leases are taken from their own listing, whose GETs skip any deleted meanwhile: one in the
 * first LIST but gone by its GET ended normally, and must not count as leaked.
 */
export function listingReader(store: ObjectStore): CensusReader {
  return async (prefix) => {
    const out: CensusObject[] = [];
    let startAfter: string | undefined;
    for (;;) {
      const page = await store.list(`${prefix}/`, startAfter === undefined ? {} : { startAfter });
      for (const key of page.keys) out.push({ key });
      const last = page.keys[page.keys.length - 1];
      if (!page.truncated || last === undefined) break;
      startAfter = last;
    }
    const leasePrefix = `${prefix}/leases/`;
    const leases = await dumpObjects(store, leasePrefix);
    return [...out.filter((o) => !o.key.startsWith(leasePrefix)), ...leases.map((o) => ({ key: o.key, body: o.body }))];
  };
}
