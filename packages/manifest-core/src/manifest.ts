import { type BackoffPolicy, DEFAULT_BACKOFF } from './backoff.js';
import { RealClock } from './clock/real-clock.js';
import { Compactor } from './compactor.js';
import { PreconditionFailedError } from './errors.js';
import type { JsonValue, Key } from './json.js';
import { LeaseKeeper } from './lease-keeper.js';
import type { ActiveLease } from './lease-store.js';
import { ManifestParts } from './manifest-parts.js';
import type { Clock } from './ports/clock.js';
import type { ObjectStore, PutCondition } from './ports/object-store.js';
import type { Random } from './ports/random.js';
import { DEFAULT_PROFILE, PROFILE_RULES, type Profile } from './profile.js';
import { SeededRandom } from './random.js';
import type { KeyRange } from './read-path.js';
import { DEFAULT_RETENTION, type RetentionPolicy } from './retention.js';
import { newBackoff, phase, type Runtime, sleepOrThrow } from './runtime.js';
import { ReadSession, WriteSession } from './session.js';
import { loadSnapshot, type Snapshot } from './snapshot.js';
import type { Tracer } from './tracer.js';
import type { HeadDoc } from './wire.js';

export interface ManifestOptions {
  readonly store: ObjectStore;
  /** Object key prefix; trailing slashes are trimmed. Default: the bucket root. */
  readonly prefix?: string;
  /** Default: `RealClock`. Pass a `VirtualClock` for deterministic simulation. */
  readonly clock?: Clock;
  /** Default: `SeededRandom(0)`. Backoff jitter draws from it. */
  readonly random?: Random;
  readonly retention?: Partial<RetentionPolicy>;
  readonly backoff?: Partial<BackoffPolicy>;
  readonly profile?: Profile;
  /** Reports each session phase (recovery, snapshot, lease, commit steps) as a span. */
  readonly tracer?: Tracer;
  /**
   * Run orphan recovery on 1 in N write sessions (the 1st, the N+1th, …). 1 — the default —
   * is fusio-manifest 0.5: every `sessionWrite` recovers. Larger N saves a LIST (and more)
   * per session, at the price of orphans waiting longer for adoption.
   */
  readonly recoveryEvery?: number;
}

/**
 * A transactional key–value manifest on an object store: the port of fusio-manifest 0.5's
 * `Manifest`. Writers publish by CAS on one HEAD object; readers pin snapshots with leases.
 */
export class Manifest<K extends Key = Key, V extends JsonValue = JsonValue> {
  readonly parts: ManifestParts;
  readonly #recoveryEvery: number;
  #writeSessions = 0;

  constructor(options: ManifestOptions) {
    const every = options.recoveryEvery ?? 1;
    if (!Number.isInteger(every) || every < 1) {
      throw new RangeError(`recoveryEvery must be a whole number of at least 1 (1 = every write session), got ${every}`);
    }
    this.#recoveryEvery = every;
    const rt: Runtime = {
      clock: options.clock ?? new RealClock(),
      random: options.random ?? new SeededRandom(0),
      backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
      retention: { ...DEFAULT_RETENTION, ...options.retention },
      profile: options.profile ?? DEFAULT_PROFILE,
      tracer: options.tracer,
    };
    this.parts = new ManifestParts(options.store, options.prefix ?? '', rt);
  }

  get prefix(): string {
    return this.parts.layout.prefix;
  }

  get runtime(): Runtime {
    return this.parts.rt;
  }

  /** GET HEAD (+ the checkpoint meta it references). No lease is taken. */
  snapshot(): Promise<Snapshot> {
    return loadSnapshot(this.parts, async (id) => (await this.parts.checkpoints.getMeta(id)).last_segment_seq_at_ckpt);
  }

