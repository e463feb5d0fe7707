/** Orphan recovery (reference §2.7), shared by `Manifest` and the `lazyRecovery` commit. */
import { CorruptError, PreconditionFailedError } from './errors.js';
import type { ActiveLease } from './lease-store.js';
import type { ManifestParts } from './manifest-parts.js';
import type { PutCondition } from './ports/object-store.js';
import { PROFILE_RULES } from './profile.js';
import { newBackoff, sleepOrThrow } from './runtime.js';
import type { HeadDoc } from './wire.js';

/**
 * Adopt segments written past HEAD by writers that never published them: contiguous seqs whose
 * txn ids continue HEAD's and whose txn no live lease claims. Returns how many were adopted.
 * `exceptLease`: the lease of the committing session that runs it (`lazyRecovery`), which has
 * just found the orphan is not its own — its lease on the same txn must not protect it.
 */
export async function recoverOrphans(parts: ManifestParts, exceptLease?: string): Promise<number> {
  const { rt, head, leases, segments } = parts;
  const rules = PROFILE_RULES[rt.profile];
  const delays = newBackoff(rt);
  for (;;) {
    let active: Set<number>;
    let listed: ActiveLease[] = [];
    try {
      listed = (await leases.listActive(rt.clock.wallNow())).filter((l) => l.id !== exceptLease);
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
          const writer = await orphanWriter(parts, seq);
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
        again = (await leases.listActive(rt.clock.wallNow())).filter((l) => l.id !== exceptLease);
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
 * The lease named by orphan `seq`'s writer stamp (null: an unstamped segment), or undefined when
 * the segment is gone or cannot be decoded (then nothing at or past it is adopted: a segment no
 * reader could decode must not become part of the history).
 */
async function orphanWriter(parts: ManifestParts, seq: number): Promise<string | null | undefined> {
  let doc: Awaited<ReturnType<typeof parts.segments.find>>;
  try {
    doc = await parts.segments.find(seq);
  } catch (err) {
    if (err instanceof CorruptError) return undefined;
    throw err;
  }
  return doc === null ? undefined : (doc.writer?.lease ?? null);
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
