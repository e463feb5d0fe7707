import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RealClock } from '../clock/real-clock.js';
import { FatalError, PreconditionFailedError } from '../errors.js';
import { compareCodePoints } from '../json.js';
import type { Clock } from '../ports/clock.js';
import {
  type ListOptions,
  type ListPage,
  MAX_LIST_PAGE,
  type ObjectHeadInfo,
  type ObjectStore,
  type PutOptions,
  type RequestCounts,
  type StoredObject,
} from '../ports/object-store.js';
import { md5ETag } from './etag.js';
import { RequestCounter } from './request-counter.js';

export interface FsObjectStoreOptions {
  /** The directory holding the objects (created if missing). */
  readonly dir: string;
  /** Sleeps while waiting for a lock. Default: `RealClock`. */
  readonly clock?: Clock;
}

interface Header {
  readonly etag: string;
  readonly contentType?: string;
  readonly metadata: Record<string, string>;
}

/**
 * A local directory as an object store, safe for several OS processes at once. Each object is
 * one file — a length-prefixed JSON header (ETag = MD5, content type, metadata) then the body —
 * written to a temporary file and renamed into place, so a reader (or a process killed
 * mid-write) never sees a torn object. Writes and deletes of a key hold an exclusive lock file
 * (`O_CREAT|O_EXCL`), which makes compare-and-swap atomic across processes; a lock left by a
 * dead process is broken.
 */
export class FsObjectStore implements ObjectStore {
  readonly dir: string;
  readonly #clock: Clock;
  readonly #counter = new RequestCounter();
  #ready: Promise<void> | undefined;

  constructor(options: FsObjectStoreOptions) {
    this.dir = resolve(options.dir);
    this.#clock = options.clock ?? new RealClock();
  }

