/** Snapshot reads shared by sessions and the compactor (reference §2.5). */

import { NotFoundError, SnapshotGoneError } from './errors.js';
import { cloneJson, compareKeys, type JsonValue, type Key } from './json.js';
import type { ManifestParts } from './manifest-parts.js';
import { rules } from './runtime.js';
import type { Snapshot } from './snapshot.js';
import type { SegmentDoc } from './wire.js';

/** List window sizes of the crate: point gets use 512, folds 256. */
export const GET_LIST_WINDOW = 512;
export const FOLD_LIST_WINDOW = 256;

export interface KeyRange<K extends Key> {
  /** Inclusive. */
  readonly start?: K;
  /** Exclusive. */
  readonly end?: K;
}

export function inRange<K extends Key>(key: K, range: KeyRange<K>): boolean {
  return (
    (range.start === undefined || compareKeys(key, range.start) >= 0) &&
    (range.end === undefined || compareKeys(key, range.end) < 0)
  );
}

/**
 * `base_get`: newest segment first, the last matching record in a segment decides; then the
 * checkpoint. No contiguity check: a segment missing from the listing is silently skipped, as
 * in the reference (hazard §6.4). Documents come from the stores' decoded caches (shared and
 * frozen), so the value returned is a copy: as fresh as a decode, and the caller's to change.
 */
export async function baseGet<K extends Key, V extends JsonValue>(
  parts: ManifestParts,
  snap: Snapshot,
  key: K,
): Promise<V | undefined> {
  const last = snap.lastSegmentSeq;
  if (last === null) return undefined;
  const start = snap.checkpointSeq === null ? 0 : snap.checkpointSeq + 1;
  if (rules(parts.rt).readsHeadRange) {
    for (let seq = last; seq >= Math.max(start, 1); seq--) {
      const value = lastWrite<K, V>(await snapshotSegment<K, V>(parts, seq), snap, key);
      if (value !== NOT_WRITTEN) return value;
    }
    if (snap.checkpointId === null) return undefined;
    const { payload } = await snapshotCheckpoint<K, V>(parts, snap.checkpointId);
    return payload.lastByKey.has(key) ? cloneJson(payload.lastByKey.get(key) as V) : undefined;
  }
  // Ascending: each window is sorted and starts past the previous one's largest seq.
  const ids: number[] = [];
  let cursor = start;
  for (;;) {
    const batch = await parts.segments.listFrom(cursor, GET_LIST_WINDOW);
    const before = ids.length;
    let max = cursor - 1;
    for (const s of batch) {
      if (s < start || s > last) continue;
      ids.push(s);
      if (s > max) max = s;
    }
    if (ids.length === before) break;
    cursor = max + 1;
    if (cursor > last) break;
  }
  // Newest first: the ascending ids backwards (what sorting them descending gives).
  for (let n = ids.length - 1; n >= 0; n--) {
    const seq = ids[n] as number;
    const value = lastWrite<K, V>(await parts.segments.read<K, V>(seq), snap, key);
    if (value !== NOT_WRITTEN) return value;
  }
  if (snap.checkpointId !== null) {
    const { payload } = await parts.checkpoints.read<K, V>(snap.checkpointId);
    // The last entry for the key, as a scan from the end finds it.
    if (payload.lastByKey.has(key)) return cloneJson(payload.lastByKey.get(key) as V);
  }
  return undefined;
}

/** `lastWrite`'s answer for a segment that does not write the key (or is past the snapshot). */
const NOT_WRITTEN = Symbol('not written');

/** What segment `seg`'s last record for `key` leaves (a copy), or `NOT_WRITTEN`. */
function lastWrite<K extends Key, V extends JsonValue>(seg: SegmentDoc<K, V>, snap: Snapshot, key: K): V | undefined | typeof NOT_WRITTEN {
  if (seg.txn_id > snap.txnId) return NOT_WRITTEN;
  for (let i = seg.records.length - 1; i >= 0; i--) {
    const r = seg.records[i];
    if (r === undefined || r.key !== key) continue;
    return r.op === 'Put' && r.value !== undefined ? cloneJson(r.value) : undefined;
  }
  return NOT_WRITTEN;
}

