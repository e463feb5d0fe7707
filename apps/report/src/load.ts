import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { ChaosView, ConfigView, Figure, HazardsView, OverlapAnswer, ProfilesAnswer, Row, SiteData, SweepView, ThresholdAnswer } from './model.js';
import {
  type ChaosResult,
  chaosDegradation,
  chaosFigure,
  type HazardsResult,
  hazardsByProfile,
  loadResults,
  newDocument,
  type OverlapEffect,
  overlapEffect,
  profileComparison,
  ReportInputError,
  readiness,
  runCharts,
  type SweepResult,
  sweepFigure,
  underThreshold,
} from './report-api.js';
import { UserError } from './user-error.js';

/** The failure-rate threshold the front page asks about. */
export const THRESHOLD = 0.1;

const rowsOf = (table: { objects(): object[] }): Row[] => table.objects() as Row[];

/**
 * Load every result under `results` with `@manifest-lab/report` and turn it into what the pages
 * render: rows as plain objects, absolute file paths, charts rendered, the front page's answers.
 */
export async function loadSiteData(results: string, compare?: readonly [string, string], budget = THRESHOLD): Promise<SiteData> {
  let loaded: Awaited<ReturnType<typeof loadResults>>;
  try {
    loaded = await loadResults(results);
  } catch (err) {
    if (err instanceof ReportInputError) throw new UserError(err.message);
    throw err;
  }
  const abs = (p: string) => (isAbsolute(p) ? p : join(results, p));
  // One DOM for every chart: a fresh jsdom per chart would dominate the build.
  const render = { document: newDocument() };
  const seen = new Map<string, SweepView>();
  const addSweep = (s: SweepResult, role: SweepView['role'], parent?: string): SweepView => {
    const existing = seen.get(s.dir);
    if (existing !== undefined && (existing.role !== 'sweep' || role === 'sweep')) return existing;
    const view: SweepView = {
      name: s.name,
      dir: s.dir,
      path: abs(s.dir),
      axes: s.axes,
      rows: rowsOf(s.rows),
      configs: s.configs.map(
        (c): ConfigView => ({
          id: c.id,
          dir: abs(c.dir),
          row: c.row,
          config: (c.runs[0]?.run.config ?? c.summary.config) as Row,
          runs: c.runs.map((r) => ({
            id: r.id,
            files: { run: abs(r.files.run), history: abs(r.files.history), verify: r.files.verify === undefined ? undefined : abs(r.files.verify) },
            run: r.run as unknown as Row,
          })),
          charts: c.runs[0] === undefined ? [] : figuresOf(runCharts(c.runs[0].run, render)),
        }),
      ),
      figures: figuresOf(sweepFigure(s, render)),
      role,
      ...(parent === undefined ? {} : { parent }),
    };
    seen.set(s.dir, view);
    return view;
  };
  // Scenario and hazard sweeps first, so their pages know what they belong to.
  const chaos = loaded.chaos.map((c: ChaosResult): ChaosView => {
    for (const s of c.scenarios) addSweep(s.sweep, 'chaos-scenario', c.dir);
    return {
      name: c.name,
      dir: c.dir,
      path: abs(c.dir),
      rows: rowsOf(c.rows),
      scenarios: c.scenarios.map((s) => ({ name: s.name, sweep: s.sweep.dir })),
      figures: figuresOf(chaosFigure(c, render)),
      degradation: chaosDegradation(c).scenarios.map((d) => ({ scenario: d.scenario, ...d.txnFailureDelta })),
    };
  });
  const hazards = loaded.hazards.map((h: HazardsResult): HazardsView => {
    for (const s of h.hazards) addSweep(s.sweep, 'hazard', h.dir);
    return { name: h.name, dir: h.dir, path: abs(h.dir), rows: rowsOf(h.rows), hazards: h.hazards.map((x) => ({ name: x.name, sweep: x.sweep.dir })) };
  });
  const nested = new Set(seen.keys());
  const sweeps = loaded.sweeps.filter((s) => !nested.has(s.dir)).map((s) => addSweep(s, 'sweep'));
  const own = loaded.sweeps.filter((s) => !nested.has(s.dir));

  const overlap = own.filter((s) => s.axes.includes('key_overlap_ratio')).flatMap((s) => overlapAnswer(s));
  const threshold = own.filter((s) => s.configs.length > 0).map((s) => thresholdAnswer(s));
  const profiles = own.flatMap((s) => profilesAnswer(s));
  const byProfile = hazardsByProfile(loaded.hazards);
  const pairs: (readonly [string, string])[] = [];
  if (compare !== undefined) {
    const dirs = compare.map((c) => toDir(c, results, [...seen.keys()]));
    pairs.push([dirs[0] as string, dirs[1] as string]);
  } else {
    for (let i = 0; i < sweeps.length; i++) for (let j = i + 1; j < sweeps.length; j++) pairs.push([(sweeps[i] as SweepView).dir, (sweeps[j] as SweepView).dir]);
  }
  await attachVerify([...seen.values()]);
  // The same structure `manifest-lab recommend` renders as Markdown; a page only when it has data.
  const doc = readiness(loaded, { threshold: budget });
  return {
    results,
    sweeps: [...sweeps, ...[...seen.values()].filter((s) => s.role !== 'sweep')],
    chaos,
    hazards,
    crashes: loaded.crashes.map((c) => ({ name: c.name, dir: c.dir, path: abs(c.dir), report: c.report as Row })),
    skipped: loaded.skipped,
    overlap,
    ...(profiles.length === 0 ? {} : { profiles }),
    ...(byProfile === null ? {} : { hazardsByProfile: byProfile }),
    threshold,
    compare: pairs,
    ...(doc.usable ? { readiness: doc } : {}),
  };
}

