/** Object keys under a manifest prefix, exactly as fusio-manifest 0.5 names them (reference §1.1). */

export const HEAD_FILE = 'HEAD.json';
export const GC_PLAN_FILE = 'gc/GARBAGE';
/** The S3 metadata key (header `x-amz-meta-fusio-txn-id`) carrying a segment's txn id. */
export const TXN_ID_METADATA = 'fusio-txn-id';
export const JSON_CONTENT_TYPE = 'application/json';

/** Trailing slashes are trimmed, as the crate does; an empty prefix means the bucket root. */
export function normalizePrefix(prefix: string): string {
  return prefix.replace(/\/+$/, '');
}

export function join(prefix: string, child: string): string {
  return prefix === '' ? child : `${prefix}/${child}`;
}

export function pad20(n: number): string {
  return String(n).padStart(20, '0');
}

/** The keys of one manifest: what lives where under `prefix`. */
export class Layout {
  readonly prefix: string;
  constructor(prefix: string) {
    this.prefix = normalizePrefix(prefix);
  }

  get head(): string {
    return join(this.prefix, HEAD_FILE);
  }
  get gcPlan(): string {
    return join(this.prefix, GC_PLAN_FILE);
  }
  /** Listing prefixes end in '/' so `P/segments` never matches a sibling like `P/segments2`. */
  get segmentsDir(): string {
    return join(this.prefix, 'segments/');
  }
  get checkpointsDir(): string {
    return join(this.prefix, 'checkpoints/');
  }
  get leasesDir(): string {
    return join(this.prefix, 'leases/');
  }

  segment(seq: number, ext: '.json' | '.bin' = '.json'): string {
    return `${this.segmentsDir}seg-${pad20(seq)}${ext}`;
  }
  checkpointMeta(id: string): string {
    return `${this.checkpointsDir}${id}.meta.json`;
  }
  checkpointPayload(id: string, ext: '.json' | '.bin' = '.json'): string {
    return `${this.checkpointsDir}${id}${ext}`;
  }
  lease(id: string): string {
    return `${this.leasesDir}${id}.json`;
  }
}

export function checkpointId(lsn: number): string {
  return `ckpt-${pad20(lsn)}`;
}

/** The filename part of a key. */
export function basename(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/** `seg-<digits>[.<ext>]` -> seq, as the crate parses it; anything else -> null. */
export function parseSegmentSeq(filename: string): number | null {
  return segmentSeqOfKey(filename, 0);
}

/**
 * The seq of the segment whose filename starts at `from` in `key` (default: after the last '/'),
 * or null. Parses in place: every listing parses every segment key, on every write session.
 */
export function segmentSeqOfKey(key: string, from = key.lastIndexOf('/') + 1): number | null {
  if (!key.startsWith('seg-', from)) return null;
  const start = from + 4;
  let n = 0;
  let i = start;
  for (; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c === 0x2e) break; // '.'
    if (c < 0x30 || c > 0x39) return null;
    n = n * 10 + (c - 0x30);
  }
  return i === start || !Number.isSafeInteger(n) ? null : n;
}