/**
 * Segment `seq` of a snapshot under `readsHeadRange`: from the cache (`cachesImmutables`) or one
 * GET; gone is `SnapshotGoneError`, never a silent skip (§6.4).
 */
async function snapshotSegment<K extends Key, V extends JsonValue>(parts: ManifestParts, seq: number): Promise<SegmentDoc<K, V>> {
  const doc = await parts.segments.readPublished<K, V>(seq, rules(parts.rt).cachesImmutables);
  if (doc === null) throw new SnapshotGoneError(goneMessage(`segment ${seq}`));
  return doc;
}

/** The snapshot's checkpoint under `readsHeadRange`; a deleted one is `SnapshotGoneError`. */
async function snapshotCheckpoint<K extends Key, V extends JsonValue>(parts: ManifestParts, id: string) {
  try {
    return await parts.checkpoints.read<K, V>(id, rules(parts.rt).cachesImmutables);
  } catch (err) {
    if (err instanceof NotFoundError && !(err instanceof SnapshotGoneError)) throw new SnapshotGoneError(goneMessage(`checkpoint ${id}`), { cause: err });
    throw err;
  }
}

function goneMessage(what: string): string {
  return `${what} of this snapshot is no longer stored: garbage collection deleted it before the session's lease protected it (the session was paused between reading HEAD and taking its lease, or outlived its lease); retry on a fresh snapshot`;
}

/**
 * `fold_into_map` / the compactor's `fold_until`: the checkpoint, then segments in order up to
 * the snapshot, in windows of 256. A `Put` without a value is a no-op; a `Del` removes. The
 * values are copies (the documents are the caches' shared ones).
 */
export async function foldIntoMap<K extends Key, V extends JsonValue>(
  parts: ManifestParts,
  snap: Snapshot,
): Promise<Map<K, V>> {
  const map = new Map<K, V>();
  const headRange = rules(parts.rt).readsHeadRange;
  if (snap.checkpointId !== null) {
    const { payload } = headRange
      ? await snapshotCheckpoint<K, V>(parts, snap.checkpointId)
      : await parts.checkpoints.read<K, V>(snap.checkpointId);
    for (const [k, v] of payload.entries) map.set(k, v);
  }
  const last = snap.lastSegmentSeq;
  if (last === null) return copied(map);
  if (headRange) {
    for (let seq = snap.checkpointSeq === null ? 1 : snap.checkpointSeq + 1; seq <= last; seq++) {
      const seg = await snapshotSegment<K, V>(parts, seq);
      if (seg.txn_id > snap.txnId) break;
      applyRecords(map, seg);
    }
    return copied(map);
  }
  let cursor = snap.checkpointSeq === null ? 0 : snap.checkpointSeq + 1;
  for (;;) {
    const ids = await parts.segments.listFrom(cursor, FOLD_LIST_WINDOW);
    if (ids.length === 0) return copied(map);
    for (const seq of ids) {
      if (seq > last) return copied(map);
      if (seq < cursor) continue;
      const seg = await parts.segments.read<K, V>(seq);
      if (seg.txn_id > snap.txnId) return copied(map);
      applyRecords(map, seg);
      cursor = seq + 1;
    }
  }
}

/** Apply a segment's records in order: a `Del` removes, a `Put` without a value is a no-op. */
function applyRecords<K extends Key, V extends JsonValue>(map: Map<K, V>, seg: SegmentDoc<K, V>): void {
  for (const r of seg.records) {
    if (r.op === 'Del') map.delete(r.key);
    else if (r.value !== undefined) map.set(r.key, r.value);
  }
}

/** Replace each (shared) value by a copy, in place: the map keeps its order. */
function copied<K extends Key, V extends JsonValue>(map: Map<K, V>): Map<K, V> {
  for (const [k, v] of map) map.set(k, cloneJson(v));
  return map;
}

/** Entries sorted by key (the crate leaves scan order unspecified; we make it deterministic). */
export function sortedEntries<K extends Key, V>(map: ReadonlyMap<K, V>, range?: KeyRange<K>): [K, V][] {
  const out: [K, V][] = [];
  for (const [k, v] of map) if (range === undefined || inRange(k, range)) out.push([k, v]);
  return out.sort((a, b) => compareKeys(a[0], b[0]));
}
