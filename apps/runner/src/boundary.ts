/**
 * `manifest-lab boundary`: per cell (every axis of a sweep but `writer_rate`), the writer rate at
 * which a failure rate crosses a threshold, by bisection in log-rate. Each probe runs replicas in
 * looks that at least double them, until the pooled Wilson interval — at a level corrected for
 * the number of looks — excludes the threshold or the replica budget is spent.
 */
import { join } from 'node:path';
import { wilson } from '@manifest-lab/workload';
import { probit } from 'simple-statistics';
import { toCsv } from './csv.js';
import { writeFileAtomic } from './files.js';
import type { Rate } from './pool.js';
import { expandSweep, type SweepDefinition, type SweepPoint } from './sweep-file.js';
import { runSweep } from './sweep-runner.js';
import { alignedTable, pct } from './text-table.js';

export type Metric = 'txn' | 'attempt';
export const METRICS: readonly Metric[] = ['txn', 'attempt'];
export type Verdict = 'below' | 'above' | 'undecided';
/**
 * bracketed: every step ran; undecided: a probe's interval still held the threshold when its
 * budget ran out, so narrowing stopped there; below_range / above_range: even after expanding, no
 * probed rate was above (resp. below) the threshold; non_monotone: a rate above the threshold
 * lies below one that is below it.
 */
export type BoundaryStatus = 'bracketed' | 'undecided' | 'below_range' | 'above_range' | 'non_monotone';

export interface ProbeResult {
  readonly rate: number;
  readonly verdict: Verdict;
  readonly estimate: Rate;
  readonly replicas: number;
  /**
   * Write transactions completed / arrivals offered at this rate (pooled). Well under 1 means the
   * writers are saturated: a failure rate that stops rising there is capped by throughput.
   */
  readonly achieved: number | null;
  /** The probe's sweep directory, relative to the output directory. */
  readonly dir?: string;
}

export interface BoundaryResult {
  readonly status: BoundaryStatus;
  /** The highest probed rate decided below the threshold, and the lowest decided above. */
  readonly below: ProbeResult | null;
  readonly above: ProbeResult | null;
  /**
   * An undecided probe between `below` and `above` (the one that stopped the narrowing): its
   * interval holds the threshold, so the crossing is statistically indistinguishable from it.
   */
  readonly near: ProbeResult | null;
  /** Every probe, in the order run (a rate is probed once). */
  readonly probes: readonly ProbeResult[];
}

/** Rates are kept to 4 significant digits, so directory names and CSV bytes are stable. */
export function roundRate(rate: number): number {
  return Number(rate.toPrecision(4));
}

/** The family-wise error a probe may make when it calls a rate above or below the threshold. */
export const PROBE_ALPHA = 0.05;

/**
 * The most looks a probe can take with a budget of `budget` replicas: replicas at least double
 * from one look to the next (1, 2, 4, …, budget).
 */
export function maxLooks(budget: number): number {
  return Math.ceil(Math.log2(Math.max(1, budget))) + 1;
}

/**
 * The z of each look's two-sided interval. Stopping at the first look whose interval excludes
 * the threshold is optional stopping: with a 95 % interval at every look, a wrong verdict is
 * likelier than 5 %. Bonferroni over the looks (α / looks per look) keeps it at most `alpha`.
 */
export function lookZ(budget: number, alpha = PROBE_ALPHA): number {
  return probit(1 - alpha / (2 * maxLooks(budget)));
}

/** The probe's estimate with its interval widened to the per-look level `z`. */
export function atLevel(est: Rate, z: number): Rate {
  const iv = wilson(est.k, est.n, z);
  return { ...est, lo: iv?.lo ?? null, hi: iv?.hi ?? null };
}

/** Above or below when the interval excludes the threshold; undecided otherwise (or with no data). */
export function verdictOf(est: { readonly lo: number | null; readonly hi: number | null }, threshold: number): Verdict {
  if (est.lo === null || est.hi === null) return 'undecided';
  if (est.hi < threshold) return 'below';
  if (est.lo > threshold) return 'above';
  return 'undecided';
}

