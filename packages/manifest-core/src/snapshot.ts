import type { ManifestParts } from './manifest-parts.js';

/** A point-in-time view of the manifest: what a session reads. In memory only, as in the crate. */
export interface Snapshot {
  /** HEAD's ETag, or null when there was no HEAD. */
  readonly headTag: string | null;
  /** `last_txn_id`; 0 for an empty manifest. */
  readonly txnId: number;
  readonly lastSegmentSeq: number | null;
  /** The referenced checkpoint's `last_segment_seq_at_ckpt`. */
  readonly checkpointSeq: number | null;
  readonly checkpointId: string | null;
  /**
   * HEAD's `version` as read (absent: no HEAD, or a snapshot built by hand). Lets a `strict`
   * commit rebuild the HEAD it read without reading it again (`commitFromSnapshot`).
   */
  readonly headVersion?: number;
}

export const EMPTY_SNAPSHOT: Snapshot = Object.freeze({
  headTag: null,
  txnId: 0,
  lastSegmentSeq: null,
  checkpointSeq: null,
  checkpointId: null,
});

/**
 * GET HEAD and build the snapshot; `checkpointSeqOf` reads the referenced checkpoint's
 * `last_segment_seq_at_ckpt` — the manifest reads just the meta, the compactor the whole
 * checkpoint (reference §2.1, §2.10).
 */
export async function loadSnapshot(
  parts: ManifestParts,
  checkpointSeqOf: (checkpointId: string) => Promise<number>,
): Promise<Snapshot> {
  const loaded = await parts.head.load();
  if (loaded === null) return EMPTY_SNAPSHOT;
  const { head, tag } = loaded;
  return {
    headTag: tag,
    txnId: head.last_txn_id,
    lastSegmentSeq: head.last_segment_seq,
    checkpointSeq: head.checkpoint_id === null ? null : await checkpointSeqOf(head.checkpoint_id),
    checkpointId: head.checkpoint_id,
    headVersion: head.version,
  };
}
