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
  // The nearest existing path: `path` itself, or the parent it would be created in.
  let existing = path;
  for (;;) {
    let isDir: boolean;
    try {
      isDir = (await stat(existing)).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const parent = dirname(existing);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === existing) {
        throw new UserError(`${flag} ${path} cannot be used (${code ?? String(err)}); ${fix}.`);
      }
      existing = parent;
      continue;
    }
    if (isDir) break;
    throw new UserError(
      existing === path
        ? `${flag} ${path} is a file, not a directory; ${fix}, or move the file away.`
        : `${flag} ${path} cannot be created: ${existing} is a file, not a directory; ${fix}.`,
    );
  }
  const parent = existing === '.' ? 'the current directory' : existing;
  const probe = join(existing, `.manifest-lab-write-check-${process.pid}-${tmpCounter++}`);
  try {
    await writeFile(probe, '', { flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new UserError(
      existing === path
        ? `${flag} ${path} is not writable (${code}); ${fix}, or fix its permissions.`
        : `${flag} ${path} cannot be created: ${parent} is not writable (${code}); ${fix}, or fix the permissions of ${parent}.`,
    );
  }
  await rm(probe, { force: true });
  if (create) await mkdir(path, { recursive: true });
}