export interface BisectOptions {
  readonly rateLo: number;
  readonly rateHi: number;
  /** Bisection steps once the threshold is bracketed. */
  readonly steps: number;
  /** How many times the range may be halved (below) or doubled (above) to bracket the threshold. */
  readonly expand: number;
  readonly probe: (rate: number) => Promise<ProbeResult>;
}

/**
 * Bracket the crossing with a rate decided below and one decided above (expanding the range by
 * factors of 2 at most `expand` times each way), then bisect at the geometric midpoint `steps`
 * times. An undecided probe stops the narrowing: the bracket's ends are always decided probes.
 */
export async function bisectBoundary(opts: BisectOptions): Promise<BoundaryResult> {
  const probes: ProbeResult[] = [];
  const seen = new Map<number, ProbeResult>();
  let below: ProbeResult | null = null;
  let above: ProbeResult | null = null;
  const at = async (rate: number): Promise<ProbeResult> => {
    const r = roundRate(rate);
    let p = seen.get(r);
    if (p === undefined) {
      p = await opts.probe(r);
      seen.set(r, p);
      probes.push(p);
    }
    if (p.verdict === 'below' && (below === null || p.rate > below.rate)) below = p;
    if (p.verdict === 'above' && (above === null || p.rate < above.rate)) above = p;
    return p;
  };
  const done = (status: BoundaryStatus): BoundaryResult => {
    const lo = (below as ProbeResult | null)?.rate ?? 0;
    const hi = (above as ProbeResult | null)?.rate ?? Number.POSITIVE_INFINITY;
    const near = probes.find((p) => p.verdict === 'undecided' && p.rate > lo && p.rate < hi) ?? null;
    return { status, below, above, near, probes };
  };

  for (let e = 0, r = opts.rateLo; ; e++, r /= 2) if ((await at(r)).verdict === 'below' || e >= opts.expand) break;
  if (above === null) for (let e = 0, r = opts.rateHi; ; e++, r *= 2) if ((await at(r)).verdict === 'above' || e >= opts.expand) break;
  const bracket = (): [ProbeResult, ProbeResult] | BoundaryStatus => {
    const b = below as ProbeResult | null;
    const a = above as ProbeResult | null;
    // Out of range only when the extreme probe itself is decided the other way.
    const lowest = probes.reduce((m, p) => (p.rate < m.rate ? p : m));
    const highest = probes.reduce((m, p) => (p.rate > m.rate ? p : m));
    if (b === null) return lowest.verdict === 'above' ? 'below_range' : 'undecided';
    if (a === null) return highest.verdict === 'below' ? 'above_range' : 'undecided';
    return b.rate < a.rate ? [b, a] : 'non_monotone';
  };
  for (let step = 0; step < opts.steps; step++) {
    const br = bracket();
    if (typeof br === 'string') return done(br);
    const mid = roundRate(Math.sqrt(br[0].rate * br[1].rate));
    if (mid <= br[0].rate || mid >= br[1].rate) break;
    if ((await at(mid)).verdict === 'undecided') {
      const after = bracket();
      return done(typeof after === 'string' ? after : 'undecided');
    }
  }
  const br = bracket();
  return done(typeof br === 'string' ? br : 'bracketed');
}

export interface BoundaryCell {
  readonly index: number;
  /** Directory name, e.g. `w4-o0.1-nr4-rr5`. */
  readonly name: string;
  /** The cell's axis values (every axis but `writer_rate`). */
  readonly axisValues: Readonly<Record<string, unknown>>;
  /** Its values of `cellFields` (axes or fixed), for names and CSV columns. */
  readonly cellValues: Readonly<Record<string, unknown>>;
  readonly point: SweepPoint;
}

const SHORT: Record<string, string> = { num_writers: 'w', key_overlap_ratio: 'o', num_readers: 'nr', reader_rate: 'rr' };

/** The fields that name a cell: writers, overlap and readers, then any other axis. */
export function cellFields(def: SweepDefinition): string[] {
  return [...new Set([...Object.keys(SHORT), ...Object.keys(def.axes)])].filter((f) => f !== 'writer_rate');
}

