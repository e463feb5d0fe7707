import type { JsonValue } from '../json.js';
import type { Manifest } from '../manifest.js';
import type { CommitResult } from '../session.js';

/** One write transaction that puts every entry of `entries` (string keys) and commits. */
export async function commitEntries<V extends JsonValue>(
  manifest: Manifest<string, V>,
  entries: Readonly<Record<string, V>>,
): Promise<CommitResult> {
  const w = await manifest.sessionWrite();
  for (const [k, v] of Object.entries(entries)) w.put(k, v);
  return w.commit();
}
