import { AmbiguousError, PreconditionFailedError, ProcessCrashedError, UnimplementedError } from './errors.js';
import type { LoadedHead } from './head-store.js';
import { type JsonValue, jsonClone, type Key } from './json.js';
import { LeaseKeeper } from './lease-keeper.js';
import type { LeaseHandle } from './lease-store.js';
import type { ManifestParts } from './manifest-parts.js';
import { classifyError, PROFILE_RULES } from './profile.js';
import { baseGet, foldIntoMap, inRange, type KeyRange, sortedEntries } from './read-path.js';
import { recoverOrphans } from './recovery.js';
import { newBackoff, phase, sleepWithinBudget } from './runtime.js';
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
    this.noteRead(key);
    return baseGet<K, V>(this.parts, this.snapshot, key);
  }

  /** Every live key at the snapshot, sorted by key. */
  async scan(): Promise<[K, V][]> {
    this.assertOpen('scan');
    this.noteScan({});
    return sortedEntries(await foldIntoMap<K, V>(this.parts, this.snapshot));
  }

  /** A full scan filtered to `start <= key < end` (nothing is pushed down to storage). */
  async scanRange(range: KeyRange<K>): Promise<[K, V][]> {
    this.assertOpen('scanRange');
    this.noteScan(range);
    return sortedEntries(await foldIntoMap<K, V>(this.parts, this.snapshot), range);
  }

  /** A snapshot read of `key` (the write session's read set; nothing for a read session). */
  protected noteRead(_key: K): void {}

  /** A snapshot scan of `range` (`{}`: everything). */
  protected noteScan(_range: KeyRange<K>): void {}

  /**
   * Renew the lease once (a no-op without one). A session with its own keeper (`strict` write
   * sessions) renews through it — for its short TTL (a longer one would stretch §6.2's stall
   * again), after any renewal of the keeper's in flight (two would race each other's If-Match).
   */
  async heartbeat(): Promise<void> {
    this.assertOpen('heartbeat');
    if (this.keeper !== null) return this.keeper.renew();
    if (this.lease !== null) await this.parts.leases.heartbeat(this.lease, this.parts.rt.retention.leaseTtlMs);
  }

  /**
   * Heartbeat the lease in the background. Shut the keeper down (or `await using` it) when done:
   * as in the crate, ending the session does not stop it.
   */
  startLeaseKeeper(): LeaseKeeper {
    this.assertOpen('startLeaseKeeper');
    if (this.keeper !== null) {
      // Two keepers would race each other's If-Match renewals, and a 412 stops the crate's keeper.
      throw new UnimplementedError('this write session already renews its lease with its own keeper (heartbeatedWriteLeases); do not start another');
    }
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
  /** Keys read at the snapshot (`get`, `getLocal` falling through to it): `rebaseOnConflict`. */
  readonly #readKeys = new Set<K>();
  /** Ranges scanned at the snapshot (`{}` is a full scan). */
  readonly #scanned: KeyRange<K>[] = [];

  protected override noteRead(key: K): void {
    this.#readKeys.add(key);
  }

  protected override noteScan(range: KeyRange<K>): void {
    this.#scanned.push(range);
  }

  /** Whether a write of `key` by another transaction invalidates what this session read. */
  #readsKey(key: K): boolean {
    return this.#readKeys.has(key) || this.#scanned.some((r) => inRange(key, r));
  }

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
    this.noteRead(key);
    return baseGet<K, V>(this.parts, this.snapshot, key);
  }

  /** The snapshot with the staged writes applied, optionally within a range, sorted by key. */
  async scanLocal(range?: KeyRange<K>): Promise<[K, V][]> {
    this.assertOpen('scanLocal');
    this.noteScan(range ?? {});
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
      if (cls === 'transient' && (await sleepWithinBudget(rt, delays, start))) return;
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
      const next = headPublishing(cur, nextSeq, nextTxn);
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
   *
   * With `rebaseOnConflict` (`strict-rebase`, §6.3), the two conflicts that leave nothing of this
   * writer in storage — HEAD moved before the segment PUT, or the seq holds another writer's
   * segment — are checked against the data instead (`#rebaseOnto`): when no segment published
   * since the snapshot wrote a key this session read (or one inside a range it scanned), the
   * transaction moves to the new HEAD's next seq and txn and commits there. A seq held by an
   * unpublished segment is waited for with the runtime's backoff. Our segment only ever exists
   * at the seq we are publishing: a rebase follows a 412 on our seq or precedes our PUT, so there
   * is no stale segment of ours for recovery to adopt.
   */
  async #commitVerified(): Promise<CommitResult> {
    const { rt, head, segments } = this.parts;
    const snap = this.snapshot;
    const rules = PROFILE_RULES[rt.profile];
    const rebase = rules.rebaseOnConflict;
    /** `commitFromSnapshot`: the first pass builds on the HEAD the snapshot read, without a GET. */
    let known: LoadedHead | null | undefined = rules.commitFromSnapshot ? snapshotHead(snap) : undefined;
    let nextTxn = snap.txnId + 1;
    let nextSeq = (snap.lastSegmentSeq ?? 0) + 1;
    let expectedTag = snap.headTag;
    const records = this.#staged;
    this.#staged = [];
    const writer = {
      lease: this.lease?.id ?? '',
      nonce: [rt.random.int(0, 0xffff_ffff), rt.random.int(0, 0xffff_ffff)]
        .map((n) => n.toString(16).padStart(8, '0'))
        .join(''),
    };
    let payload = encodeSegment({ txn_id: nextTxn, records, writer });
    const delays = newBackoff(rt);
    const start = rt.clock.now();
    let segAttempted = false;
    /**
     * Whether a PUT of ours may have stored the segment at `nextSeq`: one answered OK, or failed
     * any way but 412 (which says this request stored nothing). Without it the segment there is
     * not ours, whatever its stamp says: a lease id can be reused once its lease is deleted, and
     * two processes on one seed draw the same nonces.
     */
    let mayHaveLanded = false;
    const putSegment = async (): Promise<void> => {
      try {
        await phase(rt, 'segment_put', () => segments.putNext(nextSeq, nextTxn, payload));
        mayHaveLanded = true;
      } catch (err) {
        if (!(err instanceof PreconditionFailedError)) mayHaveLanded = true;
        throw err;
      }
    };
    let finalPass = false;
    /** `rebaseOnConflict`: seq `nextSeq` holds another writer's segment (published or not). */
    let blocked = false;
    let rebases = 0;
    let waits: Iterator<number, void, void> | null = null;

    /**
     * After a failure: sleep and retry when allowed. Once the segment may exist and the budget is
     * spent (a long stall can spend it in one request), look once more, then give up: ambiguous.
     */
    const retryOrGiveUp = async (err: unknown): Promise<void> => {
      if (err instanceof ProcessCrashedError) throw err;
      if (classifyError(rt.profile, err) !== 'fatal' && (await sleepWithinBudget(rt, delays, start))) return;
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
        /** Whether `cur` was read in this pass (not rebuilt from the snapshot). */
        const fresh = known === undefined;
        if (known !== undefined) {
          cur = known;
          known = undefined;
        } else {
          try {
            cur = await phase(rt, 'head_check', () => head.load());
          } catch (err) {
            await retryOrGiveUp(err);
            continue;
          }
        }
        let verdict: Verdict | null = null;
        if (!segAttempted) {
          const stale = expectedTag === null ? cur !== null : cur === null || cur.tag !== expectedTag;
          if (stale || blocked) {
            if (!rebase) throw new PreconditionFailedError('precondition failed: HEAD moved since the snapshot');
            if (blocked && (cur?.head.last_segment_seq ?? 0) < nextSeq) {
              // Another writer's segment holds our seq, unpublished: adopt it if its writer is
              // gone (`lazyRecovery`), else give it time to publish.
              if (rules.lazyRecovery && (await this.#recover()) > 0) continue;
              waits ??= newBackoff(rt);
              const wait = waits.next();
              if (wait.done) throw new PreconditionFailedError(`precondition failed: segment ${nextSeq} stays unpublished`);
              await rt.clock.sleep(wait.value);
              continue;
            }
            if (++rebases > MAX_REBASES) {
              throw new PreconditionFailedError(`precondition failed: HEAD kept moving (${MAX_REBASES} rebases)`);
            }
            const onto = cur as LoadedHead; // null only when stale with no HEAD: #rebaseOnto throws
            try {
              await this.#rebaseOnto(cur);
            } catch (err) {
              if (err instanceof PreconditionFailedError) throw err;
              rebases--;
              await retryOrGiveUp(err);
              continue;
            }
            nextSeq = (onto.head.last_segment_seq ?? 0) + 1;
            nextTxn = onto.head.last_txn_id + 1;
            expectedTag = onto.tag;
            payload = encodeSegment({ txn_id: nextTxn, records, writer });
            blocked = false;
            finalPass = false;
            mayHaveLanded = false;
          }
          segAttempted = true;
          try {
            await putSegment();
            // Stored at HEAD+1 of the HEAD just read: publish it without looking again.
            if (rules.commitFromSnapshot && continues(cur, nextSeq, nextTxn)) verdict = 'pending';
          } catch (err) {
            if (!(err instanceof PreconditionFailedError)) {
              await retryOrGiveUp(err);
              continue;
            }
            // 412: seq taken — by another writer, or by our own PUT whose answer was lost.
          }
        }
        if (verdict === null) {
          try {
            verdict = await this.#resolve(cur, nextSeq, nextTxn, mayHaveLanded ? writer : null);
          } catch (err) {
            await retryOrGiveUp(err);
            continue;
          }
        }
        if (verdict === 'published') {
          return { txnId: nextTxn, segmentSeq: nextSeq, headTag: (cur as LoadedHead).tag };
        }
        if (verdict === 'taken' && rebase) {
          // Nothing of ours is stored (the seq is another writer's): look again at HEAD.
          blocked = true;
          segAttempted = false;
          continue;
        }
        if (verdict === 'taken') {
          // An unpublished segment in our seq may be an orphan: adopt it now (`lazyRecovery`), so
          // the caller's retry builds on it. `cur` may be the snapshot's HEAD: look at HEAD first,
          // so an ordinary conflict (the seq is published) costs no recovery.
          if (rules.lazyRecovery && (await this.#unpublished(nextSeq, cur, fresh))) await this.#recover();
          throw new PreconditionFailedError(`precondition failed: segment ${nextSeq} holds another writer's txn`);
        }
        if (verdict === 'unknown') {
          throw new AmbiguousError(`commit outcome unknown for txn ${nextTxn}: segment ${nextSeq} cannot be checked`);
        }
        if (verdict === 'absent') {
          // Our PUT did not land (yet): put it again (If-None-Match keeps it at most once).
          try {
            await putSegment();
          } catch (err) {
            await retryOrGiveUp(err);
          }
          continue;
        }
        // 'pending': our segment sits at HEAD+1, unpublished; publish it against the HEAD just read.
        const next = headPublishing(cur, nextSeq, nextTxn);
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

  /** Segments published since the snapshot that `#rebaseOnto` has found free of our reads. */
  #checkedUpTo: number | null = null;

  /**
   * Whether this transaction may move onto HEAD `cur` (`rebaseOnConflict`): throws
   * `PreconditionFailedError` when a segment published since the snapshot wrote a key this
   * session read or scanned, is gone or checkpointed (GC may have deleted it: pessimistic, never
   * wrong), or HEAD went away or behind the snapshot. Segments are immutable, so each is read once per
   * commit however often HEAD moves. Other errors (transient reads) propagate.
   */
  async #rebaseOnto(cur: LoadedHead | null): Promise<void> {
    if (cur === null) throw new PreconditionFailedError('precondition failed: HEAD vanished since the snapshot');
    let checked = this.#checkedUpTo ?? this.snapshot.lastSegmentSeq ?? 0;
    const last = cur.head.last_segment_seq ?? 0;
    if (last < checked || cur.head.last_txn_id < this.snapshot.txnId) {
      throw new PreconditionFailedError('precondition failed: HEAD is behind the snapshot');
    }
    // While our lease is surely live GC keeps every seq past our snapshot's checkpoint. Once it
    // may have lapsed, a seq at or below HEAD's checkpoint may have been deleted and refilled by a
    // paused writer's PUT: its body is not trustworthy, so the conflict stands (never wrong).
    if (!this.#leaseSurelyLive() && checked < (await this.#checkpointSeqOf(cur))) {
      throw new PreconditionFailedError('precondition failed: the segments since the snapshot are checkpointed; cannot rebase');
    }
    const cached = PROFILE_RULES[this.parts.rt.profile].cachesImmutables;
    while (checked < last) {
      const seq = checked + 1;
      const doc = await this.parts.segments.readPublished<K, V>(seq, cached);
      if (doc === null) throw new PreconditionFailedError(`precondition failed: segment ${seq} is gone; cannot rebase`);
      for (const r of doc.records) {
        if (this.#readsKey(r.key)) {
          throw new PreconditionFailedError(
            `precondition failed: txn ${doc.txn_id} (segment ${seq}) wrote ${JSON.stringify(r.key)}, which this transaction read`,
          );
        }
      }
      this.#checkedUpTo = checked = seq;
    }
  }

  /** Whether HEAD has not published seq `seq` yet: from `cur` if `fresh`, else from a new GET. */
  async #unpublished(seq: number, cur: LoadedHead | null, fresh: boolean): Promise<boolean> {
    let head = cur;
    if (!fresh) {
      try {
        head = await this.parts.head.load();
      } catch {
        return false; // the conflict stands either way; recovery can wait for the next one
      }
    }
    return (head?.head.last_segment_seq ?? 0) < seq;
  }

  /** Whether our write lease is surely still in storage, unexpired (see `LeaseKeeper.liveUntil`). */
  #leaseSurelyLive(): boolean {
    return this.keeper !== null && this.parts.rt.clock.now() < this.keeper.liveUntil;
  }

  /** The seq HEAD `cur`'s checkpoint covers (0: none). */
  async #checkpointSeqOf(cur: LoadedHead | null): Promise<number> {
    const id = cur?.head.checkpoint_id ?? null;
    if (id === null) return 0;
    const cached = PROFILE_RULES[this.parts.rt.profile].cachesImmutables;
    return (await this.parts.checkpoints.meta(id, cached)).last_segment_seq_at_ckpt;
  }

  /**
   * `lazyRecovery`: adopt orphans now; how many. Its failures are not this commit's: they count
   * as nothing adopted (a crash still propagates).
   */
  async #recover(): Promise<number> {
    try {
      return await phase(this.parts.rt, 'recovery', () => recoverOrphans(this.parts, this.lease?.id));
    } catch (err) {
      if (err instanceof ProcessCrashedError) throw err;
      return 0;
    }
  }

  /**
   * Where this writer's segment stands, from HEAD `cur` and segment `seq` (see `#commitVerified`).
   * `writer`: our stamp, or null when no PUT of ours can have stored anything at `seq`.
   */
  async #resolve(cur: LoadedHead | null, seq: number, txn: number, writer: { readonly lease: string; readonly nonce: string } | null): Promise<Verdict> {
    const lastSeq = cur?.head.last_segment_seq ?? 0;
    const lastTxn = cur?.head.last_txn_id ?? 0;
    if (lastSeq < seq - 1) return 'unknown'; // HEAD behind our snapshot: not a state commits produce
    const found = await this.parts.segments.find(seq);
    // Lease id and nonce together (live lease ids are unique in the store; nonces of two
    // processes on one seed are not), and only when a PUT of ours may have landed.
    const mine =
      writer !== null && found !== null && found.writer?.lease === writer.lease && found.writer?.nonce === writer.nonce && found.txn_id === txn;
    if (lastSeq >= seq) {
      // HEAD published seq after our segment landed there (adoption), unless GC had emptied the
      // slot — already published and checkpointed — and our PUT refilled it. That takes our lease
      // to have lapsed (it keeps every seq past our snapshot's checkpoint) and a seq at or below
      // HEAD's checkpoint (checkpoints never move back under `strict`).
      if (mine && !this.#leaseSurelyLive() && seq <= (await this.#checkpointSeqOf(cur))) return 'unknown';
      if (mine) return lastTxn >= txn ? 'published' : 'unknown';
      return found === null ? 'unknown' : 'taken'; // null: deleted by GC after a checkpoint
    }
    if (found === null) return 'absent';
    if (!mine) return 'taken';
    return lastTxn === txn - 1 ? 'pending' : 'unknown';
  }
}

