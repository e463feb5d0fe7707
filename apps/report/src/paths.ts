import { posix } from 'node:path';

/**
 * Site paths are relative, '/'-separated, and made only of URL-safe characters, so every link is
 * a plain relative href that works from a file:// copy or under a GitHub Pages sub-path.
 */

/** FNV-1a, for a short stable suffix that keeps sanitised names distinct. */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** One path segment from a results name: kept when already safe, else sanitised plus a hash. */
export function slug(name: string): string {
  if (/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(name) && name.length <= 80) return name;
  const base = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 60);
  return `${base === '' ? 'x' : base}-${fnv(name)}`;
}

/** A results-relative directory (`chaos/latency-100`) as a site path prefix of slugs. */
export function slugPath(dir: string): string {
  return dir
    .split(/[\\/]+/)
    .filter((s) => s !== '' && s !== '.')
    .map(slug)
    .join('/');
}

/** The href from the page at site path `from` to the site path `to` (both files). */
export function href(from: string, to: string): string {
  const rel = posix.relative(posix.dirname(from), to);
  return rel === '' ? posix.basename(to) : rel;
}

/** From the page at `from`, the prefix that reaches the site root (`` or `../../`). */
export function rootOf(from: string): string {
  const depth = from.split('/').length - 1;
  return '../'.repeat(depth);
}
