import { PreconditionFailedError } from './errors.js';
import type { GcPlanStore } from './gc-plan-store.js';
import type { JsonValue, Key } from './json.js';
import type { ActiveLease } from './lease-store.js';
import type { Manifest } from './manifest.js';
import type { ManifestParts } from './manifest-parts.js';
import { foldIntoMap, sortedEntries } from './read-path.js';
import { newBackoff, retryTransient, rules, skewMarginMs, sleepOrThrow } from './runtime.js';
import { loadSnapshot, type Snapshot } from './snapshot.js';
import {
  type CheckpointMeta,
  EMPTY_GC_PLAN,
  encodeCheckpointPayload,
  type GcPlan,
  type HeadDoc,
  segmentRange,
} from './wire.js';

export interface PublishedCheckpoint {
  readonly checkpointId: string;
  /** HEAD's ETag after publishing the checkpoint. */
  readonly headTag: string;
}

interface ListedCheckpoint {
  readonly id: string;
  readonly meta: CheckpointMeta;
}

/** Which checkpoints retention keeps: the newest, the floor (newest at or below the watermark), the last N. */
interface RetentionState {
  readonly entries: readonly ListedCheckpoint[];
  readonly newest: ListedCheckpoint | undefined;
  readonly floor: ListedCheckpoint | undefined;
  readonly keepLast: ReadonlySet<string>;
}

/**
 * Folds history into checkpoints, publishes them in HEAD, and garbage-collects segments and
 * checkpoints (reference §2.10–2.11), with the reference's hazards: concurrent compactors can
 * move HEAD back to an older checkpoint (§6.5), GC can delete what a leased session still needs
 * (§6.4), and the GC plan works once per prefix (§6.6).
 */
export class Compactor<K extends Key = Key, V extends JsonValue = JsonValue> {
  readonly #manifest: Manifest<K, V>;
  readonly #parts: ManifestParts;

  constructor(manifest: Manifest<K, V>) {
    this.#manifest = manifest;
    this.#parts = manifest.parts;
  }

  /** Like `Manifest.snapshot`, but fetches the whole checkpoint (payload included). */
  #snapshot(): Promise<Snapshot> {
    return loadSnapshot(this.#parts, async (id) => (await this.#parts.checkpoints.get(id)).meta.last_segment_seq_at_ckpt);
  }

  /**
   * Fold the current snapshot into `ckpt-<txn>`, write it, then re-read HEAD and CAS the new
   * checkpoint id into it against the *freshly read* tag (never comparing lsns: §6.5).
   * Under `compactorNeverRollsBack`, when that HEAD already names a checkpoint at least as new,
   * nothing is published and HEAD's checkpoint and tag are returned instead. Under
   * `gcKeepsLeasedReads` the fold is leased like a read session, so another compactor's GC
   * keeps what it reads.
   */
  async compactOnce(): Promise<PublishedCheckpoint> {
    const { rt, leases } = this.#parts;
    const snap = await this.#snapshot();
    if (!rules(rt).gcKeepsLeasedReads) return this.#compactAt(snap);
    const lease = await leases.create(snap.txnId, snap.headTag, rt.retention.leaseTtlMs, snap);
    try {
      return await this.#compactAt(snap);
    } finally {
      await leases.release(lease);
    }
  }

