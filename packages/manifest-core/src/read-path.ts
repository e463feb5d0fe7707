/** Snapshot reads shared by sessions and the compactor (reference §2.5). */
import { compareKeys, type JsonValue, type Key } from './json.js';
import type { ManifestParts } from './manifest-parts.js';
import type { Snapshot } from './snapshot.js';
import { decodeCheckpointPayload } from './wire.js';

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
 * in the reference (hazard §6.4).
 */
export async function baseGet<K extends Key, V extends JsonValue>(
  parts: ManifestParts,
  snap: Snapshot,
  key: K,
): Promise<V | undefined> {
  const last = snap.lastSegmentSeq;
  if (last === null) return undefined;
  const start = snap.checkpointSeq === null ? 0 : snap.checkpointSeq + 1;
  const ids: number[] = [];
  let cursor = start;
  for (;;) {
    const batch = await parts.segments.listFrom(cursor, GET_LIST_WINDOW);
    const inWindow = batch.filter((s) => s >= start && s <= last);
    if (inWindow.length === 0) break;
    ids.push(...inWindow);
    cursor = Math.max(...inWindow) + 1;
    if (cursor > last) break;
  }
  ids.sort((a, b) => b - a);
  for (const seq of ids) {
    const seg = await parts.segments.get<K, V>(seq);
    if (seg.txn_id > snap.txnId) continue;
    for (let i = seg.records.length - 1; i >= 0; i--) {
      const r = seg.records[i];
      if (r === undefined || r.key !== key) continue;
      return r.op === 'Put' ? r.value : undefined;
    }
  }
  if (snap.checkpointId !== null) {
    const { payload } = await parts.checkpoints.get(snap.checkpointId);
    const entries = decodeCheckpointPayload<K, V>(payload);
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i];
      if (e !== undefined && e[0] === key) return e[1];
    }
  }
  return undefined;
}

/**
 * `fold_into_map` / the compactor's `fold_until`: the checkpoint, then segments in order up to
 * the snapshot, in windows of 256. A `Put` without a value is a no-op; a `Del` removes.
 */
export async function foldIntoMap<K extends Key, V extends JsonValue>(
  parts: ManifestParts,
  snap: Snapshot,
): Promise<Map<K, V>> {
  const map = new Map<K, V>();
  if (snap.checkpointId !== null) {
    const { payload } = await parts.checkpoints.get(snap.checkpointId);
    for (const [k, v] of decodeCheckpointPayload<K, V>(payload)) map.set(k, v);
  }
  const last = snap.lastSegmentSeq;
  if (last === null) return map;
  let cursor = snap.checkpointSeq === null ? 0 : snap.checkpointSeq + 1;
  for (;;) {
    const ids = await parts.segments.listFrom(cursor, FOLD_LIST_WINDOW);
    if (ids.length === 0) return map;
    for (const seq of ids) {
      if (seq > last) return map;
      if (seq < cursor) continue;
      const seg = await parts.segments.get<K, V>(seq);
      if (seg.txn_id > snap.txnId) return map;
      for (const r of seg.records) {
        if (r.op === 'Del') map.delete(r.key);
        else if (r.value !== undefined) map.set(r.key, r.value);
      }
      cursor = seq + 1;
    }
  }
}

/** Entries sorted by key (the crate leaves scan order unspecified; we make it deterministic). */
export function sortedEntries<K extends Key, V>(map: ReadonlyMap<K, V>, range?: KeyRange<K>): [K, V][] {
  const out: [K, V][] = [];
  for (const [k, v] of map) if (range === undefined || inRange(k, range)) out.push([k, v]);
  return out.sort((a, b) => compareKeys(a[0], b[0]));
}
