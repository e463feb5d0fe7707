import { AmbiguousError, PreconditionFailedError, ProcessCrashedError, UnimplementedError } from './errors.js';
import type { LoadedHead } from './head-store.js';
import { type JsonValue, jsonClone, type Key } from './json.js';
import { LeaseKeeper } from './lease-keeper.js';
import type { LeaseHandle } from './lease-store.js';
import type { ManifestParts } from './manifest-parts.js';
import { classifyError, PROFILE_RULES } from './profile.js';
import { baseGet, foldIntoMap, inRange, type KeyRange, sortedEntries } from './read-path.js';
import { newBackoff, phase } from './runtime.js';
import type { Snapshot } from './snapshot.js';
import { encodeSegment, type HeadDoc, type SegmentRecord } from './wire.js';

/** What a successful commit published. */
export interface CommitResult {
  readonly txnId: number;
  readonly segmentSeq: number;
  /** HEAD's ETag after the commit. */
  readonly headTag: string;
}

/**
 * What both session kinds share: snapshot reads, the lease, heartbeats and `end()`. A session
 * is `open` until `end()` or `commit()`; `await using` ends a forgotten one.
 */
abstract class Session<K extends Key, V extends JsonValue> implements AsyncDisposable {
  protected open = true;
  #released = false;

  constructor(
    protected readonly parts: ManifestParts,
    /** The snapshot this session reads. */
    readonly snapshot: Snapshot,
    protected readonly lease: LeaseHandle | null,
    /** The `strict` write session's own keeper (`heartbeatedWriteLeases`); null otherwise. */
    protected readonly keeper: LeaseKeeper | null = null,
  ) {}

  /** The lease pinning this session's snapshot, if any. */
  get leaseId(): string | null {
    return this.lease?.id ?? null;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** The value of `key` at the snapshot, or undefined. */
  get(key: K): Promise<V | undefined> {
    this.assertOpen('get');
    return baseGet<K, V>(this.parts, this.snapshot, key);
  }

  /** Every live key at the snapshot, sorted by key. */
  async scan(): Promise<[K, V][]> {
    this.assertOpen('scan');
    return sortedEntries(await foldIntoMap<K, V>(this.parts, this.snapshot));
  }

  /** A full scan filtered to `start <= key < end` (nothing is pushed down to storage). */
  async scanRange(range: KeyRange<K>): Promise<[K, V][]> {
    this.assertOpen('scanRange');
    return sortedEntries(await foldIntoMap<K, V>(this.parts, this.snapshot), range);
  }

  /** Renew the lease once (a no-op without one). */
  async heartbeat(): Promise<void> {
    this.assertOpen('heartbeat');
    if (this.lease !== null) {
      await this.parts.leases.heartbeat(this.lease, this.parts.rt.retention.leaseTtlMs);
    }
  }

  /**
   * Heartbeat the lease in the background. Shut the keeper down (or `await using` it) when done:
   * as in the crate, ending the session does not stop it.
   */
  startLeaseKeeper(): LeaseKeeper {
    this.assertOpen('startLeaseKeeper');
    const ttl = this.parts.rt.retention.leaseTtlMs;
    if (this.lease === null || ttl <= 0) {
      throw new UnimplementedError('lease keeper requires a pinned session with a positive lease TTL');
    }
    return new LeaseKeeper(this.parts.leases, this.lease, ttl, this.parts.rt.clock);
  }

  /** Release the lease (errors ignored) and close the session. */
  async end(): Promise<void> {
    this.assertOpen('end');
    this.open = false;
    await this.releaseLease();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.open) await this.end();
  }

  protected async releaseLease(): Promise<void> {
    this.keeper?.stop();
    const lease = this.lease;
    if (lease !== null && !this.#released) {
      this.#released = true;
      await phase(this.parts.rt, 'lease_release', () => this.parts.leases.release(lease));
    }
  }

  protected assertOpen(op: string): void {
    if (!this.open) throw new Error(`${op}: the session has already ended or committed`);
  }
}

/** A pinned snapshot for reading (reference §2.5). */
export class ReadSession<K extends Key = Key, V extends JsonValue = JsonValue> extends Session<K, V> {}

/** Reads at a snapshot plus staged writes, published by `commit()` (reference §2.6). */
export class WriteSession<K extends Key = Key, V extends JsonValue = JsonValue> extends Session<K, V> {
  #staged: SegmentRecord<K, V>[] = [];

  /** Stage a put; no I/O. */
  put(key: K, value: V): void {
    this.assertOpen('put');
    this.#staged.push({ key, op: 'Put', value });
  }

  /** Stage a delete; no I/O. */
  delete(key: K): void {
    this.assertOpen('delete');
    this.#staged.push({ key, op: 'Del' });
  }

  /** Operations staged so far, in order. */
  get staged(): readonly SegmentRecord<K, V>[] {
    return this.#staged;
  }

