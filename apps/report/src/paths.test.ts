import { describe, expect, it } from 'vitest';
import { href, rootOf, slug, slugPath } from './paths.js';
import { comparePage, configPage, runBase, sweepPage } from './site-paths.js';

describe('site paths', () => {
  it('keeps safe names and sanitises the rest, keeping them distinct', () => {
    expect(slug('000-1f517cd0')).toBe('000-1f517cd0');
    expect(slug('r000')).toBe('r000');
    for (const bad of ['..', '.', '<script>', 'a b', 'a/b', 'é', '?x#y', '%2e%2e', '']) {
      expect(slug(bad)).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/);
    }
    expect(slug('a b')).not.toBe(slug('a_b'));
    expect(slug('a?b')).not.toBe(slug('a#b'));
  });

  it('maps a results directory to slugs, never escaping the site', () => {
    expect(slugPath('chaos/latency-100')).toBe('chaos/latency-100');
    expect(slugPath('../../etc')).not.toContain('..');
    expect(slugPath('')).toBe('');
  });

  it('links pages by relative hrefs that resolve to the target under any base URL', () => {
    const pages = [sweepPage('comprehensive'), configPage('comprehensive', '000-abc'), sweepPage('chaos/latency-100'), comparePage('a', 'b'), 'index.html'];
    for (const from of pages) {
      for (const to of [...pages, `${runBase('comprehensive', '000-abc', 'r000')}/history.jsonl`]) {
        const h = href(from, to);
        expect(h).not.toMatch(/^(\/|[a-z]+:)/i);
        // Resolving from a GitHub Pages sub-path lands on the target.
        const base = new URL(from, 'https://example.github.io/repo/');
        expect(new URL(h, base).href).toBe(new URL(to, 'https://example.github.io/repo/').href);
      }
    }
  });

  it('reaches the root from any depth', () => {
    expect(rootOf('index.html')).toBe('');
    expect(rootOf('sweeps/x/index.html')).toBe('../../');
  });
});
