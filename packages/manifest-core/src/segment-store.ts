import { DecodedCache } from './decoded-cache.js';
import { CorruptError, NotFoundError } from './errors.js';
import type { JsonValue, Key } from './json.js';
import { JSON_CONTENT_TYPE, type Layout, segmentSeqOfKey, TXN_ID_METADATA } from './layout.js';
import { listPages, type ObjectStore } from './ports/object-store.js';
import { decodeSegment, type SegmentDoc } from './wire.js';

/** A segment is stored as `.json`, or (fusio's binary codec) `.bin`: looked up in this order. */
const SEGMENT_EXTS = ['.json', '.bin'] as const;

/** Listed keys whose parsed seq is remembered; the memo starts over beyond this many. */
const SEQ_CACHE_MAX = 65_536;

/** Immutable per-transaction objects `P/segments/seg-<seq:020>.json`. */
export class SegmentStore {
  /** Decoded segments by key, reused while the stored bytes are unchanged (see `read`). */
  readonly decoded = new DecodedCache<SegmentDoc>();
  readonly #seqOfKey = new Map<string, number | null>();

  constructor(
    private readonly store: ObjectStore,
    private readonly layout: Layout,
  ) {}

  /** Create segment `seq` with `If-None-Match: *`; it carries its txn id in metadata. */
  async putNext(seq: number, txnId: number, payload: Uint8Array): Promise<void> {
    await this.store.put(this.layout.segment(seq), payload, {
      condition: { ifNoneMatch: '*' },
      contentType: JSON_CONTENT_TYPE,
      metadata: { [TXN_ID_METADATA]: String(txnId) },
    });
  }

  /** GET and decode segment `seq` (`.json`, then `.bin`); a missing segment is corrupt. */
  async get<K extends Key, V extends JsonValue>(seq: number): Promise<SegmentDoc<K, V>> {
    return decodeSegment<K, V>((await this.#fetch(seq)).obj.body);
  }

  /**
   * `get` with the same requests, but the decoded document is shared and deep-frozen: a body
   * already decoded (same key, ETag and bytes) is not parsed again. For readers that copy out
   * what they return (the read path); immutable segments make most reads hits.
   */
  async read<K extends Key, V extends JsonValue>(seq: number): Promise<SegmentDoc<K, V>> {
    const { key, obj } = await this.#fetch(seq);
    return this.decoded.get(key, obj.etag, obj.body, decodeSegment) as SegmentDoc<K, V>;
  }

  /**
   * `read` of seq `seq` inside a snapshot's published range (`readsHeadRange`): null when neither
   * object exists (GC'd). With `fromCache` (`cachesImmutables`) a segment already decoded under
   * its key is returned with no request: a published seq's body never changes while a snapshot
   * that reads it is leased.
   */
  async readPublished<K extends Key, V extends JsonValue>(seq: number, fromCache: boolean): Promise<SegmentDoc<K, V> | null> {
    if (fromCache) {
      for (const ext of SEGMENT_EXTS) {
        const hit = this.decoded.peek(this.layout.segment(seq, ext));
        if (hit !== undefined) return hit as SegmentDoc<K, V>;
      }
    }
    const found = await this.#lookup(seq);
    return found === null ? null : (this.decoded.get(found.key, found.obj.etag, found.obj.body, decodeSegment) as SegmentDoc<K, V>);
  }

  /** `get`, but null when neither `.json` nor `.bin` exists (for the `strict` commit's checks). */
  async find<K extends Key, V extends JsonValue>(seq: number): Promise<SegmentDoc<K, V> | null> {
    const found = await this.#lookup(seq);
    return found === null ? null : decodeSegment<K, V>(found.obj.body);
  }

  /** GET segment `seq`'s payload, `.json` then `.bin`; a missing segment is corrupt. */
  async #fetch(seq: number) {
    const found = await this.#lookup(seq);
    if (found === null) throw new CorruptError(`segment payload missing object for key ${this.layout.segment(seq, '.bin')}`);
    return found;
  }

  /** GET segment `seq`'s payload, `.json` then `.bin`; null when neither exists. */
  async #lookup(seq: number) {
    for (const ext of SEGMENT_EXTS) {
      const key = this.layout.segment(seq, ext);
      const obj = await this.store.get(key);
      if (obj !== null) return { key, obj };
    }
    return null;
  }

  /**
   * The txn id from a HEAD request's metadata, without reading the payload. As in the crate, a
   * `.json` object that is missing or lacks a valid header sends us to the `.bin` one.
   */
  async loadTxnId(seq: number): Promise<number> {
    let problem = '';
    for (const ext of SEGMENT_EXTS) {
      const key = this.layout.segment(seq, ext);
      const info = await this.store.head(key);
      if (info === null) {
        problem = `segment metadata missing object for key ${key}`;
        continue;
      }
      const raw = info.metadata[TXN_ID_METADATA];
      if (raw === undefined) {
        problem = `segment metadata missing txn header for key ${key}`;
        continue;
      }
      if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
        problem = `segment txn header parse error: ${JSON.stringify(raw)} for key ${key}`;
        continue;
      }
      return Number(raw);
    }
    throw new CorruptError(problem);
  }

  /**
   * Up to `limit` seqs >= `fromSeq`, ascending. Like the crate, the listing starts at the first
   * segment (no start-after) and stops reading pages once `limit` ids are collected.
   */
  async listFrom(fromSeq: number, limit: number): Promise<number[]> {
    const out: number[] = [];
    pages: for await (const page of listPages(this.store, this.layout.segmentsDir)) {
      for (const key of page) {
        const seq = this.#seqOf(key);
        if (seq !== null && seq >= fromSeq) out.push(seq);
        if (out.length >= limit) break pages;
      }
    }
    return out.sort((a, b) => a - b);
  }

  /**
   * `segmentSeqOfKey`, remembered: every listing walks every segment key again, and a key seen
   * before is looked up instead of parsed (cheap when it is the same string object, as the
   * embedded store's listings hand out).
   */
  #seqOf(key: string): number | null {
    let seq = this.#seqOfKey.get(key);
    if (seq === undefined) {
      seq = segmentSeqOfKey(key);
      if (this.#seqOfKey.size >= SEQ_CACHE_MAX) this.#seqOfKey.clear();
      this.#seqOfKey.set(key, seq);
    }
    return seq;
  }

  /** Delete every segment with seq <= `uptoSeq` (a full listing, one DELETE each). */
  async deleteUpto(uptoSeq: number): Promise<void> {
    const doomed: string[] = [];
    for await (const page of listPages(this.store, this.layout.segmentsDir)) {
      for (const key of page) {
        const seq = segmentSeqOfKey(key);
        if (seq !== null && seq <= uptoSeq) doomed.push(key);
      }
    }
    for (const key of doomed) {
      try {
        await this.store.delete(key);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
  }
}
