import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from './user-error.js';

let tmpCounter = 0;

/**
 * Write `data` to `path` atomically: to a temporary file beside it, then rename. A reader (or
 * a resumed sweep) sees the old file or the whole new one, never a half-written one.
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${process.pid}-${tmpCounter++}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Refuse, before anything runs, an output directory that cannot be written: `path` is a file
 * (or lies under one), or it — or, while it does not exist yet, its nearest existing parent — is
 * not writable. Writability is tested by creating and removing a probe file, which also catches
 * read-only file systems that access(2) passes for root. Creates the directory only with
 * `create`: by default nothing is left behind, so a run refused later for another reason (bad
 * flags, an unreachable bucket) still writes nothing. `flag` names the option in the message.
 */
export async function ensureWritableDir(path: string, flag = '--out', { create = false }: { create?: boolean } = {}): Promise<void> {
  const fix = `pass ${flag} a directory you can write to (it is created if missing)`;
  if (path.trim() === '') throw new UserError(`${flag} is empty; ${fix}.`);
  const parent = (existing: string) => (existing === '.' ? 'the current directory' : existing);
  await checkNearestDirWritable(path, {
    missing: (code) => `${flag} ${path} cannot be used (${code}); ${fix}.`,
    file: (existing) =>
      existing === path
        ? `${flag} ${path} is a file, not a directory; ${fix}, or move the file away.`
        : `${flag} ${path} cannot be created: ${existing} is a file, not a directory; ${fix}.`,
    readOnly: (existing, code) =>
      existing === path
        ? `${flag} ${path} is not writable (${code}); ${fix}, or fix its permissions.`
        : `${flag} ${path} cannot be created: ${parent(existing)} is not writable (${code}); ${fix}, or fix the permissions of ${parent(existing)}.`,
  });
  if (create) await mkdir(path, { recursive: true });
}

/** The messages of `checkNearestDirWritable`'s three refusals. */
interface WritableMessages {
  /** No existing ancestor could be read (`code`: the errno). */
  readonly missing: (code: string) => string;
  /** The nearest existing path is a file. */
  readonly file: (existing: string) => string;
  /** The nearest existing directory refused a probe file. */
  readonly readOnly: (existing: string, code: string) => string;
}

/**
 * Walk from `path` up to the nearest path that exists; refuse it unless it is a directory that
 * takes a new file (tested with a probe file, removed again). Creates nothing else.
 */
async function checkNearestDirWritable(path: string, say: WritableMessages): Promise<void> {
  let existing = path;
  for (;;) {
    let isDir: boolean;
    try {
      isDir = (await stat(existing)).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const parent = dirname(existing);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === existing) throw new UserError(say.missing(code ?? String(err)));
      existing = parent;
      continue;
    }
    if (isDir) break;
    throw new UserError(say.file(existing));
  }
  const probe = join(existing, `.manifest-lab-write-check-${process.pid}-${tmpCounter++}`);
  try {
    await writeFile(probe, '', { flag: 'wx' });
  } catch (err) {
    throw new UserError(say.readOnly(existing, (err as NodeJS.ErrnoException).code ?? String(err)));
  }
  await rm(probe, { force: true });
}

/** Errors of writing a file that are the user's to fix (a path, permissions, a full or read-only disk). */
const WRITE_ERRNOS: Readonly<Record<string, string>> = {
  ENOTDIR: 'a parent of it is a file, not a directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  ENAMETOOLONG: 'the name is too long',
};

/**
 * A failed write of the file `path` named by `flag`, as a one-paragraph UserError (exit 2) when
 * its errno is one the user can fix; any other error is returned unchanged (an internal error).
 */
export function writeFileError(err: unknown, path: string, flag = '--out'): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why = code === undefined ? undefined : WRITE_ERRNOS[code];
  if (why === undefined) return err;
  return new UserError(`${flag} ${path} cannot be written: ${why} (${code}); pass ${flag} a file in a directory you can write to (missing directories are created).`);
}

/**
 * Refuse, before anything runs, a file that cannot be written: `path` is a directory, a parent of
 * it is a file, or the nearest existing parent directory is not writable. Creates nothing.
 */
export async function ensureWritableFile(path: string, flag = '--out'): Promise<void> {
  const fix = `pass ${flag} a file in a directory you can write to (missing directories are created)`;
  if (path.trim() === '') throw new UserError(`${flag} is empty; ${fix}.`);
  const self = await stat(path).catch(() => null);
  if (self?.isDirectory()) throw new UserError(`${flag} ${path} is a directory; name a file to write, e.g. ${flag} ${join(path, 'readiness.md')}.`);
  await checkNearestDirWritable(dirname(path), {
    missing: (code) => `${flag} ${path} cannot be written (${code}); ${fix}.`,
    file: (existing) => `${flag} ${path} cannot be written: ${existing} is a file, not a directory (ENOTDIR); ${fix}.`,
    readOnly: (existing, code) => {
      const where = existing === '.' ? 'the current directory' : existing;
      return `${flag} ${path} cannot be written: ${where} is not writable (${code}); ${fix}, or fix the permissions of ${where}.`;
    },
  });
}