  async #compactAt(snap: Snapshot): Promise<PublishedCheckpoint> {
    const { rt, head, checkpoints } = this.#parts;
    const entries = sortedEntries(await foldIntoMap<K, V>(this.#parts, snap));
    const payload = encodeCheckpointPayload(entries);
    const meta: CheckpointMeta = {
      lsn: snap.txnId,
      key_count: entries.length,
      byte_size: payload.byteLength,
      created_at_ms: rt.clock.wallNow(),
      format: 'application/json',
      last_segment_seq_at_ckpt: snap.lastSegmentSeq ?? 0,
    };
    const id = await checkpoints.put(meta, payload);

    const cur = await head.load();
    if (rules(rt).compactorNeverRollsBack && cur !== null && cur.head.checkpoint_id !== null) {
      const headLsn = await this.#checkpointLsn(cur.head.checkpoint_id);
      if (headLsn >= meta.lsn) return { checkpointId: cur.head.checkpoint_id, headTag: cur.tag };
    }
    const next: HeadDoc =
      cur === null
        ? { version: 1, checkpoint_id: id, last_segment_seq: null, last_txn_id: 0 }
        : { ...cur.head, checkpoint_id: id };
    const headTag = await retryTransient(rt, newBackoff(rt), () =>
      head.put(next, cur === null ? { ifNoneMatch: '*' } : { ifMatch: cur.tag }),
    );
    return { checkpointId: id, headTag };
  }

  /**
   * `compactOnce`, then — if HEAD still carries our tag — delete segments the new checkpoint
   * covers when every lease is past its lsn, and apply checkpoint retention.
   */
  async compactAndGc(): Promise<PublishedCheckpoint> {
    const { rt, head, leases, checkpoints, segments } = this.#parts;
    const keepReads = rules(rt).gcKeepsLeasedReads;
    const published = await this.compactOnce();
    const cur = await head.load();
    if (cur !== null && cur.tag !== published.headTag) return published;

    // The grace floor is fixed before the lease listing, so that listing is at least a grace
    // later than any session's HEAD GET that it must see the lease of (see `#graceFloor`).
    const grace = keepReads ? await this.#graceFloor(rt.clock.wallNow()) : undefined;
    const active = await leases.listActive(rt.clock.wallNow());
    const watermark = minLeaseTxn(active);
    const meta = await checkpoints.getMeta(published.checkpointId);
    // fusio: every lease past the lsn; gcKeepsLeasedReads: below every live lease's first read
    // seq, and within the grace floor — this round's checkpoint is deleted from in a later round.
    const upto = grace !== undefined ? Math.min(meta.last_segment_seq_at_ckpt, minReadSeq(active) - 1, grace.seq) : meta.last_segment_seq_at_ckpt;
    if (keepReads ? upto > 0 : watermark > meta.lsn) {
      try {
        await segments.deleteUpto(upto);
      } catch {
        // Ignored, as in the crate.
      }
    }

    const now = rt.clock.wallNow();
    const listed = await this.#listCheckpointsOrEmpty();
    const state = retentionState(listed, watermark, rt.retention.checkpointsKeepLast);
    const leased = keepReads ? leasedCheckpoints(active, listed, cur?.head.checkpoint_id ?? null, grace?.lsn ?? 0) : undefined;
    for (const id of this.#checkpointsToDelete(state, now, leased)) {
      try {
        await checkpoints.delete(id);
      } catch {
        // Ignored, as in the crate.
      }
    }
    return published;
  }

  /** `recoverOrphans` then `compactAndGc`. */
  async runOnce(): Promise<void> {
    await this.#manifest.recoverOrphans();
    await this.compactAndGc();
  }

  /**
   * GC phase 1: compute a plan and install it with `If-None-Match: *`. Returns the plan's tag,
   * or null when there is no HEAD, no live lease, or any plan object already exists — even an
   * empty, reset one (§6.6).
   */
  async gcCompute(plans: GcPlanStore = this.#parts.gcPlan): Promise<string | null> {
    const { rt, head, leases } = this.#parts;
    const { gcPlanRepeatable: repeatable, gcKeepsLeasedReads: keepReads } = rules(rt);
    const delays = newBackoff(rt);
    for (;;) {
      try {
        const cur = await head.load();
        if (cur === null) return null;
        const now = rt.clock.wallNow();
        const active = await leases.listActive(now);
        if (active.length === 0 && !repeatable) return null;
        const watermark = minLeaseTxn(active);
        const listed = await this.#listCheckpointsOrEmpty();
        const state = retentionState(listed, watermark, rt.retention.checkpointsKeepLast);
        let upto =
          state.floor !== undefined && cur.head.last_segment_seq !== null
            ? Math.min(state.floor.meta.last_segment_seq_at_ckpt, cur.head.last_segment_seq)
            : 0;
        if (keepReads) upto = Math.min(upto, minReadSeq(active) - 1);
        // The grace floor is applied when the plan's deletes run (it may have moved by then).
        const leased = keepReads ? leasedCheckpoints(active, listed, cur.head.checkpoint_id, Number.POSITIVE_INFINITY) : undefined;
        const plan: GcPlan = {
          against_head_tag: cur.tag,
          not_before: now + rt.retention.segmentsMinTtlMs,
          delete_segments: upto > 0 ? [segmentRange(1, upto)] : [],
          delete_checkpoints: this.#checkpointsToDelete(state, now, leased),
          make_checkpoints: [],
        };
        try {
          if (repeatable) {
            // An empty (reset) plan, or one overdue by a full segment TTL, is replaced (§6.6).
            const existing = await plans.load();
            if (existing === null) return await plans.put(plan, { ifNoneMatch: '*' });
            const empty = existing.plan.delete_segments.length === 0 && existing.plan.delete_checkpoints.length === 0;
            const overdue = now >= existing.plan.not_before + rt.retention.segmentsMinTtlMs + skewMarginMs(rt);
            if (!empty && !overdue) return null;
            return await plans.put(plan, { ifMatch: existing.tag });
          }
          return await plans.put(plan, { ifNoneMatch: '*' });
        } catch (err) {
          if (err instanceof PreconditionFailedError) return null;
          throw err;
        }
      } catch (err) {
        await sleepOrThrow(rt, delays, err);
      }
    }
  }

  /**
   * GC phase 2: make HEAD reference a checkpoint covering the plan's segments, or reset the plan
   * when HEAD moved, no checkpoint covers it, or the CAS is lost.
   */
  async gcApply(plans: GcPlanStore = this.#parts.gcPlan): Promise<void> {
    const { rt, head, checkpoints } = this.#parts;
    const delays = newBackoff(rt);
    const reset = async (planTag: string) => {
      try {
        await plans.put(EMPTY_GC_PLAN, { ifMatch: planTag });
      } catch {
        // Result ignored, as in the crate.
      }
    };
    for (;;) {
      try {
        const loaded = await plans.load();
        if (loaded === null) return;
        const { plan, tag: planTag } = loaded;
        if (plan.delete_segments.length === 0 && plan.delete_checkpoints.length === 0) return;
        const upto = maxRangeEnd(plan);
        if (upto === 0) return;

        const cur = await head.load();
        if (cur === null || (plan.against_head_tag !== null && cur.tag !== plan.against_head_tag)) {
          await reset(planTag);
          return;
        }
        const listed = await this.#listCheckpointsOrEmpty();
        listed.sort((a, b) => a.meta.last_segment_seq_at_ckpt - b.meta.last_segment_seq_at_ckpt);
        const candidate = listed.find((c) => c.meta.last_segment_seq_at_ckpt >= upto);
        if (candidate === undefined) {
          await reset(planTag);
          return;
        }
        if (cur.head.checkpoint_id !== null) {
          let covered = false;
          try {
            covered = (await checkpoints.get(cur.head.checkpoint_id)).meta.last_segment_seq_at_ckpt >= upto;
          } catch {
            covered = false;
          }
          if (covered) return;
        }
        try {
          await head.put({ ...cur.head, checkpoint_id: candidate.id }, { ifMatch: cur.tag });
        } catch (err) {
          if (err instanceof PreconditionFailedError) {
            await reset(planTag);
            return;
          }
          throw err;
        }
        return;
      } catch (err) {
        await sleepOrThrow(rt, delays, err);
      }
    }
  }

  /**
   * GC phase 3: once `not_before` has passed, delete the planned segments and checkpoints and
   * reset the plan. It re-checks nothing — not HEAD, not whether phase 2 ran (§6.6).
   */
  async gcDeleteAndReset(plans: GcPlanStore = this.#parts.gcPlan): Promise<void> {
    const { rt, segments, checkpoints } = this.#parts;
    const delays = newBackoff(rt);
    let loaded: Awaited<ReturnType<GcPlanStore['load']>>;
    try {
      loaded = await plans.load();
    } catch (err) {
      await sleepOrThrow(rt, delays, err);
      return; // the next pass will try again
    }
    if (loaded === null) return;
    const { plan, tag } = loaded;
    if (plan.delete_segments.length === 0 && plan.delete_checkpoints.length === 0) return;
    if (rt.clock.wallNow() < plan.not_before + skewMarginMs(rt)) return;
    if (rules(rt).gcKeepsLeasedReads) {
      await this.#deleteWhatIsUnread(plan);
    } else {
      if (plan.delete_segments.length > 0) await segments.deleteUpto(maxRangeEnd(plan));
      for (const id of plan.delete_checkpoints) await checkpoints.delete(id);
    }
    try {
      await retryTransient(rt, delays, () => plans.put(EMPTY_GC_PLAN, { ifMatch: tag }));
    } catch (err) {
      if (!(err instanceof PreconditionFailedError)) throw err;
    }
  }

  /**
   * Phase 3's deletes under `gcKeepsLeasedReads`: re-checked against HEAD and the leases live
   * now — no segment at or above a live lease's first read seq or above HEAD's checkpoint, and no
   * checkpoint HEAD or a live lease reads.
   */
  async #deleteWhatIsUnread(plan: GcPlan): Promise<void> {
    const { rt, head, leases, segments, checkpoints } = this.#parts;
    const cur = await head.load();
    if (cur === null) return;
    const headCheckpoint = cur.head.checkpoint_id;
    const grace = await this.#graceFloor(rt.clock.wallNow()); // before the listing, as in compactAndGc
    const active = await leases.listActive(rt.clock.wallNow());
    const headSeq = headCheckpoint === null ? 0 : (await checkpoints.getMeta(headCheckpoint)).last_segment_seq_at_ckpt;
    const upto = Math.min(maxRangeEnd(plan), headSeq, minReadSeq(active) - 1, grace.seq);
    if (upto > 0) await segments.deleteUpto(upto);
    if (plan.delete_checkpoints.length === 0) return;
    const leased = leasedCheckpoints(active, await this.#listCheckpointsOrEmpty(), headCheckpoint, grace.lsn);
    for (const id of plan.delete_checkpoints) if (!leased.has(id)) await checkpoints.delete(id);
  }

  /**
   * §6.4's grace (`gcKeepsLeasedReads`): the newest checkpoint this process saw HEAD name at least
   * `segmentsMinTtlMs` (+ the skew margin) ago — its seq and lsn; zeros when none. What it covers,
   * and every older checkpoint, left HEAD before that, so a session that still reads them read
   * HEAD earlier still, and its lease (PUT right after that GET) is in any listing made now — the
   * window between a session's HEAD GET and its lease that leases alone leave open. Sessions
   * know whether theirs closed within the grace (`WriteSession`'s lease keeper).
   */
  async #graceFloor(nowMs: number): Promise<{ seq: number; lsn: number }> {
    const { rt, head, checkpoints } = this.#parts;
    const cutoff = nowMs - rt.retention.segmentsMinTtlMs - skewMarginMs(rt);
    let best: { id: string; lsn: number } | null = null;
    for (const [id, seenAt] of head.sightings) {
      if (seenAt > cutoff) continue;
      const lsn = await this.#checkpointLsn(id);
      if (best === null || lsn > best.lsn) best = { id, lsn };
    }
    if (best === null) return { seq: 0, lsn: 0 };
    try {
      return { seq: (await checkpoints.meta(best.id, rules(rt).cachesImmutables)).last_segment_seq_at_ckpt, lsn: best.lsn };
    } catch {
      return { seq: 0, lsn: 0 }; // its meta is gone: delete nothing this round
    }
  }