  /** Read through the staged writes (newest first), else at the snapshot. */
  async getLocal(key: K): Promise<V | undefined> {
    this.assertOpen('getLocal');
    for (let i = this.#staged.length - 1; i >= 0; i--) {
      const r = this.#staged[i];
      if (r === undefined || r.key !== key) continue;
      return r.op === 'Put' && r.value !== undefined ? jsonClone(r.value) : undefined;
    }
    return baseGet<K, V>(this.parts, this.snapshot, key);
  }

  /** The snapshot with the staged writes applied, optionally within a range, sorted by key. */
  async scanLocal(range?: KeyRange<K>): Promise<[K, V][]> {
    this.assertOpen('scanLocal');
    const map = await foldIntoMap<K, V>(this.parts, this.snapshot);
    if (range !== undefined) for (const k of map.keys()) if (!inRange(k, range)) map.delete(k);
    for (const r of this.#staged) {
      if (r.op === 'Del') map.delete(r.key);
      else if (r.value !== undefined) map.set(r.key, r.value);
    }
    return sortedEntries(map, range);
  }

  /**
   * Publish the staged writes as segment `Ls+1` carrying txn `T+1`, then CAS HEAD against the
   * snapshot's tag. Any HEAD change since the snapshot — another commit, an orphan adoption, a
   * checkpoint publication — raises `PreconditionFailedError`. Reference §2.6, hazards included:
   * an error loading HEAD returns without releasing the lease (§6.9), and a conflict after the
   * segment landed can leave a visible transaction reported as failed (§6.1).
   */
  async commit(): Promise<CommitResult> {
    this.assertOpen('commit');
    this.open = false;
    if (PROFILE_RULES[this.parts.rt.profile].verifiedCommitOutcome) return this.#commitVerified();
    if (PROFILE_RULES[this.parts.rt.profile].releaseLeasesOnError) {
      try {
        return await this.#commitReference();
      } finally {
        await this.releaseLease(); // §6.9: a no-op when an exit path already released it
      }
    }
    return this.#commitReference();
  }

  async #commitReference(): Promise<CommitResult> {
    const { rt, head, segments } = this.parts;
    const snap = this.snapshot;
    const nextTxn = snap.txnId + 1;
    const nextSeq = (snap.lastSegmentSeq ?? 0) + 1;
    const expectedTag = snap.headTag;
    const records = this.#staged;
    this.#staged = [];
    const payload = encodeSegment({ txn_id: nextTxn, records });
    let segWritten = false;
    const delays = newBackoff(rt);
    const start = rt.clock.now();

    /** Decide what a failed PUT means: throw (after releasing the lease) or retry. */
    const onPutError = async (err: unknown): Promise<void> => {
      const cls = classifyError(rt.profile, err);
      if (cls === 'transient') {
        const elapsed = rt.clock.now() - start;
        if (!(rt.backoff.maxElapsedMs > 0 && elapsed >= rt.backoff.maxElapsedMs)) {
          const next = delays.next();
          if (!next.done) {
            await rt.clock.sleep(next.value);
            return;
          }
        }
      }
      await this.releaseLease();
      throw err;
    };

