/**
 * The site in a real browser: small real results (generated here by the runner's CLI), built into
 * a site, served from 127.0.0.1 under a sub-path, every page opened in Chromium (installed by
 * scripts/chromium/ensure.sh when missing).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import AxeBuilder from '@axe-core/playwright';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSite } from './site.js';
import { type StaticServer, serveStatic } from './static-server.test-util.js';

const run = promisify(execFile);
const RUNNER = fileURLToPath(new URL('../../runner/bin/manifest-lab.js', import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL('../.screenshots/', import.meta.url));
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** 2 axes × 2 values, 2 replicas, short runs: every page kind with little work. */
const TINY_SWEEP = {
  name: 'tiny',
  seed: 3,
  fixed: { num_writers: 2, num_readers: 2, duration_s: 20 },
  axes: { key_overlap_ratio: [0, 0.5], writer_rate: [0.5, 2] },
  replicas: 2,
};

/** Two profiles side by side, one short run each per overlap: the index's profile sections. */
const PROFILES_SWEEP = {
  name: 'profiles',
  seed: 5,
  fixed: { num_writers: 2, num_readers: 1, duration_s: 20 },
  axes: { profile: ['fusio-0.5', 'strict'], key_overlap_ratio: [0.1, 0.4] },
};

let dir: string;
let site: string;
let pages: string[];
let server: StaticServer | undefined;
let withJs: BrowserContext | undefined;
let withoutJs: BrowserContext | undefined;