  /** The lsn of a checkpoint HEAD names: from its id (`ckpt-<lsn>`), else from its meta. */
  async #checkpointLsn(id: string): Promise<number> {
    const m = /^ckpt-(\d+)$/.exec(id);
    if (m?.[1] !== undefined) return Number(m[1]);
    return (await this.#parts.checkpoints.getMeta(id)).lsn;
  }

  /** Every checkpoint with its meta; as in the crate, a listing error counts as no checkpoints. */
  async #listCheckpointsOrEmpty(): Promise<ListedCheckpoint[]> {
    try {
      return await this.#parts.checkpoints.list();
    } catch {
      return [];
    }
  }

  /** Retention's victims; `leased` (under `gcKeepsLeasedReads`) are kept too. */
  #checkpointsToDelete(state: RetentionState, nowMs: number, leased?: ReadonlySet<string>): string[] {
    const ttl = this.#parts.rt.retention.checkpointsMinTtlMs + skewMarginMs(this.#parts.rt);
    return state.entries
      .filter(
        (c) =>
          c.id !== state.newest?.id &&
          c.id !== state.floor?.id &&
          !state.keepLast.has(c.id) &&
          !(leased?.has(c.id) ?? false) &&
          Math.max(0, nowMs - c.meta.created_at_ms) >= ttl,
      )
      .map((c) => c.id);
  }
}

