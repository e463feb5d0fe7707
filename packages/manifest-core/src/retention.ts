/** What the compactor keeps, and for how long leases last (reference §2.12, defaults §3). */
export interface RetentionPolicy {
  /** The newest N checkpoints are always kept. */
  readonly checkpointsKeepLast: number;
  /** A checkpoint younger than this is never deleted. */
  readonly checkpointsMinTtlMs: number;
  /** Only the `not_before` offset of a GC plan. */
  readonly segmentsMinTtlMs: number;
  /** Every session lease's TTL, and twice the keeper's heartbeat interval. */
  readonly leaseTtlMs: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = Object.freeze({
  checkpointsKeepLast: 2,
  checkpointsMinTtlMs: 60_000,
  segmentsMinTtlMs: 30_000,
  leaseTtlMs: 60_000,
});