/** A `--compare` argument as a sweep's results-relative dir: given relative to the cwd or to the results. */
function toDir(arg: string, results: string, dirs: readonly string[]): string {
  const candidates = [arg.replace(/\\/g, '/').replace(/\/+$/, ''), join(process.cwd(), arg), join(results, arg)];
  for (const c of candidates) {
    const rel = isAbsolute(c) ? relativeTo(results, c) : c;
    if (rel !== undefined && dirs.includes(rel)) return rel;
  }
  throw new UserError(
    `--compare ${arg} is not a sweep found in ${results}. Name a sweep directory inside the results (one holding results.csv and sweep.json), e.g. ${dirs.slice(0, 3).join(', ') || 'baseline'}.`,
  );
}

function relativeTo(root: string, path: string): string | undefined {
  const rootSlash = `${join(root)}/`;
  const p = join(path);
  return p.startsWith(rootSlash) ? p.slice(rootSlash.length).replace(/\\/g, '/') : undefined;
}

/**
 * Read verify.json for the runs whose isolation check found something: only their pages show
 * anomalies, and a clean run's verify.json is just linked.
 */
async function attachVerify(sweeps: readonly SweepView[]): Promise<void> {
  const runs = sweeps.flatMap((s) => s.configs.flatMap((c) => c.runs)).filter((r) => r.files.verify !== undefined && (r.run.isolation as Row | undefined)?.valid !== true);
  for (let i = 0; i < runs.length; i += 16) {
    await Promise.all(
      runs.slice(i, i + 16).map(async (r) => {
        const file = r.files.verify as string;
        try {
          (r as { verify?: unknown }).verify = JSON.parse(await readFile(file, 'utf8'));
        } catch (err) {
          throw new UserError(`${file} cannot be read as JSON (${(err as Error).message}). Rerun the manifest-lab command that wrote it, or check the file with \`manifest-lab verify\`.`);
        }
      }),
    );
  }
}

function figuresOf(list: readonly { id: string; title: string; svg: string; note?: string }[]): Figure[] {
  return list.map((f) => ({ id: f.id, title: f.title, svg: f.svg, note: f.note }));
}

function overlapAnswer(sweep: SweepResult): OverlapAnswer[] {
  const e = overlapEffect(sweep);
  if (e === null) return [];
  return [{ sweep: sweep.dir, metric: e.metric, low: e.low, high: e.high, difference: e.difference, matched: e.matched, verdict: e.verdict }];
}

/** An overlap effect without its per-level detail (the page shows the two ends and the difference). */
function overlapView(o: OverlapEffect | null): Omit<OverlapAnswer, 'sweep'> | null {
  return o === null ? null : { metric: o.metric, low: o.low, high: o.high, difference: o.difference, matched: o.matched, verdict: o.verdict };
}

function profilesAnswer(sweep: SweepResult): ProfilesAnswer[] {
  const cmp = profileComparison(sweep);
  if (cmp === null) return [];
  return [
    {
      sweep: sweep.dir,
      profiles: cmp.map((p) => ({
        profile: p.profile,
        configs: p.configs,
        overlap: overlapView(p.overlap),
        overlapPerAttempt: overlapView(p.overlapPerAttempt),
        requestsPerCommit: p.requestsPerCommit,
        writeP99MedianMs: p.writeP99MedianMs,
        writeP99MaxMs: p.writeP99MaxMs,
      })),
    },
  ];
}

function thresholdAnswer(sweep: SweepResult): ThresholdAnswer {
  const t = underThreshold(sweep, THRESHOLD);
  const label = (axes: Readonly<Record<string, unknown>>) => Object.entries(axes).map(([k, v]) => `${k}=${String(v)}`).join(', ') || 'the only configuration';
  return {
    sweep: sweep.dir,
    threshold: THRESHOLD,
    total: sweep.configs.length,
    below: t.below.map((c) => ({ ...c, label: label(c.axes) })),
    maybe: t.maybe.map((c) => ({ ...c, label: label(c.axes) })),
  };
}
