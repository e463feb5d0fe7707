import { describe, expect, it } from 'vitest';
import { sanitizeSvg } from './components.js';
import { escapeHtml, html, page, raw } from './html.js';

const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  'a & b &amp; c',
  '</title><script>x</script>',
  '<!-- comment -->',
  '`backticks`',
];

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml('<a href="x">Tom & Jerry\'s</a>')).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;');
  });

  it.each(HOSTILE)('leaves no markup or attribute break-out in %s', (s) => {
    const out = escapeHtml(s);
    expect(out).not.toMatch(/[<>"']/);
    // Escaping is reversible: nothing was lost or double-escaped.
    const back = out.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&');
    expect(back).toBe(s);
  });

  it('renders null and undefined as empty and numbers as text', () => {
    expect(escapeHtml(undefined)).toBe('');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(0.5)).toBe('0.5');
  });
});

describe('html template', () => {
  it('escapes interpolated strings, arrays of them, but not Safe markup', () => {
    const name = '<script>alert("x")</script>';
    const out = html`<p title="${name}">${name} ${[name, raw('<b>ok</b>')]}</p>`.html;
    expect(out).not.toContain('<script>');
    expect(out).toContain('<b>ok</b>');
    expect(out).toContain('title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"');
  });

  it('drops false, null and undefined', () => {
    expect(html`a${false}${null}${undefined}b`.html).toBe('ab');
  });

  it('builds a page whose title cannot break out of <title>', () => {
    const out = page({ title: '</title><script>evil()</script>', root: '', body: html`<p>x</p>` });
    expect(out).not.toContain('<script>evil');
    expect(out).toContain('&lt;/title&gt;&lt;script&gt;evil()&lt;/script&gt;');
    expect(out.startsWith('<!doctype html>')).toBe(true);
  });

  it('adds the sorting script only to pages with sortable tables', () => {
    expect(page({ title: 't', root: '', body: html`` })).not.toContain('<script>');
    expect(page({ title: 't', root: '', body: html``, sortable: true })).toContain('<script>');
  });
});

describe('sanitizeSvg', () => {
  it('removes scripts, event handlers and javascript: links from chart SVG', () => {
    const svg = '<svg onload="x()"><script>evil()</script><a href="javascript:evil()"><circle r="1" onclick=\'y()\'/></a></svg>';
    const out = sanitizeSvg(svg);
    expect(out).not.toMatch(/script|onload|onclick|javascript:/i);
    expect(out).toContain('<circle r="1"/>');
  });

  it('keeps mark labels of plain groups as data-mark, leaving groups with a role alone', () => {
    const svg = '<svg role="img" aria-label="chart"><g aria-label="dot" fill="red"><circle/></g><g role="group" aria-label="line"></g></svg>';
    expect(sanitizeSvg(svg)).toBe('<svg role="img" aria-label="chart"><g data-mark="dot" fill="red"><circle/></g><g role="group" aria-label="line"></g></svg>');
  });
});
