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
  /**
   * The largest difference between two hosts' wall clocks the manifest tolerates (not in the
   * crate). Under a profile with `skewTolerantExpiry` (`strict`) a lease counts as live until
   * `expires_at_ms + maxClockSkewMs`, and GC plan delays and checkpoint ages get the same
   * margin; `fusio-0.5` ignores it. Keep it well below `leaseTtlMs / 2` (the keeper's interval).
   */
  readonly maxClockSkewMs: number;
  /**
   * The TTL of a write session's lease under a profile with `heartbeatedWriteLeases` (`strict`;
   * not in the crate): the session's keeper renews it every third of it, so a live writer keeps
   * it, and a crashed writer's orphan segment waits about this long for adoption (§6.2) instead of
   * `leaseTtlMs`. `fusio-0.5` ignores it.
   */
  readonly writeLeaseTtlMs: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = Object.freeze({
  checkpointsKeepLast: 2,
  checkpointsMinTtlMs: 60_000,
  segmentsMinTtlMs: 30_000,
  leaseTtlMs: 60_000,
  maxClockSkewMs: 1_000,
  writeLeaseTtlMs: 3_000,
});