/** The cells of a sweep: the product of its axes without `writer_rate` (one cell if none remain). */
export function boundaryCells(def: SweepDefinition, source: string): BoundaryCell[] {
  const { writer_rate: _rate, ...axes } = def.axes;
  const fields = cellFields(def);
  return expandSweep({ ...def, axes }, source).map((point) => {
    const config = point.config as unknown as Record<string, unknown>;
    const values = Object.fromEntries(fields.map((f) => [f, config[f]]));
    const parts = fields.map((f) => `${SHORT[f] ?? f}${String(values[f])}`);
    const name = `c${String(point.index).padStart(2, '0')}-${parts.join('-')}`.replace(/[^A-Za-z0-9._-]/g, '_');
    return { index: point.index, name, axisValues: point.axisValues, cellValues: values, point };
  });
}

export interface BoundaryOptions {
  readonly definition: SweepDefinition;
  readonly source: string;
  readonly outDir: string;
  readonly metric: Metric;
  readonly threshold: number;
  readonly rateLo: number;
  readonly rateHi: number;
  readonly steps: number;
  readonly expand: number;
  /** Replicas at most per probe. */
  readonly budget: number;
  /** Each batch of a probe adds replicas until this many more write attempts are pooled. */
  readonly minWriteAttempts: number;
  /** Worker threads in all. */
  readonly concurrency: number;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

export interface CellBoundary extends BoundaryResult {
  readonly cell: BoundaryCell;
  readonly runs: number;
}

/**
 * One probe: looks at the cell at `rate`, each with at least twice the replicas and write
 * attempts of the last, until the look-corrected interval decides it or the budget is spent.
 */
async function probeCell(opts: BoundaryOptions, cell: BoundaryCell, rate: number, threads: number): Promise<ProbeResult> {
  const dir = `${cell.name}/rate-${rate}`;
  const base: SweepDefinition = {
    name: 'boundary',
    // Seeds derive from the sweep seed and the full config (cell and rate), as in a sweep.
    seed: opts.definition.seed,
    fixed: { ...opts.definition.fixed, ...cell.axisValues, writer_rate: rate },
    axes: {},
    replicas: 1,
    min_write_attempts: 0,
    max_replicas: opts.budget,
  };
  const z = lookZ(opts.budget);
  let replicas = 0;
  for (let look = 0; ; look++) {
    const definition = { ...base, replicas: Math.min(opts.budget, Math.max(1, replicas * 2)), min_write_attempts: opts.minWriteAttempts * 2 ** look };
    const outcome = await runSweep({
      definition,
      source: `boundary cell ${cell.name} at writer_rate ${rate}`,
      outDir: join(opts.outDir, dir),
      concurrency: threads,
      progress: false,
      index: false, // probes are not results of their own

      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
    const summary = outcome.summaries[0];
    if (summary === undefined) throw new Error(`boundary probe ${dir} produced no summary`);
    replicas = summary.replicas;
    const estimate = atLevel(opts.metric === 'txn' ? summary.rates.txn_failure_rate : summary.rates.precondition_failure_rate, z);
    const verdict = verdictOf(estimate, opts.threshold);
    if (verdict !== 'undecided' || replicas >= opts.budget) return { rate, verdict, estimate, replicas, achieved: summary.load.write_achieved_ratio, dir };
  }
}

/** Run every cell (several at once, sharing the threads) and write `boundary.csv` and `probes.csv`. */
export async function runBoundary(opts: BoundaryOptions): Promise<CellBoundary[]> {
  const cells = boundaryCells(opts.definition, opts.source);
  const lanes = Math.max(1, Math.min(cells.length, opts.concurrency));
  const threads = Math.max(1, Math.floor(opts.concurrency / lanes));
  const results: CellBoundary[] = new Array(cells.length);
  let next = 0;
  let finished = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let i = next++; i < cells.length; i = next++) {
        const cell = cells[i] as BoundaryCell;
        const r = await bisectBoundary({
          rateLo: opts.rateLo,
          rateHi: opts.rateHi,
          steps: opts.steps,
          expand: opts.expand,
          probe: async (rate) => {
            const p = await probeCell(opts, cell, rate, threads);
            opts.log?.(`${cell.name}: writer_rate ${rate} → ${describeRate(p.estimate)} ${p.verdict} (${p.replicas} runs)`);
            return p;
          },
        });
        results[i] = { ...r, cell, runs: r.probes.reduce((a, p) => a + p.replicas, 0) };
        finished++;
        opts.log?.(`cell ${finished}/${cells.length} ${cell.name}: ${describeBracket(r)}`);
      }
    }),
  );
  await writeFileAtomic(join(opts.outDir, 'boundary.csv'), boundaryCsv(results, opts));
  await writeFileAtomic(join(opts.outDir, 'probes.csv'), probesCsv(results));
  return results;
}

