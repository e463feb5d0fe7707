/**
 * Finds and reads every result set under a directory: sweeps (baselines are one-config
 * sweeps), chaos and hazards runs (their scenario sweeps attached to them) and crash reports.
 * Everything is read eagerly, so a bad file fails here, once, with its name — never later in
 * a chart; a comprehensive sweep (~750 runs) loads in well under a second.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { ColumnTable } from 'arquero';
import { parseCsv, rowsOf } from './csv.js';
import { ReportInputError } from './errors.js';
import type {
  BoundaryResultSet,
  ChaosResult,
  ConfigEntry,
  ConfigSummaryDoc,
  CrashReport,
  CrashResult,
  HazardsResult,
  ResultSets,
  Row,
  RunDoc,
  RunEntry,
  SkippedDir,
  SweepDoc,
  SweepResult,
} from './types.js';

export const RUN_SCHEMA = 'manifest-lab/run@2';
const RERUN = 'Rerun the manifest-lab command that wrote this directory (an interrupted sweep resumes where it stopped).';
const READ_CONCURRENCY = 32;

/** Columns every `results.csv` must have for the analyses. */
const RESULT_COLUMNS = ['config_id', 'replicas', 'write_txns', 'write_attempts', 'commits', 'txn_failure_rate', 'txn_failure_rate_lo', 'txn_failure_rate_hi'];

/** `a/b/c` from parts, skipping empty ones: directories relative to the root. */
function rel(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}

class Reader {
  readonly root: string;
  readonly skipped: SkippedDir[] = [];

  constructor(root: string) {
    this.root = root;
  }

  abs(relative: string): string {
    return join(this.root, ...relative.split('/').filter((p) => p !== ''));
  }

  /** Name a file for a message: relative to the root, or the root's own name. */
  shown(relative: string): string {
    return relative === '' ? basename(this.root) : relative;
  }