  #init(): Promise<void> {
    this.#ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
    return this.#ready;
  }

  #path(key: string): string {
    if (key === '') throw new FatalError('an object key must not be empty');
    return join(this.dir, encodeKey(key));
  }

  async get(key: string): Promise<StoredObject | null> {
    this.#counter.count('GET');
    await this.#init();
    const file = await this.#read(this.#path(key));
    if (file === null) return null;
    return {
      body: file.body,
      etag: file.header.etag,
      metadata: file.header.metadata,
      ...(file.header.contentType === undefined ? {} : { contentType: file.header.contentType }),
    };
  }

  async head(key: string): Promise<ObjectHeadInfo | null> {
    this.#counter.count('HEAD');
    await this.#init();
    const file = await this.#read(this.#path(key));
    if (file === null) return null;
    return {
      etag: file.header.etag,
      size: file.body.byteLength,
      metadata: file.header.metadata,
      ...(file.header.contentType === undefined ? {} : { contentType: file.header.contentType }),
    };
  }

  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<string> {
    const { condition } = options;
    this.#counter.count(condition === undefined ? 'PUT' : 'CPUT');
    await this.#init();
    const path = this.#path(key);
    const header: Header = {
      etag: md5ETag(body),
      metadata: { ...(options.metadata ?? {}) },
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    };
    return this.#locked(key, async () => {
      if (condition !== undefined) {
        const current = await this.#read(path);
        if ('ifNoneMatch' in condition) {
          if (current !== null) throw new PreconditionFailedError(`If-None-Match: * failed for ${key}`);
        } else if (current === null || current.header.etag !== condition.ifMatch) {
          throw new PreconditionFailedError(`If-Match ${condition.ifMatch} failed for ${key}`);
        }
      }
      const headerBytes = new TextEncoder().encode(JSON.stringify(header));
      const file = new Uint8Array(4 + headerBytes.byteLength + body.byteLength);
      new DataView(file.buffer).setUint32(0, headerBytes.byteLength);
      file.set(headerBytes, 4);
      file.set(body, 4 + headerBytes.byteLength);
      // Unique per write (threads share a pid), created exclusively, removed if anything fails.
      const tmp = join(this.dir, `.tmp-${randomUUID()}`);
      try {
        const fh = await open(tmp, 'wx');
        try {
          await fh.writeFile(file);
          await fh.sync();
        } finally {
          await fh.close();
        }
        await rename(tmp, path);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      await this.#syncDir(); // make the rename itself durable
      return header.etag;
    });
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    this.#counter.count('LIST');
    await this.#init();
    const limit = Math.min(Math.max(1, options.limit ?? MAX_LIST_PAGE), MAX_LIST_PAGE);
    const keys: string[] = [];
    for (const name of await readdir(this.dir)) {
      if (name.startsWith('.')) continue;
      const key = decodeKey(name);
      if (key.startsWith(prefix) && (options.startAfter === undefined || compareCodePoints(key, options.startAfter) > 0)) keys.push(key);
    }
    keys.sort(compareCodePoints);
    return { keys: keys.slice(0, limit), truncated: keys.length > limit };
  }

  async delete(key: string): Promise<void> {
    this.#counter.count('DELETE');
    await this.#init();
    const path = this.#path(key);
    await this.#locked(key, () => rm(path, { force: true }));
  }

  requestCounts(): RequestCounts {
    return this.#counter.snapshot();
  }

  resetCounts(): void {
    this.#counter.reset();
  }

  async #read(path: string): Promise<{ header: Header; body: Uint8Array } | null> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const n = bytes.readUInt32BE(0);
    const header = JSON.parse(bytes.subarray(4, 4 + n).toString('utf8')) as Header;
    return { header, body: new Uint8Array(bytes.subarray(4 + n)) };
  }

  async #syncDir(): Promise<void> {
    const d = await open(this.dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }

  /** Run `fn` holding the key's lock file (`.lock-<encoded key>`; dot-files are not objects). */
  async #locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const lock = join(this.dir, `.lock-${encodeKey(key)}`);
    for (let attempt = 0; ; attempt++) {
      let fh: Awaited<ReturnType<typeof open>> | undefined;
      try {
        fh = await open(lock, 'wx');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (attempt % 50 === 49) await breakIfStale(lock);
        await this.#clock.sleep(1 + (attempt % 5));
        continue;
      }
      try {
        await fh.writeFile(String(process.pid));
      } catch (err) {
        await unlink(lock).catch(() => undefined);
        throw err;
      } finally {
        await fh.close();
      }
      break;
    }
    try {
      return await fn();
    } finally {
      await unlink(lock).catch(() => undefined);
    }
  }
}

/**
 * Remove a lock whose owner process no longer exists. Breaking is itself serialised by a
 * second exclusive file, so two waiters cannot both break — the second would otherwise delete
 * the lock the first just took. A break file older than 10 s (its breaker died) is removed.
 */
async function breakIfStale(lock: string): Promise<void> {
  const guard = `${lock}.break`;
  try {
    const fh = await open(guard, 'wx');
    await fh.close();
  } catch {
    const age = await stat(guard).then((st) => st.mtimeMs, () => undefined);
    if (age !== undefined && wallMs() - age > 10_000) await unlink(guard).catch(() => undefined);
    return;
  }
  try {
    const text = await readFile(lock, 'utf8').catch(() => undefined);
    if (text === undefined) return;
    const pid = Number(text);
    if (text === '' || !Number.isInteger(pid) || pid <= 0) {
      // Created but never written: its owner died in between. Stale once it is 10 s old.
      const mtime = await stat(lock).then((st) => st.mtimeMs, () => undefined);
      if (mtime !== undefined && wallMs() - mtime > 10_000) await unlink(lock).catch(() => undefined);
      return;
    }
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') await unlink(lock).catch(() => undefined);
    }
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/** File times are wall-clock; comparing with them needs the wall clock too. */
function wallMs(): number {
  return new RealClock().wallNow();
}

/** Keys become single file names: percent-encoding of '/', '%', '.' and other unsafe bytes. */
export function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/[.!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function decodeKey(name: string): string {
  return decodeURIComponent(name);
}
