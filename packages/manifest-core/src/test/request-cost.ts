import type { JsonValue, Key } from '../json.js';
import type { Manifest } from '../manifest.js';
import { diffRequestCounts, type RequestCounts } from '../ports/object-store.js';
import type { MemoryObjectStore } from '../stores/memory-object-store.js';

/** The storage requests `op` makes on `store`, by kind. */
export async function requestCost(store: MemoryObjectStore, op: () => Promise<unknown>): Promise<RequestCounts> {
  const before = store.requestCounts();
  await op();
  return diffRequestCounts(store.requestCounts(), before);
}

/** Leave `f` lease files behind (leaked sessions), each in its own millisecond. */
export async function leakLeases<K extends Key, V extends JsonValue>(m: Manifest<K, V>, f: number): Promise<void> {
  for (let i = 0; i < f; i++) {
    await m.parts.leases.create(0, null, 60_000);
    await m.runtime.clock.sleep(1);
  }
}

/** The (F leaked lease files, C checkpoints named by HEAD) cases the write-cost tests cover. */
export const LEASE_AND_CHECKPOINT_CASES = [
  [0, 0],
  [3, 0],
  [0, 1],
  [5, 1],
] as const;
