import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RealClock } from '@manifest-lab/manifest-core';
import { loadSiteData } from './load.js';
import type { SiteData } from './model.js';
import { SiteWriter } from './output.js';
import { chaosPageOf, comparePages, configPageOf, crashPageOf, hazardsPageOf, indexPage, type Page, sweepPageOf } from './pages.js';
import { readinessPageOf } from './readiness-page.js';
import { chaosPage, configBase, crashPage, hazardsPage, runBase, sweepBase } from './site-paths.js';
import { UserError } from './user-error.js';

export interface BuildSiteOptions {
  /** The results directory to render. */
  readonly results: string;
  /** The site directory: replaced as a whole once the new site is complete. */
  readonly out: string;
  /** Two sweep directories to compare (default: every pair of sweeps found). */
  readonly compare?: readonly [string, string];
  /** Failure-rate budget of the readiness page's envelope (default 0.1). */
  readonly threshold?: number;
}

export interface BuildSiteResult {
  /** Site-relative paths of the HTML pages written, the index first. */
  readonly pages: string[];
  /** Wall time of the build. */
  readonly ms: number;
}

/** Copies in flight at once: enough to keep the disk busy without exhausting file handles. */
const COPY_CONCURRENCY = 32;

/** Every page of a site, from its data (pure: no I/O). */
export function renderPages(data: SiteData): Page[] {
  return [
    indexPage(data),
    ...data.sweeps.flatMap((s) => [sweepPageOf(s, data), ...s.configs.map((c) => configPageOf(s, c))]),
    ...data.chaos.map((c) => chaosPageOf(c, data)),
    ...data.hazards.map((h) => hazardsPageOf(h, data)),
    ...data.crashes.map(crashPageOf),
    ...comparePages(data),
    ...(data.readiness === undefined ? [] : [readinessPageOf(data.readiness, data)]),
  ];
}

/** The results files each page links to, as [source, site path]. */
export function siteCopies(data: SiteData): [string, string][] {
  const copies: [string, string][] = [];
  for (const s of data.sweeps) {
    for (const f of ['results.csv', 'runs.csv', 'sweep.json']) copies.push([join(s.path, f), `${sweepBase(s.dir)}/${f}`]);
    for (const c of s.configs) {
      copies.push([join(c.dir, 'summary.json'), `${configBase(s.dir, c.id)}/summary.json`]);
      for (const r of c.runs) {
        const base = runBase(s.dir, c.id, r.id);
        copies.push([r.files.run, `${base}/run.json`], [r.files.history, `${base}/history.jsonl`]);
        if (r.files.verify !== undefined) copies.push([r.files.verify, `${base}/verify.json`]);
      }
    }
  }
  for (const c of data.chaos) copies.push([join(c.path, 'chaos.csv'), chaosPage(c.dir).replace(/index\.html$/, 'chaos.csv')]);
  for (const h of data.hazards) copies.push([join(h.path, 'hazards.csv'), hazardsPage(h.dir).replace(/index\.html$/, 'hazards.csv')]);
  for (const c of data.crashes) copies.push([join(c.path, 'crash.json'), crashPage(c.dir).replace(/index\.html$/, 'crash.json')]);
  return copies;
}

/**
 * Render the results directory `results` as a static site in `out`: pages, inline charts and the
 * CSV/JSON files they link to. Built in a temporary directory and swapped in only when complete.
 */
export async function buildSite(options: BuildSiteOptions): Promise<BuildSiteResult> {
  const clock = new RealClock();
  const started = clock.now();
  const results = resolve(options.results);
  let isDir = false;
  try {
    isDir = (await stat(results)).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new UserError(
      `The results directory ${options.results} does not exist or is not a directory. Name the directory the runner wrote (e.g. results, after \`pnpm turbo run sweep\`).`,
    );
  }
  const writer = await SiteWriter.open(options.out, results);
  try {
    const data = await loadSiteData(results, options.compare, options.threshold);
    if (data.sweeps.length + data.chaos.length + data.hazards.length + data.crashes.length === 0) {
      throw new UserError(
        `No results found in ${options.results}: no directory under it holds a sweep (results.csv and sweep.json), chaos.csv, hazards.csv or crash.json. Run an experiment first, e.g. \`pnpm turbo run sweep\` or \`manifest-lab baseline\`.`,
      );
    }
    const pages = renderPages(data);
    for (const p of pages) await writer.write(p.path, p.html);
    const copies = siteCopies(data);
    for (let i = 0; i < copies.length; i += COPY_CONCURRENCY) {
      await Promise.all(copies.slice(i, i + COPY_CONCURRENCY).map(([from, to]) => writer.copy(from, to)));
    }
    await writer.commit();
    return { pages: pages.map((p) => p.path), ms: clock.now() - started };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
