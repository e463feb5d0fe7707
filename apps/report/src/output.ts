import { constants } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from './user-error.js';

/**
 * A site under construction: every file goes into a fresh temporary directory beside the
 * destination, and `commit` swaps it into place. A build that fails (or is killed) leaves the
 * previous site untouched and at most a `.<name>.tmp-*` directory beside it, never a half-written
 * site.
 */
export class SiteWriter {
  readonly #files: string[] = [];
  private constructor(
    readonly out: string,
    readonly staging: string,
  ) {}

  /** Refuses an `out` that is a file, or the results directory itself or a directory inside it. */
  static async open(out: string, results: string): Promise<SiteWriter> {
    const target = resolve(out);
    const res = resolve(results);
    if (target === res || isInside(target, res) || isInside(res, target)) {
      throw new UserError(
        `--out ${out} overlaps the results directory ${results}; the site is built from those files and replaces --out as a whole. Pass --out a directory outside the results, e.g. --out site.`,
      );
    }
    try {
      if (!(await stat(target)).isDirectory()) {
        throw new UserError(`--out ${out} is a file, not a directory; pass --out a directory (it is created or replaced as a whole), or move the file away.`);
      }
    } catch (err) {
      if (err instanceof UserError) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserError(`--out ${out} cannot be used (${(err as NodeJS.ErrnoException).code}); pass --out a directory you can write to.`);
    }
    const parent = dirname(target);
    try {
      await mkdir(parent, { recursive: true });
      const staging = await mkdtemp(join(parent, `.${basename(target)}.tmp-`));
      // mkdtemp makes it private (0700); a site is for a web server running as another user.
      await chmod(staging, 0o755);
      return new SiteWriter(target, staging);
    } catch (err) {
      throw new UserError(`--out ${out} cannot be created in ${parent} (${(err as NodeJS.ErrnoException).code ?? String(err)}); pass --out a directory you can write to.`);
    }
  }

  /** Site-relative paths written so far, in order. */
  get files(): readonly string[] {
    return this.#files;
  }

  async write(path: string, data: string): Promise<void> {
    const file = this.#place(path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, data);
  }

  /** Copy a results file into the site (a copy-on-write clone where the file system has them). */
  async copy(from: string, path: string): Promise<void> {
    const file = this.#place(path);
    await mkdir(dirname(file), { recursive: true });
    await copyFile(from, file, constants.COPYFILE_FICLONE);
  }

  /**
   * Move the finished site into place. An existing site is first renamed aside, then removed,
   * so at every moment `out` is either the old complete site or the new one (or, for the instant
   * between the two renames, absent).
   */
  async commit(): Promise<void> {
    const old = `${this.staging}-old`;
    let hadOld = true;
    try {
      await rename(this.out, old);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      hadOld = false;
    }
    try {
      await rename(this.staging, this.out);
    } catch (err) {
      if (hadOld) await rename(old, this.out);
      throw err;
    }
    if (hadOld) await rm(old, { recursive: true, force: true });
  }

  /** Throw the unfinished site away. */
  async abort(): Promise<void> {
    await rm(this.staging, { recursive: true, force: true });
  }

  #place(path: string): string {
    const file = resolve(this.staging, path);
    if (!isInside(file, this.staging)) throw new Error(`site path ${path} escapes the site`);
    this.#files.push(path);
    return file;
  }
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