    for (;;) {
      // An error here propagates without releasing the lease, as in the crate (§6.9).
      const cur = await phase(rt, 'head_check', () => head.load());
      const stale = expectedTag === null ? cur !== null : cur === null || cur.tag !== expectedTag;
      if (stale) {
        await this.releaseLease();
        throw new PreconditionFailedError('precondition failed: HEAD moved since the snapshot');
      }
      if (!segWritten) {
        try {
          await phase(rt, 'segment_put', () => segments.putNext(nextSeq, nextTxn, payload));
          segWritten = true;
        } catch (err) {
          await onPutError(err);
          continue;
        }
      }
      const next: HeadDoc = {
        version: cur?.head.version ?? 1,
        checkpoint_id: cur?.head.checkpoint_id ?? null,
        last_segment_seq: nextSeq,
        last_txn_id: nextTxn,
      };
      let tag: string;
      try {
        tag = await phase(rt, 'head_cas', () =>
          head.put(next, expectedTag === null ? { ifNoneMatch: '*' } : { ifMatch: expectedTag }),
        );
      } catch (err) {
        await onPutError(err);
        continue;
      }
      await this.releaseLease();
      return { txnId: nextTxn, segmentSeq: nextSeq, headTag: tag };
    }
  }

  /**
   * The `strict` commit (`verifiedCommitOutcome`, §6.1). Until the segment PUT is attempted it is
   * the reference's. From then on, any failure — a lost answer, a timeout, a 412 on the segment
   * or on the HEAD CAS — is resolved from storage rather than from HEAD's tag (`#resolve`):
   * committed if this writer's segment is published, published by this writer if it is pending
   * at HEAD+1 (what orphan recovery would do), `PreconditionFailed` only if seq `next_seq` holds
   * another writer's segment, and `AmbiguousError` when it cannot tell (retries exhausted, the
   * segment GC'd). The lease is released on every exit (§6.9).
   */
  async #commitVerified(): Promise<CommitResult> {
    const { rt, head, segments } = this.parts;
    const snap = this.snapshot;
    const nextTxn = snap.txnId + 1;
    const nextSeq = (snap.lastSegmentSeq ?? 0) + 1;
    const records = this.#staged;
    this.#staged = [];
    const writer = {
      lease: this.lease?.id ?? '',
      nonce: [rt.random.int(0, 0xffff_ffff), rt.random.int(0, 0xffff_ffff)]
        .map((n) => n.toString(16).padStart(8, '0'))
        .join(''),
    };
    const payload = encodeSegment({ txn_id: nextTxn, records, writer });
    const delays = newBackoff(rt);
    const start = rt.clock.now();
    let segAttempted = false;
    let finalPass = false;

    /**
     * After a failure: sleep and retry when allowed. Once the segment may exist and the budget is
     * spent (a long stall can spend it in one request), look once more, then give up: ambiguous.
     */
    const retryOrGiveUp = async (err: unknown): Promise<void> => {
      if (err instanceof ProcessCrashedError) throw err;
      if (classifyError(rt.profile, err) !== 'fatal') {
        const elapsed = rt.clock.now() - start;
        if (!(rt.backoff.maxElapsedMs > 0 && elapsed >= rt.backoff.maxElapsedMs)) {
          const next = delays.next();
          if (!next.done) {
            await rt.clock.sleep(next.value);
            return;
          }
        }
      }
      if (!segAttempted) throw err;
      if (!finalPass && !(classifyError(rt.profile, err) === 'fatal')) {
        finalPass = true;
        return;
      }
      throw new AmbiguousError(`commit outcome unknown for txn ${nextTxn}: ${String(err)}`, { cause: err });
    };

    try {
      for (;;) {
        let cur: LoadedHead | null;
        try {
          cur = await phase(rt, 'head_check', () => head.load());
        } catch (err) {
          await retryOrGiveUp(err);
          continue;
        }
        if (!segAttempted) {
          const stale = snap.headTag === null ? cur !== null : cur === null || cur.tag !== snap.headTag;
          if (stale) throw new PreconditionFailedError('precondition failed: HEAD moved since the snapshot');
          segAttempted = true;
          try {
            await phase(rt, 'segment_put', () => segments.putNext(nextSeq, nextTxn, payload));
          } catch (err) {
            if (!(err instanceof PreconditionFailedError)) {
              await retryOrGiveUp(err);
              continue;
            }
            // 412: seq taken — by another writer, or by our own PUT whose answer was lost.
          }
        }
        let verdict: Verdict;
        try {
          verdict = await this.#resolve(cur, nextSeq, nextTxn, writer.nonce);
        } catch (err) {
          await retryOrGiveUp(err);
          continue;
        }
        if (verdict === 'published') {
          return { txnId: nextTxn, segmentSeq: nextSeq, headTag: (cur as LoadedHead).tag };
        }
        if (verdict === 'taken') {
          throw new PreconditionFailedError(`precondition failed: segment ${nextSeq} holds another writer's txn`);
        }
        if (verdict === 'unknown') {
          throw new AmbiguousError(`commit outcome unknown for txn ${nextTxn}: segment ${nextSeq} cannot be checked`);
        }
        if (verdict === 'absent') {
          // Our PUT did not land (yet): put it again (If-None-Match keeps it at most once).
          try {
            await phase(rt, 'segment_put', () => segments.putNext(nextSeq, nextTxn, payload));
          } catch (err) {
            await retryOrGiveUp(err);
          }
          continue;
        }
        // 'pending': our segment sits at HEAD+1, unpublished; publish it against the HEAD just read.
        const next: HeadDoc = {
          version: cur?.head.version ?? 1,
          checkpoint_id: cur?.head.checkpoint_id ?? null,
          last_segment_seq: nextSeq,
          last_txn_id: nextTxn,
        };
        try {
          const tag = await phase(rt, 'head_cas', () =>
            head.put(next, cur === null ? { ifNoneMatch: '*' } : { ifMatch: cur.tag }),
          );
          return { txnId: nextTxn, segmentSeq: nextSeq, headTag: tag };
        } catch (err) {
          await retryOrGiveUp(err);
        }
      }
    } finally {
      await this.releaseLease();
    }
  }

  /** Where this writer's segment stands, from HEAD `cur` and segment `seq` (see `#commitVerified`). */
  async #resolve(cur: LoadedHead | null, seq: number, txn: number, nonce: string): Promise<Verdict> {
    const lastSeq = cur?.head.last_segment_seq ?? 0;
    const lastTxn = cur?.head.last_txn_id ?? 0;
    if (lastSeq < seq - 1) return 'unknown'; // HEAD behind our snapshot: not a state commits produce
    const found = await this.parts.segments.find(seq);
    const mine = found !== null && found.writer?.nonce === nonce && found.txn_id === txn;
    if (lastSeq >= seq) {
      if (mine) return lastTxn >= txn ? 'published' : 'unknown';
      return found === null ? 'unknown' : 'taken'; // null: deleted by GC after a checkpoint
    }
    if (found === null) return 'absent';
    if (!mine) return 'taken';
    return lastTxn === txn - 1 ? 'pending' : 'unknown';
  }
}

/** What `#resolve` found: see `WriteSession#commitVerified`. */
type Verdict = 'published' | 'pending' | 'absent' | 'taken' | 'unknown';
