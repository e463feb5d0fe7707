import { type BackoffPolicy, DEFAULT_BACKOFF } from './backoff.js';
import { RealClock } from './clock/real-clock.js';
import { Compactor } from './compactor.js';
import { SnapshotGoneError } from './errors.js';
import type { JsonValue, Key } from './json.js';
import { LeaseKeeper } from './lease-keeper.js';
import { ManifestParts } from './manifest-parts.js';
import type { Clock } from './ports/clock.js';
import type { ObjectStore } from './ports/object-store.js';
import type { Random } from './ports/random.js';
import { DEFAULT_PROFILE, PROFILE_RULES, type Profile } from './profile.js';
import { SeededRandom } from './random.js';
import type { KeyRange } from './read-path.js';
import { recoverOrphans } from './recovery.js';
import { DEFAULT_RETENTION, type RetentionPolicy } from './retention.js';
import { newBackoff, phase, type Runtime } from './runtime.js';
import { ReadSession, WriteSession } from './session.js';
import { loadSnapshot, type Snapshot } from './snapshot.js';
import type { Tracer } from './tracer.js';

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
    const retention = { ...DEFAULT_RETENTION, ...options.retention };
    for (const [field, value] of Object.entries(retention)) {
      // An undefined or NaN here would silently turn every lease expiry and GC age check false.
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new RangeError(`retention.${field} must be a finite number of at least 0, got ${String(value)}`);
      }
    }
    const rt: Runtime = {
      clock: options.clock ?? new RealClock(),
      random: options.random ?? new SeededRandom(0),
      backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
      retention,
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
    const cached = PROFILE_RULES[this.parts.rt.profile].cachesImmutables;
    return loadSnapshot(this.parts, async (id) => (await this.parts.checkpoints.meta(id, cached)).last_segment_seq_at_ckpt);
  }

  /**
   * Recover orphans (on 1 in `recoveryEvery` sessions; every one by default), snapshot, and
   * lease txn T+1 for a writer (reference §2.2). Under `lazyRecovery` (`strict`) recovery waits
   * for a commit that meets an orphan instead (`recoveryEvery` does not apply).
   */
  async sessionWrite(): Promise<WriteSession<K, V>> {
    const rt = this.parts.rt;
    const lazy = PROFILE_RULES[rt.profile].lazyRecovery;
    if (!lazy && this.#writeSessions++ % this.#recoveryEvery === 0) await phase(rt, 'recovery', () => this.recoverOrphans());
    const snapshotAtMs = rt.clock.now();
    const snap = await phase(rt, 'snapshot', () => this.snapshot());
    if (PROFILE_RULES[rt.profile].heartbeatedWriteLeases) {
      // §6.2: a short write lease that the session's own keeper renews until commit or end — or
      // for at most a session lease's TTL, for a session nobody ends.
      const ttl = rt.retention.writeLeaseTtlMs;
      const leasedAtMs = rt.clock.now();
      const lease = await phase(rt, 'lease', () => this.parts.leases.create(snap.txnId + 1, snap.headTag, ttl, snap));
      // GC keeps what this snapshot reads only if the lease was stored within GC's grace of the
      // HEAD GET (compactor.ts, `#graceFloor`); past it, the session must not count on its lease.
      const protectedFromSnapshot = rt.clock.now() - snapshotAtMs < rt.retention.segmentsMinTtlMs;
      const keeper = new LeaseKeeper(this.parts.leases, lease, ttl, rt.clock, {
        maxLifetimeMs: rt.retention.leaseTtlMs,
        leasedAtMs: protectedFromSnapshot ? leasedAtMs : Number.NEGATIVE_INFINITY,
      });
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
  getLatest(key: K): Promise<V | undefined> {
    return this.#oneShot((session) => session.get(key));
  }

  /** One-shot scan (optionally of a range), sorted by key. Leaks its lease on failure (§6.9) unless `strict`. */
  scanLatest(range?: KeyRange<K>): Promise<[K, V][]> {
    return this.#oneShot((session) => (range === undefined ? session.scan() : session.scanRange(range)));
  }

  /**
   * A read in its own leased session. Under `readsHeadRange` a snapshot whose objects GC deleted
   * before the lease protected them (`SnapshotGoneError`) is read again on a fresh snapshot,
   * within the backoff.
   */
  async #oneShot<T>(read: (session: ReadSession<K, V>) => Promise<T>): Promise<T> {
    const rules = PROFILE_RULES[this.parts.rt.profile];
    const delays = newBackoff(this.parts.rt);
    for (;;) {
      const session = await this.sessionAt(await this.snapshot());
      if (!rules.releaseLeasesOnError) {
        const out = await read(session);
        await session.end();
        return out;
      }
      try {
        return await read(session);
      } catch (err) {
        if (!(rules.readsHeadRange && err instanceof SnapshotGoneError)) throw err;
        const next = delays.next();
        if (next.done) throw err;
        await this.parts.rt.clock.sleep(next.value);
      } finally {
        await session.end();
      }
    }
  }

  /**
   * Adopt segments written past HEAD by writers that never published them: contiguous seqs
   * whose txn ids continue HEAD's and whose txn no live lease claims (reference §2.7). Returns
   * how many were adopted.
   */
  recoverOrphans(): Promise<number> {
    return recoverOrphans(this.parts);
  }

  /** A compactor over the same store, prefix and runtime. */
  compactor(): Compactor<K, V> {
    return new Compactor<K, V>(this);
  }
}
