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
}

export const EMPTY_SNAPSHOT: Snapshot = Object.freeze({
  headTag: null,
  txnId: 0,
  lastSegmentSeq: null,
  checkpointSeq: null,
  checkpointId: null,
});
