/**
 * The byte format of every object fusio-manifest 0.5 writes (reference §1.2): serde_json's
 * compact output, fields in declaration order, `Option`s as `null` except where serde skips
 * them. u64 fields must stay below 2^53 here; larger stored values are rejected as corrupt
 * rather than rounded.
 */
import { CorruptError } from './errors.js';
import { decodeUtf8, encodeUtf8, isKey, type JsonValue, type Key } from './json.js';

export interface HeadDoc {
  readonly version: number;
  readonly checkpoint_id: string | null;
  readonly last_segment_seq: number | null;
  readonly last_txn_id: number;
}

export type SegmentRecord<K extends Key = Key, V extends JsonValue = JsonValue> =
  | { readonly key: K; readonly op: 'Put'; readonly value?: V }
  | { readonly key: K; readonly op: 'Del' };

export interface SegmentDoc<K extends Key = Key, V extends JsonValue = JsonValue> {
  readonly txn_id: number;
  readonly records: readonly SegmentRecord<K, V>[];
  /**
   * Not in the crate (written under `verifiedCommitOutcome`, profile `strict`): who wrote the
   * segment — the writer's lease id and a nonce from its seeded random — as two extra fields
   * after `records`. serde ignores unknown fields, so fusio 0.5 still reads the segment.
   */
  readonly writer?: SegmentWriter;
}

/** The writer stamp of a `strict` segment (`writer_lease`, `writer_nonce` on the wire). */
export interface SegmentWriter {
  readonly lease: string;
  readonly nonce: string;
}

export interface CheckpointMeta {
  readonly lsn: number;
  readonly key_count: number;
  readonly byte_size: number;
  readonly created_at_ms: number;
  readonly format: string;
  readonly last_segment_seq_at_ckpt: number;
}

export interface LeaseDoc {
  readonly id: string;
  readonly snapshot_txn_id: number;
  readonly expires_at_ms: number;
  readonly head_tag?: string;
  /**
   * Not in the crate (written under `gcKeepsLeasedReads`, profile `strict`): what the leased
   * snapshot reads — the checkpoint it folds from (null: none) and the lowest segment seq it may
   * read (`checkpoint_seq + 1`, or 1). serde ignores unknown fields, so fusio 0.5 still reads the
   * lease (and drops the two fields if it heartbeats it). Both present or both absent.
   */
  readonly reads?: { readonly checkpoint_id: string | null; readonly from_seq: number };
}

export interface SegmentRange {
  readonly start: number;
  readonly end: number;
}

export interface GcPlan {
  readonly against_head_tag: string | null;
  readonly not_before: number;
  readonly delete_segments: readonly SegmentRange[];
  readonly delete_checkpoints: readonly string[];
  readonly make_checkpoints: readonly { readonly name: string; readonly upto_lsn: number }[];
}

export const EMPTY_GC_PLAN: GcPlan = Object.freeze({
  against_head_tag: null,
  not_before: 0,
  delete_segments: [],
  delete_checkpoints: [],
  make_checkpoints: [],
});

/** `SegmentRange::new` swaps its bounds so that start <= end. */
export function segmentRange(a: number, b: number): SegmentRange {
  return a <= b ? { start: a, end: b } : { start: b, end: a };
}

// ---- encoding: objects are built field by field so the byte order matches serde's ----

function encode(value: unknown, what: string): Uint8Array {
  checkU64s(value, what);
  return encodeUtf8(JSON.stringify(value));
}

export function encodeHead(h: HeadDoc): Uint8Array {
  return encode(
    {
      version: h.version,
      checkpoint_id: h.checkpoint_id,
      last_segment_seq: h.last_segment_seq,
      last_txn_id: h.last_txn_id,
    },
    'HEAD',
  );
}

export function encodeSegment<K extends Key, V extends JsonValue>(s: SegmentDoc<K, V>): Uint8Array {
  const records = s.records.map((r) =>
    r.op === 'Put' && r.value !== undefined
      ? { key: r.key, op: r.op, value: r.value }
      : { key: r.key, op: r.op },
  );
  checkU64(s.txn_id, 'segment txn_id');
  if (s.writer !== undefined) {
    return encodeUtf8(
      JSON.stringify({ txn_id: s.txn_id, records, writer_lease: s.writer.lease, writer_nonce: s.writer.nonce }),
    );
  }
  return encodeUtf8(JSON.stringify({ txn_id: s.txn_id, records }));
}

