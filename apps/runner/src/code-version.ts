/**
 * A fingerprint of the code that produced a result: a hash of the built JavaScript of every
 * package a run executes. A sweep reuses a finished run only if it was made by the same code,
 * so resuming after a change (or a turbo cache miss) never mixes old results with new ones.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = ['@manifest-lab/manifest-core', '@manifest-lab/workload', '@manifest-lab/verify', '@manifest-lab/chaos'];

let cached: string | undefined;

export function codeVersion(): string {
  if (cached !== undefined) return cached;
  const hash = createHash('sha256');
  // The runner's dist/ whether this module runs from dist/ or (under vitest) from src/: the
  // worker threads always load dist/, and a sweep compares their fingerprint with this one.
  const dirs = [fileURLToPath(new URL('../dist/', import.meta.url)), ...PACKAGES.map((p) => dirname(fileURLToPath(import.meta.resolve(p))))];
  for (const dir of dirs) {
    for (const file of jsFiles(dir)) {
      hash.update(file.slice(dir.length));
      hash.update(readFileSync(file, 'utf8'));
    }
  }
  cached = hash.digest('hex').slice(0, 16);
  return cached;
}

function jsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...jsFiles(p));
    else if (e.name.endsWith('.js')) out.push(p);
  }
  return out;
}