async function runner(...args: string[]): Promise<void> {
  await run(process.execPath, [RUNNER, ...args], { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
}

async function launch(userDataDir: string, javaScriptEnabled: boolean): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, { executablePath: inject('chromiumPath'), headless: true, args: ARGS, javaScriptEnabled });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-site-browser-'));
  const results = join(dir, 'results');
  await writeFile(join(dir, 'tiny.json'), JSON.stringify(TINY_SWEEP));
  await writeFile(join(dir, 'profiles.json'), JSON.stringify(PROFILES_SWEEP));
  await Promise.all([
    runner('baseline', '--duration-s', '20', '--num-readers', '2', '--out', join(results, 'baseline')),
    runner('sweep', '--config', join(dir, 'tiny.json'), '--out', join(results, 'tiny'), '--no-progress'),
  ]);
  await Promise.all([
    runner('chaos', '--scenarios', 'latency-100', '--chaos-duration-s', '20', '--min-write-attempts', '0', '--out', join(results, 'chaos')),
    runner('chaos', '--scenarios', 'lost-head-cas', '--hazard-seeds', '2', '--all-profiles', '--out', join(results, 'hazards')),
    runner('sweep', '--config', join(dir, 'profiles.json'), '--out', join(results, 'profiles'), '--no-progress'),
  ]);
  site = join(dir, 'site');
  ({ pages } = await buildSite({ results, out: site }));
  server = await serveStatic(site);
  withJs = await launch(join(dir, 'profile-js'), true);
  withoutJs = await launch(join(dir, 'profile-nojs'), false);
  // This run's screenshots only.
  await rm(SCREENSHOTS, { recursive: true, force: true });
  await mkdir(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await withJs?.close();
  await withoutJs?.close();
  await server?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Open a page, recording console errors and failed or non-OK requests. */
async function open(context: BrowserContext, path: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  const response = await page.goto(new URL(path, server!.url).href, { waitUntil: 'load' });
  expect(response?.status(), path).toBe(200);
  return { page, problems };
}

const kindOf = (path: string): string =>
  path === 'index.html'
    ? 'index'
    : path.startsWith('compare/')
      ? path === 'compare/index.html'
        ? 'compare-index'
        : 'compare'
      : /^sweeps\/.*\/\d{3}-[0-9a-f]{8}\/index\.html$/.test(path)
        ? 'config'
        : (path.split('/')[0] ?? 'page');

/** The first page of each kind. */
function representatives(): Map<string, string> {
  const seen = new Map<string, string>();
  for (const p of pages) if (!seen.has(kindOf(p))) seen.set(kindOf(p), p);
  return seen;
}

describe('the site in Chromium', () => {
  it('has a readiness page, linked from the index, whose every claim row links to the evidence', async () => {
    const { page } = await open(withJs!, 'readiness.html');
    expect(await page.$$eval('a[href="readiness.html"]', (a) => a.length)).toBe(0);
    const rows = await page.$$eval('main table tbody tr', (trs) => trs.map((tr) => tr.querySelectorAll('a[href]').length));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((n) => n > 0)).toBe(true);
    const sections = await page.$$eval('main h2', (hs) => hs.map((h) => h.textContent ?? ''));
    expect(sections.join('|')).toMatch(/envelope.*Retry.*Compaction.*Hazards.*Isolation.*missing/s);
    await page.close();
    const index = await open(withJs!, 'index.html');
    expect(await index.page.$$eval('a[href="readiness.html"]', (a) => a.length)).toBe(1);
    await index.page.close();
  });

  it('shows the profiles side by side and the hazards by profile on the index', async () => {
    const { page, problems } = await open(withJs!, 'index.html');
    /** The rows (cell texts) of the tables between heading `id` and the next heading of its level. */
    const tablesAfter = (id: string) =>
      page.evaluate((from) => {
        const rows: string[][] = [];
        const start = document.getElementById(from);
        const level = Number(start?.tagName.slice(1));
        for (let el = start?.nextElementSibling; el && !(/^H[1-6]$/.test(el.tagName) && Number(el.tagName.slice(1)) <= level); el = el.nextElementSibling) {
          for (const tr of el.matches('table') ? [...el.querySelectorAll('tr')] : [...el.querySelectorAll('table tr')]) {
            rows.push([...tr.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim()));
          }
        }
        return rows;
      }, id);
    const profiles = await tablesAfter('profiles');
    expect(profiles.map((r) => r[0])).toEqual(expect.arrayContaining(['fusio-0.5', 'strict']));
    const hazards = await tablesAfter('hazards-by-profile');
    expect(hazards[0]).toEqual(expect.arrayContaining(['fusio-0.5', 'strict', 'strict-rebase']));
    expect(hazards.find((r) => r[0] === 'lost-head-cas')?.join(' ')).toMatch(/2\/2.*0\/2.*0\/2/);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('has every page kind', () => {
    const kinds = new Set(pages.map(kindOf));
    for (const k of ['index', 'sweeps', 'config', 'chaos', 'hazards', 'compare-index', 'compare', 'readiness.html']) expect(kinds, k).toContain(k);
  });

  it('opens every page without console errors or failed requests, with charts drawn, every link resolving and no serious axe-core violations', async () => {
    const checked = new Map<string, Promise<number>>();
    const status = (url: string) => {
      let s = checked.get(url);
      if (s === undefined) checked.set(url, (s = fetch(url, { method: 'HEAD' }).then((r) => r.status)));
      return s;
    };
    // axe-core takes ~2 s a page: it audits one page of each kind (pages of a kind share their
    // template) and every configuration page that lists anomalies, the richest markup.
    const axeOn = new Set(representatives().values());
    // A full-page screenshot of each page kind, saved for review.
    const shots = new Map([...representatives()].map(([kind, path]) => [path, kind]));
    for (const p of pages) if (kindOf(p) === 'config' && p.includes('hazards')) axeOn.add(p);
    const check = async (path: string) => {
      const { page, problems } = await open(withJs!, path);
      // Every chart container holds an SVG with at least one mark that has drawn shapes.
      const charts = await page.$$eval('figure.chart', (figs) =>
        figs.map((f) => {
          const svg = f.querySelector('svg');
          const marks = svg === null ? [] : [...svg.querySelectorAll('g[data-mark], g[aria-label]')].filter((g) => !/axis|grid|frame/i.test(g.getAttribute('data-mark') ?? g.getAttribute('aria-label') ?? ''));
          return { id: f.getAttribute('data-chart'), svg: svg !== null, shapes: marks.reduce((n, g) => n + g.querySelectorAll('circle,rect,path,line,polyline,polygon').length, 0) };
        }),
      );
      for (const c of charts) {
        expect(c.svg, `${path} chart ${c.id}`).toBe(true);
        expect(c.shapes, `${path} chart ${c.id} marks`).toBeGreaterThan(0);
      }
      const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => ({ raw: a.getAttribute('href') ?? '', abs: (a as HTMLAnchorElement).href })));
      for (const { raw, abs } of hrefs) {
        expect(raw, `${path}: absolute link ${raw}`).not.toMatch(/^([a-z][a-z0-9+.-]*:|\/)/i);
        expect(await status(abs.split('#')[0] as string), `${path} → ${raw}`).toBe(200);
      }
      if (axeOn.has(path)) {
        const axe = await new AxeBuilder({ page }).analyze();
        const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
        expect(bad, `${path}: axe-core`).toEqual([]);
      }
      expect(problems, path).toEqual([]);
      if (shots.has(path)) await page.screenshot({ path: join(SCREENSHOTS, `${shots.get(path)}.png`), fullPage: true });
      await page.close();
    };
    for (const path of pages) await check(path);
    expect(server!.log.filter((r) => r.status !== 200)).toEqual([]);
    // The readiness page adds one axe audit and a few hundred links to check: more than the default 60 s on 2 cores.
  }, 120_000);

  it('sorts a results table by a column with JavaScript on', async () => {
    const path = pages.find((p) => p.startsWith('sweeps/tiny/') && kindOf(p) === 'sweeps') as string;
    const { page } = await open(withJs!, path);
    const table = page.locator('table[data-sortable]').first();
    const header = table.locator('thead th', { hasText: 'txn failure rate' });
    const column = await header.evaluate((th) => (th as HTMLTableCellElement).cellIndex);
    const values = () =>
      table.evaluate((t, col) => [...(t as HTMLTableElement).tBodies[0]!.rows].map((r) => r.cells[col]?.getAttribute('data-sort') ?? ''), column);
    await header.locator('button').click();
    const up = (await values()).map(Number);
    expect(up).toEqual([...up].sort((a, b) => a - b));
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    await header.locator('button').click();
    const down = (await values()).map(Number);
    expect(down).toEqual([...up].sort((a, b) => b - a));
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    await page.close();
  });

  it('is readable with JavaScript disabled: tables, charts and links are all in the markup', async () => {
    // One page of each kind: the markup of a kind comes from one template.
    for (const path of representatives().values()) {
      const { page, problems } = await open(withoutJs!, path);
      expect(await page.locator('h1').textContent(), path).not.toBe('');
      if (kindOf(path) === 'sweeps') {
        expect(await page.locator('table[data-sortable] tbody tr').count(), path).toBeGreaterThan(0);
        expect(await page.locator('figure.chart svg').count(), path).toBeGreaterThan(0);
        // The sort buttons are added by the script only.
        expect(await page.locator('th button').count(), path).toBe(0);
      }
      expect(problems, path).toEqual([]);
      await page.close();
    }
  });

  it('saved a screenshot of each page kind for review', async () => {
    const saved = await readdir(SCREENSHOTS);
    for (const kind of representatives().keys()) expect(saved, kind).toContain(`${kind}.png`);
  });
});
