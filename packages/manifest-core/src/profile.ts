import { ManifestLabError } from './errors.js';

/**
 * A profile names a set of algorithms over the same object layout. `'fusio-0.5'` reproduces the
 * reference exactly, hazards included. `'strict'` keeps the wire format (objects stay readable
 * by fusio 0.5) and fixes the hazards the lab reproduces, one named rule at a time
 * (`PROFILE_RULES`), so each fix is switched on and tested by itself. `'strict-rebase'` is
 * `'strict'` plus `rebaseOnConflict`: no conflict without a data conflict behind it (§6.3).
 */
export type Profile = 'fusio-0.5' | 'strict' | 'strict-rebase';
export const PROFILES: readonly Profile[] = ['fusio-0.5', 'strict', 'strict-rebase'];
export const DEFAULT_PROFILE: Profile = 'fusio-0.5';

/**
 * What a profile does where fusio 0.5 has a hazard: one flag per fix, named for the hazard of
 * the reference it removes (§ numbers of docs/fusio-manifest-0.5.md). Code reads the rule, not
 * the profile's name.
 */
export interface ProfileRules {
  /** The profile's name, for messages. */
  readonly profile: Profile;
  /**
   * §6.8: `list_active` treats a lease deleted between its LIST and its GET as gone (an ended
   * session), instead of failing the whole call.
   */
  readonly leaseListingSkipsVanished: boolean;
  /**
   * §6.7: a lease counts as live until `expires_at_ms + retention.maxClockSkewMs` wherever
   * liveness decides adoption or GC; a GC plan's `not_before` and a checkpoint's minimum age get
   * the same margin.
   */
  readonly skewTolerantExpiry: boolean;
  /**
   * §6.4: leases record the checkpoint their snapshot reads through (extra lease fields), and GC
   * (inline and three-phase, re-checked at delete time) keeps every segment and checkpoint a live
   * lease may still read, plus HEAD's checkpoint.
   */
  readonly gcKeepsLeasedReads: boolean;
  /**
   * §6.5: a compactor never publishes a checkpoint older than (or as old as) the one HEAD names;
   * it checks the HEAD it CASes against and reports HEAD's checkpoint instead.
   */
  readonly compactorNeverRollsBack: boolean;
  /**
   * §6.6: `gc_compute` replaces an empty (reset) or overdue plan with `If-Match`, and plans even
   * when no lease is live, so GC keeps working after the first plan.
   */
  readonly gcPlanRepeatable: boolean;
  /**
   * §6.9: every session and one-shot read gives its lease back on every exit, error paths
   * included (`commit`'s early returns, a failed `getLatest`/`scanLatest`).
   */
  readonly releaseLeasesOnError: boolean;
  /**
   * §6.1: each segment carries its writer's lease id and a nonce from the run's seeded random
   * (extra JSON fields fusio 0.5 ignores). Once the segment PUT has been attempted, a failure is
   * resolved by re-reading HEAD and segment `next_seq`: `committed` when this writer's segment is
   * published (or is pending at HEAD+1, which the writer then publishes itself),
   * `PreconditionFailed` only when the seq holds another writer's segment, else `AmbiguousError`.
   */
  readonly verifiedCommitOutcome: boolean;
  /**
   * Adoption race (§9.1): recovery lists the leases again after listing segments, and adopts
   * nothing at or past a segment whose writer took its lease after the first listing.
   */
  readonly adoptionRechecksLeases: boolean;
  /**
   * §6.2: a write session heartbeats its lease (keeper every `writeLeaseTtlMs / 3`) with the short
   * `retention.writeLeaseTtlMs`, and recovery protects a segment that names its writer's lease
   * only while *that* lease lives — not while any other session leases the same txn — so a
   * crashed writer blocks the others for about `writeLeaseTtlMs`, not a lease TTL or more.
   */
  readonly heartbeatedWriteLeases: boolean;
  /**
   * §6.3: a write session records the keys it read and the ranges it scanned. When its commit
   * meets a moved HEAD (or its segment seq taken), it reads the segments published since its
   * snapshot; if none wrote a key it read or a key inside a range it scanned, the transaction is
   * re-sequenced on the new HEAD (a new segment at its next seq, a new txn id) and HEAD CASed
   * again — bounded by the backoff budget — instead of failing. Requires `verifiedCommitOutcome`.
   */
  readonly rebaseOnConflict: boolean;
  /**
   * Fewer requests: immutable objects are cached by key — a segment once read inside a
   * snapshot's published range, and a checkpoint's meta and payload (`ckpt-<lsn>` always folds
   * the same state) — so a hit costs no request. A process sees a segment's key hold a second body
   * only if GC deleted it and a paused writer put into the empty slot, which no snapshot that
   * still reads that seq meets while its lease protects it (`gcKeepsLeasedReads`); a session
   * whose lease was stored later than GC's grace after its HEAD GET can (README, "What `strict`
   * still assumes").
   */
  readonly cachesImmutables: boolean;
  /**
   * Fewer requests: reads take the segment seqs from the snapshot (`checkpoint seq + 1 ..
   * last_segment_seq` is contiguous: every commit, adoption and rebase publishes HEAD+1) instead
   * of LISTing them, and a seq missing from that range is a `SnapshotGoneError` — never the silent
   * skip of §6.4. One-shot reads retry it on a fresh snapshot.
   */
  readonly readsHeadRange: boolean;
  /**
   * Fewer requests: a write session does not run orphan recovery up front (a LIST of leases, a GET
   * per lease, HEAD, a LIST of segments). An orphan at HEAD+1 makes the next commit's segment PUT
   * fail with 412 on that seq; that commit runs recovery then, and reports the conflict (or, under
   * `rebaseOnConflict`, rebases onto the adopted HEAD).
   */
  readonly lazyRecovery: boolean;
  /**
   * Fewer requests: a commit's first attempt builds on the HEAD its snapshot read (no second GET
   * of HEAD before the segment PUT — the segment's `If-None-Match` and the HEAD CAS catch any
   * change), and a segment PUT that succeeds goes straight to the HEAD CAS.
   */
  readonly commitFromSnapshot: boolean;
}