/** The lowest leased txn id, or +∞ (the crate's u64::MAX) when nothing is leased. */
function minLeaseTxn(leases: readonly { snapshotTxnId: number }[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (const l of leases) min = Math.min(min, l.snapshotTxnId);
  return min;
}

/**
 * The lowest segment seq a live lease may read (§6.4). A lease that does not record its reads
 * (written by fusio 0.5) may read from seq 1. +∞ with no lease.
 */
function minReadSeq(leases: readonly ActiveLease[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (const l of leases) min = Math.min(min, l.reads?.fromSeq ?? 1);
  return min;
}

/**
 * Checkpoints a live lease or HEAD may read: each lease's recorded checkpoint, HEAD's, every one
 * not older than the grace floor's lsn `graceLsn` (see `#graceFloor`), and — for a lease that
 * records nothing — every checkpoint at or below its txn (one of them is its own).
 */
function leasedCheckpoints(
  leases: readonly ActiveLease[],
  listed: readonly ListedCheckpoint[],
  headCheckpoint: string | null,
  graceLsn: number,
): Set<string> {
  const kept = new Set<string>();
  if (headCheckpoint !== null) kept.add(headCheckpoint);
  for (const c of listed) if (c.meta.lsn >= graceLsn) kept.add(c.id);
  for (const l of leases) {
    if (l.reads === undefined) {
      for (const c of listed) if (c.meta.lsn <= l.snapshotTxnId) kept.add(c.id);
    } else if (l.reads.checkpointId !== null) {
      kept.add(l.reads.checkpointId);
    }
  }
  return kept;
}

function maxRangeEnd(plan: GcPlan): number {
  let max = 0;
  for (const r of plan.delete_segments) max = Math.max(max, r.end);
  return max;
}

function retentionState(
  listed: readonly ListedCheckpoint[],
  watermark: number,
  keepLast: number,
): RetentionState {
  const byLsn = [...listed].sort((a, b) => a.meta.lsn - b.meta.lsn);
  let newest: ListedCheckpoint | undefined;
  let floor: ListedCheckpoint | undefined;
  for (const c of byLsn) {
    if (newest === undefined || newest.meta.lsn < c.meta.lsn) newest = c;
    if (c.meta.lsn <= watermark && (floor === undefined || floor.meta.lsn < c.meta.lsn)) floor = c;
  }
  const keep = new Set(keepLast > 0 ? byLsn.slice(-keepLast).map((c) => c.id) : []);
  return { entries: byLsn, newest, floor, keepLast: keep };
}