  /**
   * Recover orphans (on 1 in `recoveryEvery` sessions; every one by default), snapshot, and
   * lease txn T+1 for a writer (reference §2.2).
   */
  async sessionWrite(): Promise<WriteSession<K, V>> {
    const rt = this.parts.rt;
    if (this.#writeSessions++ % this.#recoveryEvery === 0) await phase(rt, 'recovery', () => this.recoverOrphans());
    const snap = await phase(rt, 'snapshot', () => this.snapshot());
    if (PROFILE_RULES[rt.profile].heartbeatedWriteLeases) {
      // §6.2: a short write lease that the session's own keeper renews until commit or end.
      const ttl = rt.retention.writeLeaseTtlMs;
      const lease = await phase(rt, 'lease', () => this.parts.leases.create(snap.txnId + 1, snap.headTag, ttl, snap));
      const keeper = new LeaseKeeper(this.parts.leases, lease, ttl, rt.clock, true);
      return new WriteSession<K, V>(this.parts, snap, lease, keeper);
    }
    const lease = await phase(rt, 'lease', () =>
      this.parts.leases.create(snap.txnId + 1, snap.headTag, rt.retention.leaseTtlMs, snap),
    );
    return new WriteSession<K, V>(this.parts, snap, lease);
  }

  /** Snapshot and lease it for reading. Reads never adopt orphans. */
  async sessionRead(): Promise<ReadSession<K, V>> {
    return this.sessionAt(await phase(this.parts.rt, 'snapshot', () => this.snapshot()));
  }

  /** A read session at a given snapshot, leasing its txn id. */
  async sessionAt(snap: Snapshot): Promise<ReadSession<K, V>> {
    const { rt } = this.parts;
    const lease = await phase(rt, 'lease', () => this.parts.leases.create(snap.txnId, snap.headTag, rt.retention.leaseTtlMs, snap));
    return new ReadSession<K, V>(this.parts, snap, lease);
  }

  /**
   * One-shot read. As in the crate, a failed read returns early and leaks its lease (§6.9);
   * with `releaseLeasesOnError` (`strict`) the lease is released on every exit.
   */
  async getLatest(key: K): Promise<V | undefined> {
    const session = await this.sessionAt(await this.snapshot());
    if (PROFILE_RULES[this.parts.rt.profile].releaseLeasesOnError) {
      try {
        return await session.get(key);
      } finally {
        await session.end();
      }
    }
    const value = await session.get(key);
    await session.end();
    return value;
  }

  /** One-shot scan (optionally of a range), sorted by key. Leaks its lease on failure (§6.9) unless `strict`. */
  async scanLatest(range?: KeyRange<K>): Promise<[K, V][]> {
    const session = await this.sessionAt(await this.snapshot());
    if (PROFILE_RULES[this.parts.rt.profile].releaseLeasesOnError) {
      try {
        return range === undefined ? await session.scan() : await session.scanRange(range);
      } finally {
        await session.end();
      }
    }
    const entries = range === undefined ? await session.scan() : await session.scanRange(range);
    await session.end();
    return entries;
  }

  /**
   * Adopt segments written past HEAD by writers that never published them: contiguous seqs
   * whose txn ids continue HEAD's and whose txn no live lease claims (reference §2.7). Returns
   * how many were adopted.
   */
  async recoverOrphans(): Promise<number> {
    const { rt, head, leases, segments } = this.parts;
    const rules = PROFILE_RULES[rt.profile];
    const delays = newBackoff(rt);
    for (;;) {
      let active: Set<number>;
      let listed: ActiveLease[] = [];
      try {
        listed = await leases.listActive(rt.clock.wallNow());
        active = new Set(listed.map((l) => l.snapshotTxnId));
      } catch (err) {
        await sleepOrThrow(rt, delays, err);
        continue;
      }

      const loaded = await head.load();
      const cur: HeadDoc = loaded?.head ?? {
        version: 1,
        checkpoint_id: null,
        last_segment_seq: null,
        last_txn_id: 0,
      };
      const condition: PutCondition = loaded === null ? { ifNoneMatch: '*' } : { ifMatch: loaded.tag };

      let expected = (cur.last_segment_seq ?? 0) + 1;
      let maxSeq = cur.last_segment_seq ?? 0;
      let lastTxn = cur.last_txn_id;
      let adopted = 0;
      /** The adopted seqs and their writers' leases (null: unstamped), for the strict rules. */
      const taken: { seq: number; txn: number; writer: string | null }[] = [];
      probe: for (;;) {
        const ids = await segments.listFrom(expected, 256);
        if (ids.length === 0) break;
        let progressed = false;
        for (const seq of ids) {
          if (seq < expected) continue;
          if (seq > expected) break probe; // a gap
          const txn = await segments.loadTxnId(seq);
          if (rules.heartbeatedWriteLeases || rules.adoptionRechecksLeases) {
            if (txn <= lastTxn || txn !== lastTxn + 1) break probe;
            const writer = await this.#orphanWriter(seq);
            if (writer === undefined || isProtected(txn, writer, listed, rules.heartbeatedWriteLeases)) break probe;
            taken.push({ seq, txn, writer });
          } else if (txn <= lastTxn || txn !== lastTxn + 1 || active.has(txn)) break probe;
          lastTxn = txn;
          maxSeq = seq;
          expected++;
          adopted++;
          progressed = true;
        }
        if (!progressed) break;
      }
      if (adopted > 0 && rules.adoptionRechecksLeases) {
        // The adoption race (§9.1): a writer that took its lease after our lease listing and
        // stored its segment before our segment listing is still committing. Its lease predates
        // its segment, so a listing made now shows it: adopt only below the first such segment.
        let again: ActiveLease[];
        try {
          again = await leases.listActive(rt.clock.wallNow());
        } catch (err) {
          await sleepOrThrow(rt, delays, err);
          continue;
        }
        const keep = taken.findIndex((t) => isProtected(t.txn, t.writer, again, rules.heartbeatedWriteLeases));
        if (keep !== -1) {
          adopted = keep;
          const last = taken[keep - 1];
          maxSeq = last?.seq ?? cur.last_segment_seq ?? 0;
          lastTxn = last?.txn ?? cur.last_txn_id;
        }
      }
      if (adopted === 0) return 0;

      try {
        await head.put(
          {
            version: Math.max(cur.version, 1),
            checkpoint_id: cur.checkpoint_id,
            last_segment_seq: maxSeq,
            last_txn_id: lastTxn,
          },
          condition,
        );
        return adopted;
      } catch (err) {
        if (!(err instanceof PreconditionFailedError)) throw err;
        const next = delays.next();
        if (next.done) throw err;
        await rt.clock.sleep(next.value);
      }
    }
  }

  /**
   * The lease named by orphan `seq`'s writer stamp (null: an unstamped segment), or undefined
   * when the segment is gone (then nothing at or past it is adopted).
   */
  async #orphanWriter(seq: number): Promise<string | null | undefined> {
    const doc = await this.parts.segments.find(seq);
    return doc === null ? undefined : (doc.writer?.lease ?? null);
  }

  /** A compactor over the same store, prefix and runtime. */
  compactor(): Compactor<K, V> {
    return new Compactor<K, V>(this);
  }
}

/**
 * Whether a live lease protects an orphan of txn `txn` from adoption. The crate's rule: any lease
 * on `txn`. With `byWriter` (`heartbeatedWriteLeases`), a stamped segment is protected only by its
 * own writer's lease: other sessions leasing the same txn are writers whose segment PUT must fail
 * on this seq, and waiting for them is what stretches §6.2's stall past the TTL (§9.1).
 */
function isProtected(txn: number, writer: string | null, active: readonly ActiveLease[], byWriter: boolean): boolean {
  if (byWriter && writer !== null) return active.some((l) => l.id === writer);
  return active.some((l) => l.snapshotTxnId === txn);
}