/** `strict`: every hazard fix on; `strict-rebase` adds the rebase on a false conflict. */
const STRICT: ProfileRules = {
  profile: 'strict',
  leaseListingSkipsVanished: true,
  skewTolerantExpiry: true,
  gcKeepsLeasedReads: true,
  compactorNeverRollsBack: true,
  gcPlanRepeatable: true,
  releaseLeasesOnError: true,
  verifiedCommitOutcome: true,
  adoptionRechecksLeases: true,
  heartbeatedWriteLeases: true,
  rebaseOnConflict: false,
  cachesImmutables: true,
  readsHeadRange: true,
  lazyRecovery: true,
  commitFromSnapshot: true,
};

/** Every profile's rules; `'fusio-0.5'` has every fix off. */
export const PROFILE_RULES: Readonly<Record<Profile, ProfileRules>> = {
  'fusio-0.5': {
    profile: 'fusio-0.5',
    leaseListingSkipsVanished: false,
    skewTolerantExpiry: false,
    gcKeepsLeasedReads: false,
    compactorNeverRollsBack: false,
    gcPlanRepeatable: false,
    releaseLeasesOnError: false,
    verifiedCommitOutcome: false,
    adoptionRechecksLeases: false,
    heartbeatedWriteLeases: false,
    rebaseOnConflict: false,
    cachesImmutables: false,
    readsHeadRange: false,
    lazyRecovery: false,
    commitFromSnapshot: false,
  },
  strict: STRICT,
  'strict-rebase': { ...STRICT, profile: 'strict-rebase', rebaseOnConflict: true },
};

/** How a retry loop treats an error (the crate's `RetryClass`). */
export type RetryClass = 'durable-conflict' | 'transient' | 'fatal';

/**
 * fusio's `classify_error`: a precondition failure is a durable conflict; corrupt data and
 * unsupported calls are fatal; and — because fusio maps every other storage failure to `Io` —
 * everything else, a 403 or a missing object included, is "transient" (reference §3).
 */
export function classifyError(profile: Profile, err: unknown): RetryClass {
  switch (profile) {
    case 'fusio-0.5':
    case 'strict':
    case 'strict-rebase': {
      if (!(err instanceof ManifestLabError)) return 'transient';
      switch (err.kind) {
        case 'precondition-failed':
          return 'durable-conflict';
        case 'corrupt':
        case 'unimplemented':
        case 'crashed': // a dead process retries nothing
          return 'fatal';
        default:
          return 'transient';
      }
    }
  }
}