/** At most this many re-sequencings per commit (`rebaseOnConflict`); then the conflict stands. */
const MAX_REBASES = 16;

/** The HEAD a snapshot read, rebuilt from it (null: there was none). */
function snapshotHead(snap: Snapshot): LoadedHead | null {
  if (snap.headTag === null) return null;
  return {
    tag: snap.headTag,
    head: { version: snap.headVersion ?? 1, checkpoint_id: snap.checkpointId, last_segment_seq: snap.lastSegmentSeq, last_txn_id: snap.txnId },
  };
}

/** Whether segment `seq` of txn `txn` is the next one on top of HEAD `cur`. */
function continues(cur: LoadedHead | null, seq: number, txn: number): boolean {
  return (cur?.head.last_segment_seq ?? 0) === seq - 1 && (cur?.head.last_txn_id ?? 0) === txn - 1;
}

/** The HEAD that publishes segment `seq` (txn `txn`) on top of `cur`, keeping its checkpoint. */
function headPublishing(cur: LoadedHead | null, seq: number, txn: number): HeadDoc {
  return { version: cur?.head.version ?? 1, checkpoint_id: cur?.head.checkpoint_id ?? null, last_segment_seq: seq, last_txn_id: txn };
}

/** What `#resolve` found: see `WriteSession#commitVerified`. */
type Verdict = 'published' | 'pending' | 'absent' | 'taken' | 'unknown';
