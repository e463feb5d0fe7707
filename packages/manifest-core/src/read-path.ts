/** Snapshot reads shared by sessions and the compactor (reference §2.5). */
import { cloneJson, compareKeys, type JsonValue, type Key } from './json.js';
import type { ManifestParts } from './manifest-parts.js';
import type { Snapshot } from './snapshot.js';

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
    const seg = await parts.segments.read<K, V>(seq);
    if (seg.txn_id > snap.txnId) continue;
    for (let i = seg.records.length - 1; i >= 0; i--) {
      const r = seg.records[i];
      if (r === undefined || r.key !== key) continue;
      return r.op === 'Put' && r.value !== undefined ? cloneJson(r.value) : undefined;
    }
  }
  if (snap.checkpointId !== null) {
    const { payload } = await parts.checkpoints.read<K, V>(snap.checkpointId);
    // The last entry for the key, as a scan from the end finds it.
    if (payload.lastByKey.has(key)) return cloneJson(payload.lastByKey.get(key) as V);
  }
  return undefined;
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
  if (snap.checkpointId !== null) {
    const { payload } = await parts.checkpoints.read<K, V>(snap.checkpointId);
    for (const [k, v] of payload.entries) map.set(k, v);
  }
  const last = snap.lastSegmentSeq;
  if (last === null) return copied(map);
  let cursor = snap.checkpointSeq === null ? 0 : snap.checkpointSeq + 1;
  for (;;) {
    const ids = await parts.segments.listFrom(cursor, FOLD_LIST_WINDOW);
    if (ids.length === 0) return copied(map);
    for (const seq of ids) {
      if (seq > last) return copied(map);
      if (seq < cursor) continue;
      const seg = await parts.segments.read<K, V>(seq);
      if (seg.txn_id > snap.txnId) return copied(map);
      for (const r of seg.records) {
        if (r.op === 'Del') map.delete(r.key);
        else if (r.value !== undefined) map.set(r.key, r.value);
      }
      cursor = seq + 1;
    }
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