  async text(relative: string, fix = RERUN): Promise<string> {
    try {
      return await readFile(this.abs(relative), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ReportInputError(relative, code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? String(e)})`, fix);
    }
  }

  async json<T>(relative: string, fix = RERUN): Promise<T> {
    const text = await this.text(relative, fix);
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new ReportInputError(relative, `is not valid JSON (${(e as Error).message})`, fix);
    }
  }

  async csv(relative: string, required: readonly string[]): Promise<ColumnTable> {
    return parseCsv(await this.text(relative), relative, required);
  }

  async exists(relative: string): Promise<boolean> {
    try {
      await stat(this.abs(relative));
      return true;
    } catch {
      return false;
    }
  }
}

/** Map with at most `limit` calls in flight: a sweep has hundreds of runs, the fd table is finite. */
async function mapLimit<T, U>(items: readonly T[], limit: number, f: (item: T) => Promise<U>): Promise<U[]> {
  const out = new Array<U>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function checkRun(doc: unknown, file: string): RunDoc {
  const d = doc as Partial<RunDoc> | null;
  if (d === null || typeof d !== 'object') throw new ReportInputError(file, 'is not a run document (not a JSON object)', RERUN);
  if (d.schema !== RUN_SCHEMA) {
    throw new ReportInputError(
      file,
      `has schema ${JSON.stringify(d.schema)}, but this report reads ${RUN_SCHEMA}`,
      'Rerun the sweep with the current manifest-lab, or use the report of the version that wrote it.',
    );
  }
  if (typeof d.metrics !== 'object' || d.metrics === null || typeof d.config !== 'object') {
    throw new ReportInputError(file, 'has no metrics or config', RERUN);
  }
  return d as RunDoc;
}

function checkSweepDoc(doc: unknown, file: string): SweepDoc {
  const d = doc as Partial<SweepDoc> | null;
  if (d === null || typeof d !== 'object' || typeof d.definition?.name !== 'string' || !Array.isArray(d.configs)) {
    throw new ReportInputError(file, 'is not a sweep description (needs definition.name and configs)', RERUN);
  }
  return d as SweepDoc;
}

/** Config fields: the columns before `replicas`, which the runner writes first. */
function configColumns(t: ColumnTable, doc: SweepDoc): string[] {
  const names = t.columnNames();
  const end = names.indexOf('replicas');
  const fields = end < 0 ? Object.keys(doc.definition.axes ?? {}) : names.slice(0, end);
  // Each row's seed is its replica 0's: it varies, but is no axis unless the sweep says so.
  return fields.filter((f) => f !== 'seed' || Object.hasOwn(doc.definition.axes ?? {}, 'seed'));
}

function varyingAxes(t: ColumnTable, fields: readonly string[]): string[] {
  return fields.filter((f) => t.columnNames().includes(f) && new Set(t.array(f) as unknown[]).size > 1);
}

async function loadRun(r: Reader, configDir: string, id: string): Promise<RunEntry> {
  const dir = rel(configDir, id);
  const runFile = rel(dir, 'run.json');
  const run = checkRun(await r.json(runFile), runFile);
  const verify = rel(dir, 'verify.json');
  const history = rel(dir, run.history?.file ?? 'history.jsonl');
  return { id, dir, run, files: { run: runFile, history, ...((await r.exists(verify)) ? { verify } : {}) } };
}

async function loadSweep(r: Reader, dir: string): Promise<SweepResult> {
  const sweepFile = rel(dir, 'sweep.json');
  const definition = checkSweepDoc(await r.json(sweepFile), sweepFile);
  const rows = await r.csv(rel(dir, 'results.csv'), RESULT_COLUMNS);
  const runs = await r.csv(rel(dir, 'runs.csv'), ['run_id']);
  const byId = new Map<string, Row>(rowsOf(rows).map((row) => [String(row.config_id), row]));
  const configs = await mapLimit(definition.configs, 4, async (c): Promise<ConfigEntry> => {
    const row = byId.get(c.id);
    if (row === undefined) {
      throw new ReportInputError(rel(dir, 'results.csv'), `has no row for configuration ${c.id}, which sweep.json lists`, RERUN);
    }
    const configDir = rel(dir, c.id);
    const summaryFile = rel(configDir, 'summary.json');
    const summary = await r.json<ConfigSummaryDoc>(summaryFile);
    if (!Array.isArray(summary?.runs)) throw new ReportInputError(summaryFile, 'lists no runs', RERUN);
    const entries = await mapLimit(summary.runs, READ_CONCURRENCY, (id) => loadRun(r, configDir, id));
    return { id: c.id, dir: configDir, summary, row, runs: entries };
  });
  if (configs.length !== rows.numRows()) {
    throw new ReportInputError(rel(dir, 'results.csv'), `has ${rows.numRows()} rows, but sweep.json lists ${configs.length} configurations`, RERUN);
  }
  const axes = varyingAxes(rows, configColumns(rows, definition));
  return { kind: 'sweep', name: definition.definition.name, dir, definition, rows, runs, axes, configs };
}

/** The scenario sweeps of a chaos or hazards directory, one subdirectory per CSV row. */
async function loadScenarios(r: Reader, dir: string, csvFile: string, column: string, rows: ColumnTable) {
  const names = (rows.array(column) as unknown[]).map(String);
  return mapLimit(names, 2, async (name) => {
    const sub = rel(dir, name);
    if (!(await r.exists(rel(sub, 'results.csv'))) || !(await r.exists(rel(sub, 'sweep.json')))) {
      throw new ReportInputError(csvFile, `lists ${column} ${name}, but ${r.shown(sub)}/ holds no finished sweep (results.csv, sweep.json)`, RERUN);
    }
    return { name, sweep: await loadSweep(r, sub) };
  });
}

async function loadChaos(r: Reader, dir: string): Promise<ChaosResult> {
  const file = rel(dir, 'chaos.csv');
  const rows = await r.csv(file, ['scenario', ...RESULT_COLUMNS.slice(1)]);
  const scenarios = await loadScenarios(r, dir, file, 'scenario', rows);
  return { kind: 'chaos', name: basename(r.abs(dir)), dir, rows, scenarios };
}

async function loadHazards(r: Reader, dir: string): Promise<HazardsResult> {
  const file = rel(dir, 'hazards.csv');
  const rows = await r.csv(file, ['hazard', 'runs', 'reproduced', 'reproduced_rate', 'reproduced_rate_lo', 'reproduced_rate_hi']);
  const hazards = await loadScenarios(r, dir, file, 'hazard', rows);
  return { kind: 'hazards', name: basename(r.abs(dir)), dir, rows, hazards };
}

async function loadCrash(r: Reader, dir: string): Promise<CrashResult> {
  const file = rel(dir, 'crash.json');
  const report = await r.json<CrashReport>(file);
  if (report === null || typeof report !== 'object' || typeof report.schema !== 'string' || !report.schema.startsWith('manifest-lab/crash@')) {
    throw new ReportInputError(file, 'is not a manifest-lab crash report (no manifest-lab/crash schema)', RERUN);
  }
  return { kind: 'crash', name: basename(r.abs(dir)), dir, report };
}

async function loadBoundary(r: Reader, dir: string): Promise<BoundaryResultSet> {
  const rows = await r.csv(rel(dir, 'boundary.csv'), ['cell', 'status', 'threshold']);
  const probes = await r.csv(rel(dir, 'probes.csv'), ['cell', 'writer_rate', 'verdict', 'k', 'n', 'dir']);
  return { kind: 'boundary', name: basename(r.abs(dir)), dir, rows, probes };
}

/** Where a sweep's own hazard runs live, below its directory (not a configuration: those are `NNN-hash`). */
const SWEEP_HAZARDS_DIR = 'hazards';

interface Found {
  sweeps: SweepResult[];
  chaos: ChaosResult[];
  hazards: HazardsResult[];
  crashes: CrashResult[];
  boundaries: BoundaryResultSet[];
}

async function walk(r: Reader, dir: string, found: Found): Promise<void> {
  const entries = await readdir(r.abs(dir), { withFileTypes: true });
  const files = new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
  // A result directory is read as a whole; nothing below it is another result set.
  if (files.has('chaos.csv')) return void found.chaos.push(await loadChaos(r, dir));
  if (files.has('hazards.csv')) return void found.hazards.push(await loadHazards(r, dir));
  if (files.has('results.csv') && files.has('sweep.json')) {
    found.sweeps.push(await loadSweep(r, dir));
    // A sweep file's "hazards" block writes its hazard runs below the sweep: <sweep>/hazards/<profile>/.
    if (entries.some((e) => e.isDirectory() && e.name === SWEEP_HAZARDS_DIR)) await walk(r, rel(dir, SWEEP_HAZARDS_DIR), found);
    return;
  }
  if (files.has('crash.json')) return void found.crashes.push(await loadCrash(r, dir));
  // A boundary's probes are sweeps below it: record the table and keep walking to load them.
  if (files.has('boundary.csv') && files.has('probes.csv')) found.boundaries.push(await loadBoundary(r, dir));
  if (files.has('sweep.json')) {
    r.skipped.push({ dir: r.shown(dir), reason: 'an unfinished sweep (no results.csv yet): rerun its command to finish it' });
    return;
  }
  const subdirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules').map((e) => e.name);
  for (const name of subdirs.sort()) await walk(r, rel(dir, name), found);
}

const byDir = <T extends { dir: string }>(a: T, b: T) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0);

/**
 * Load every result set under `root` (e.g. `results/`). Throws `ReportInputError` naming the
 * file and the fix for anything missing or malformed.
 */
export async function loadResults(root: string): Promise<ResultSets> {
  const abs = resolve(root);
  let isDir = false;
  try {
    isDir = (await stat(abs)).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new ReportInputError(root, 'is not a directory', 'Pass the directory the lab wrote its results to (e.g. results/), after running a sweep: manifest-lab sweep --config sweeps/baseline.json.');
  }
  const r = new Reader(abs);
  const found: Found = { sweeps: [], chaos: [], hazards: [], crashes: [], boundaries: [] };
  await walk(r, '', found);
  return {
    root,
    sweeps: found.sweeps.sort(byDir),
    chaos: found.chaos.sort(byDir),
    hazards: found.hazards.sort(byDir),
    crashes: found.crashes.sort(byDir),
    boundaries: found.boundaries.sort(byDir),
    skipped: r.skipped,
  };
}
