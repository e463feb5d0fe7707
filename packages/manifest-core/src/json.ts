/** JSON values, manifest keys, and the comparisons the reference's Rust types imply. */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A manifest key: a string or a safe integer, as in the JSON the Rust crate serialises. Keys
 * compare by value, so `1` and `"1"` are different keys.
 */
export type Key = string | number;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

export function encodeUtf8(text: string): Uint8Array {
  return textEncoder.encode(text);
}

export function decodeUtf8(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}

/**
 * Order strings as Rust (and S3) do: by Unicode code point, i.e. UTF-8 byte order. JavaScript's
 * `<` compares UTF-16 code units, which puts U+10000.. below U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Move surrogates (D800-DFFF) above E000-FFFF, the rest of the BMP keeps its order.
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

/** Key order for scans and ranges: integers numerically, before strings in code-point order. */
export function compareKeys(a: Key, b: Key): number {
  if (typeof a === 'number') {
    return typeof b === 'number' ? a - b : -1;
  }
  return typeof b === 'number' ? 1 : compareCodePoints(a, b);
}

export function isKey(value: unknown): value is Key {
  return typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value));
}

/** A deep copy through JSON, as the reference's `get_local` does (serde round trip). */
export function jsonClone<V extends JsonValue>(value: V): V {
  return JSON.parse(JSON.stringify(value)) as V;
}

/**
 * A deep copy of a parsed JSON value, equal in every observable way to parsing it again: plain
 * objects and arrays, keys in the same order (an own `__proto__` key stays a key). Many times
 * cheaper than a `JSON.stringify`/`JSON.parse` round trip.
 */
export function cloneJson<V extends JsonValue>(value: V): V {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out: JsonValue[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson(value[i] as JsonValue);
    return out as V;
  }
  const out: { [key: string]: JsonValue } = {};
  for (const k of Object.keys(value)) {
    const v = cloneJson((value as { [key: string]: JsonValue })[k] as JsonValue);
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
    else out[k] = v;
  }
  return out as V;
}