function describeRate(e: Rate): string {
  return e.value === null || e.lo === null || e.hi === null ? `no data (${e.k}/${e.n})` : `${pct(e.value)} [${pct(e.lo)}–${pct(e.hi)}] (${e.k}/${e.n})`;
}

function describeBracket(r: BoundaryResult): string {
  const lo = r.below?.rate ?? '?';
  const hi = r.above?.rate ?? '?';
  return `${r.status} [${lo}, ${hi}]`;
}

function axisFields(results: readonly CellBoundary[]): string[] {
  return Object.keys(results[0]?.cell.cellValues ?? {});
}

const endColumns = (end: string) => [`${end}_rate`, `${end}_value`, `${end}_ci_lo`, `${end}_ci_hi`, `${end}_k`, `${end}_n`, `${end}_achieved`];
const endCells = (p: ProbeResult | null) =>
  p === null ? [null, null, null, null, null, null, null] : [p.rate, p.estimate.value, p.estimate.lo, p.estimate.hi, p.estimate.k, p.estimate.n, p.achieved];

/** One row per cell. `midpoint` is the geometric mean of the bracket (bisection is in log-rate). */
export function boundaryCsv(results: readonly CellBoundary[], opts: Pick<BoundaryOptions, 'metric' | 'threshold'>): string {
  const fields = axisFields(results);
  const header = ['cell', ...fields, 'metric', 'threshold', 'status', 'decided', 'boundary_lo', 'boundary_hi', 'midpoint', ...endColumns('lo'), ...endColumns('hi'), ...endColumns('near'), 'probes', 'runs'];
  const rows = results.map((r) => {
    const lo = r.below?.rate ?? null;
    const hi = r.above?.rate ?? null;
    return [
      r.cell.name,
      ...fields.map((f) => r.cell.cellValues[f] as number | string),
      opts.metric,
      opts.threshold,
      r.status,
      r.status === 'bracketed',
      lo,
      hi,
      lo !== null && hi !== null ? roundRate(Math.sqrt(lo * hi)) : null,
      ...endCells(r.below),
      ...endCells(r.above),
      ...endCells(r.near),
      r.probes.length,
      r.runs,
    ];
  });
  return toCsv(header, rows);
}

/** Every probe behind the boundaries, with its sweep directory. */
export function probesCsv(results: readonly CellBoundary[]): string {
  const rows = results.flatMap((r) =>
    r.probes.map((p) => [r.cell.name, p.rate, p.verdict, p.estimate.value, p.estimate.lo, p.estimate.hi, p.estimate.k, p.estimate.n, p.replicas, p.achieved, p.dir ?? null]),
  );
  return toCsv(['cell', 'writer_rate', 'verdict', 'value', 'ci_lo', 'ci_hi', 'k', 'n', 'replicas', 'achieved', 'dir'], rows);
}

/** Below this achieved/offered ratio the console flags a probe's writers as saturated. */
const SATURATED = 0.9;

/** The console table: one line per cell. */
export function boundaryTable(results: readonly CellBoundary[]): string {
  const end = (p: ProbeResult | null) =>
    p === null ? '—' : `${describeRate(p.estimate)} @${p.rate}${p.achieved !== null && p.achieved < SATURATED ? ` (${pct(p.achieved)} achieved)` : ''}`;
  const rows = [
    ['cell', 'status', 'boundary (writer_rate)', 'below end', 'near (undecided)', 'above end', 'probes', 'runs'],
    ...results.map((r) => [
      r.cell.name,
      r.status,
      `${r.below?.rate ?? (r.status === 'below_range' ? '<' : '?')} – ${r.above?.rate ?? (r.status === 'above_range' ? '>' : '?')}`,
      end(r.below),
      end(r.near),
      end(r.above),
      String(r.probes.length),
      String(r.runs),
    ]),
  ];
  return alignedTable(rows);
}