export function encodeCheckpointPayload<K extends Key, V extends JsonValue>(
  entries: readonly (readonly [K, V])[],
): Uint8Array {
  return encodeUtf8(JSON.stringify({ entries }));
}

export function encodeCheckpointMeta(m: CheckpointMeta): Uint8Array {
  return encode(
    {
      lsn: m.lsn,
      key_count: m.key_count,
      byte_size: m.byte_size,
      created_at_ms: m.created_at_ms,
      format: m.format,
      last_segment_seq_at_ckpt: m.last_segment_seq_at_ckpt,
    },
    'checkpoint meta',
  );
}

export function encodeLease(l: LeaseDoc): Uint8Array {
  const doc =
    l.head_tag === undefined
      ? { id: l.id, snapshot_txn_id: l.snapshot_txn_id, expires_at_ms: l.expires_at_ms }
      : {
          id: l.id,
          snapshot_txn_id: l.snapshot_txn_id,
          expires_at_ms: l.expires_at_ms,
          head_tag: l.head_tag,
        };
  if (l.reads === undefined) return encode(doc, 'lease');
  return encode(
    { ...doc, read_checkpoint_id: l.reads.checkpoint_id, read_from_seq: l.reads.from_seq },
    'lease',
  );
}

export function encodeGcPlan(p: GcPlan): Uint8Array {
  return encode(
    {
      against_head_tag: p.against_head_tag,
      not_before: p.not_before,
      delete_segments: p.delete_segments.map((r) => ({ start: r.start, end: r.end })),
      delete_checkpoints: [...p.delete_checkpoints],
      make_checkpoints: p.make_checkpoints.map((c) => ({ name: c.name, upto_lsn: c.upto_lsn })),
    },
    'GC plan',
  );
}

// ---- decoding: serde's rules — unknown fields ignored, missing Option fields are null ----

type Obj = Record<string, unknown>;

function parse(bytes: Uint8Array, what: string): Obj {
  let value: unknown;
  try {
    value = JSON.parse(decodeUtf8(bytes));
  } catch (err) {
    throw new CorruptError(`${what} decode: ${(err as Error).message}`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CorruptError(`${what} decode: expected a JSON object`);
  }
  return value as Obj;
}

function u64(o: Obj, field: string, what: string): number {
  const v = o[field];
  if (v === undefined) throw new CorruptError(`${what} decode: missing field \`${field}\``);
  return checkU64(v, `${what} ${field}`);
}

function optU64(o: Obj, field: string, what: string): number | null {
  const v = o[field];
  return v === undefined || v === null ? null : checkU64(v, `${what} ${field}`);
}

function str(o: Obj, field: string, what: string): string {
  const v = o[field];
  if (typeof v !== 'string') throw new CorruptError(`${what} decode: \`${field}\` must be a string`);
  return v;
}

function optStr(o: Obj, field: string, what: string): string | null {
  const v = o[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new CorruptError(`${what} decode: \`${field}\` must be a string`);
  return v;
}

function array(o: Obj, field: string, what: string): unknown[] {
  const v = o[field];
  if (!Array.isArray(v)) throw new CorruptError(`${what} decode: \`${field}\` must be an array`);
  return v;
}

export function checkU64(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new CorruptError(`${what}: expected an unsigned integer, got ${JSON.stringify(v)}`);
  }
  if (!Number.isSafeInteger(v)) {
    throw new CorruptError(
      `${what}: ${v} is at or above 2^53 and cannot be represented exactly; manifest-lab keeps u64 fields below 2^53`,
    );
  }
  return v;
}

function checkU64s(value: unknown, what: string): void {
  if (typeof value !== 'object' || value === null) return;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'number') checkU64(v, `${what} ${k}`);
  }
}

export function decodeHead(bytes: Uint8Array): HeadDoc {
  const o = parse(bytes, 'HEAD');
  const version = u64(o, 'version', 'HEAD');
  if (version > 0xffff_ffff) throw new CorruptError(`HEAD version: ${version} does not fit the crate's u32`);
  return {
    version,
    checkpoint_id: optStr(o, 'checkpoint_id', 'HEAD'),
    last_segment_seq: optU64(o, 'last_segment_seq', 'HEAD'),
    last_txn_id: u64(o, 'last_txn_id', 'HEAD'),
  };
}

