import { CorruptError, NotFoundError } from './errors.js';
import { basename, JSON_CONTENT_TYPE, type Layout } from './layout.js';
import { listAll, type ObjectStore } from './ports/object-store.js';
import { newBackoff, type Runtime, rules, skewMarginMs } from './runtime.js';
import { decodeLease, encodeLease, type LeaseDoc } from './wire.js';

/** A lease this process holds. */
export interface LeaseHandle {
  readonly id: string;
  readonly snapshotTxnId: number;
}

/** What a leased snapshot reads (recorded under `gcKeepsLeasedReads`, §6.4). */
export interface LeasedReads {
  /** The checkpoint the snapshot folds from; null: none. */
  readonly checkpointId: string | null;
  /** The lowest segment seq the snapshot may read: its checkpoint's seq + 1, or 1. */
  readonly fromSeq: number;
}

/** A lease document that has not expired. */
export interface ActiveLease {
  readonly id: string;
  readonly snapshotTxnId: number;
  readonly expiresAtMs: number;
  /** Present when the lease records what it reads (written by the `strict` profile). */
  readonly reads?: LeasedReads;
}

/** The part of a snapshot a lease records under `gcKeepsLeasedReads`. */
export interface LeasedSnapshot {
  readonly checkpointId: string | null;
  readonly checkpointSeq: number | null;
}

/** `P/leases/lease-<wall ms>[-<attempt>].json`: pins a snapshot txn against GC and adoption. */
export class LeaseStore {
  constructor(
    private readonly store: ObjectStore,
    private readonly layout: Layout,
    private readonly rt: Runtime,
  ) {}

  /**
   * Write a new lease with `If-None-Match: *`. As in the crate, every failure — an id
   * collision's 412 included — is wrapped as an I/O error and retried with a fresh id
   * (`lease-<ms>-<attempt>`) until the backoff is exhausted. Under `gcKeepsLeasedReads` a
   * lease given `snap` also records what that snapshot reads (§6.4).
   */
  async create(
    snapshotTxnId: number,
    headTag: string | null,
    ttlMs: number,
    snap?: LeasedSnapshot,
  ): Promise<LeaseHandle> {
    const delays = newBackoff(this.rt);
    const reads =
      snap !== undefined && rules(this.rt).gcKeepsLeasedReads
        ? { reads: { checkpoint_id: snap.checkpointId, from_seq: (snap.checkpointSeq ?? 0) + 1 } }
        : {};
    for (let attempt = 0; ; attempt++) {
      const now = this.rt.clock.wallNow();
      const id = attempt === 0 ? `lease-${now}` : `lease-${now}-${attempt}`;
      const doc: LeaseDoc = {
        id,
        snapshot_txn_id: snapshotTxnId,
        expires_at_ms: now + ttlMs,
        ...(headTag === null ? {} : { head_tag: headTag }),
        ...reads,
      };
      try {
        await this.store.put(this.layout.lease(id), encodeLease(doc), {
          condition: { ifNoneMatch: '*' },
          contentType: JSON_CONTENT_TYPE,
        });
        return { id, snapshotTxnId };
      } catch (err) {
        const next = delays.next();
        if (next.done) throw err;
        await this.rt.clock.sleep(next.value);
      }
    }
  }

  /** GET the doc, push `expires_at_ms` to now+ttl, PUT `If-Match`. No retry. */
  async heartbeat(lease: LeaseHandle, ttlMs: number): Promise<void> {
    const key = this.layout.lease(lease.id);
    const obj = await this.store.get(key);
    if (obj === null) throw new CorruptError('lease missing');
    const doc = decodeLease(obj.body);
    const renewed: LeaseDoc = { ...doc, expires_at_ms: this.rt.clock.wallNow() + ttlMs };
    await this.store.put(key, encodeLease(renewed), {
      condition: { ifMatch: obj.etag },
      contentType: JSON_CONTENT_TYPE,
    });
  }

  /** DELETE; failures are swallowed, as in the crate. */
  async release(lease: LeaseHandle): Promise<void> {
    try {
      await this.store.delete(this.layout.lease(lease.id));
    } catch {
      // The crate's release always returns Ok.
    }
  }

  /**
   * LIST the lease prefix, GET every document, keep those with `expires_at_ms > nowMs` (with
   * `skewTolerantExpiry`: `expires_at_ms + maxClockSkewMs > nowMs`, §6.7). Undecodable docs are
   * skipped; a lease deleted between LIST and GET fails the whole call (§6.8) — unless
   * `leaseListingSkipsVanished`, when it is simply gone.
   */
  async listActive(nowMs: number): Promise<ActiveLease[]> {
    const { leaseListingSkipsVanished } = rules(this.rt);
    const margin = skewMarginMs(this.rt);
    const keys = await listAll(this.store, this.layout.leasesDir);
    const active: ActiveLease[] = [];
    for (const key of keys) {
      const obj = await this.store.get(key);
      if (obj === null) {
        if (leaseListingSkipsVanished) continue;
        throw new NotFoundError(`lease ${basename(key)} vanished between LIST and GET`);
      }
      let doc: LeaseDoc;
      try {
        doc = decodeLease(obj.body);
      } catch {
        continue;
      }
      if (doc.expires_at_ms + margin > nowMs) {
        const lease = { id: doc.id, snapshotTxnId: doc.snapshot_txn_id, expiresAtMs: doc.expires_at_ms };
        active.push(
          doc.reads === undefined
            ? lease
            : { ...lease, reads: { checkpointId: doc.reads.checkpoint_id, fromSeq: doc.reads.from_seq } },
        );
      }
    }
    return active;
  }
}