function key(v: unknown, what: string): Key {
  if (!isKey(v)) throw new CorruptError(`${what} decode: a key must be a string or a safe integer`);
  return v;
}

export function decodeSegment<K extends Key, V extends JsonValue>(bytes: Uint8Array): SegmentDoc<K, V> {
  const what = 'kv segment';
  const o = parse(bytes, what);
  const records = array(o, 'records', what).map((raw): SegmentRecord<K, V> => {
    if (typeof raw !== 'object' || raw === null) throw new CorruptError(`${what} decode: bad record`);
    const r = raw as Obj;
    const k = key(r.key, what) as K;
    if (r.op === 'Del') return { key: k, op: 'Del' };
    if (r.op !== 'Put') throw new CorruptError(`${what} decode: unknown op ${JSON.stringify(r.op)}`);
    // serde reads `"value": null` into Option::None: a Put without a value.
    return r.value === undefined || r.value === null
      ? { key: k, op: 'Put' }
      : { key: k, op: 'Put', value: r.value as V };
  });
  const lease = optStr(o, 'writer_lease', what);
  const nonce = optStr(o, 'writer_nonce', what);
  if (lease === null || nonce === null) return { txn_id: u64(o, 'txn_id', what), records };
  return { txn_id: u64(o, 'txn_id', what), records, writer: { lease, nonce } };
}

export function decodeCheckpointPayload<K extends Key, V extends JsonValue>(
  bytes: Uint8Array,
): [K, V][] {
  const what = 'ckpt';
  const o = parse(bytes, what);
  return array(o, 'entries', what).map((e) => {
    if (!Array.isArray(e) || e.length !== 2) {
      throw new CorruptError(`${what} decode: an entry must be a [key, value] pair`);
    }
    return [key(e[0], what) as K, e[1] as V];
  });
}

export function decodeCheckpointMeta(bytes: Uint8Array): CheckpointMeta {
  const what = 'ckpt meta';
  const o = parse(bytes, what);
  return {
    lsn: u64(o, 'lsn', what),
    key_count: u64(o, 'key_count', what),
    byte_size: u64(o, 'byte_size', what),
    created_at_ms: u64(o, 'created_at_ms', what),
    format: str(o, 'format', what),
    last_segment_seq_at_ckpt: u64(o, 'last_segment_seq_at_ckpt', what),
  };
}

export function decodeLease(bytes: Uint8Array): LeaseDoc {
  const what = 'lease';
  const o = parse(bytes, what);
  const tag = optStr(o, 'head_tag', what);
  const base = {
    id: str(o, 'id', what),
    snapshot_txn_id: u64(o, 'snapshot_txn_id', what),
    expires_at_ms: u64(o, 'expires_at_ms', what),
  };
  const withTag = tag === null ? base : { ...base, head_tag: tag };
  if (o.read_from_seq === undefined) return withTag;
  return {
    ...withTag,
    reads: { checkpoint_id: optStr(o, 'read_checkpoint_id', what), from_seq: u64(o, 'read_from_seq', what) },
  };
}

export function decodeGcPlan(bytes: Uint8Array): GcPlan {
  // serde without #[serde(default)]: every field must be present (null only for the Option).
  const what = 'gc plan';
  const o = parse(bytes, what);
  if (!('against_head_tag' in o)) throw new CorruptError(`${what} decode: missing field \`against_head_tag\``);
  const objects = (field: string) =>
    array(o, field, what).map((x) => {
      if (typeof x !== 'object' || x === null) throw new CorruptError(`${what} decode: bad ${field}`);
      return x as Obj;
    });
  return {
    against_head_tag: optStr(o, 'against_head_tag', what),
    not_before: u64(o, 'not_before', what),
    delete_segments: objects('delete_segments').map((r) => segmentRange(u64(r, 'start', what), u64(r, 'end', what))),
    delete_checkpoints: array(o, 'delete_checkpoints', what).map((x) => {
      if (typeof x !== 'string') throw new CorruptError(`${what} decode: checkpoint ids are strings`);
      return x;
    }),
    make_checkpoints: objects('make_checkpoints').map((c) => ({
      name: str(c, 'name', what),
      upto_lsn: u64(c, 'upto_lsn', what),
    })),
  };
}
