/**
 * A sweep's seven panels, after the reference framework's figure: failure rate against writer
 * rate and against key overlap, the writers × rate heatmap, write TPS, write latency, retry
 * success and the reader-rate effect. Rates are pooled over the axes a panel does not show,
 * each point with its 95 % interval drawn and its sample size in the caption.
 */
import * as Plot from '@observablehq/plot';
import { groupRates, num, type RateMetric } from '../rates.js';
import type { ConfigEntry, Row, SweepResult } from '../types.js';
import { axisLabel, nRange, pct, rateText } from './format.js';
import { type Panel, PanelSet } from './panel.js';
import type { RenderOptions } from './render.js';

const WIDTH = 640;
const HEIGHT = 340;
/** Failure-rate bands for the heatmap: thresholds, because continuous legends need canvas. */
const FAILURE_THRESHOLDS = [0.01, 0.02, 0.05, 0.1, 0.2];

interface RatePoint {
  x: unknown;
  series: string;
  value: number | null;
  lo: number | null;
  hi: number | null;
  k: number;
  n: number;
  configs: number;
}

interface EstimatePoint {
  id: string;
  x: unknown;
  series: string;
  value: number;
  lo: number | null;
  hi: number | null;
}

function seriesLabel(field: string | null, row: Row | Record<string, unknown>): string {
  if (field === null) return 'all';
  return `${String(row[field])} ${axisLabel(field)}`;
}

/** Pooled rate per (series, x). */
function ratePoints(configs: readonly ConfigEntry[], x: string, series: string | null, metric: RateMetric): RatePoint[] {
  const keys = series === null ? [x] : [series, x];
  return groupRates(configs, keys, metric).map((g) => ({
    x: g.key[x],
    series: seriesLabel(series, g.key),
    value: g.value,
    lo: g.lo,
    hi: g.hi,
    k: g.k,
    n: g.n,
    configs: g.configs,
  }));
}

/** Per-configuration estimates of a column with its bootstrap interval (`_lo`/`_hi`). */
function estimatePoints(configs: readonly ConfigEntry[], x: string, series: string | null, column: string): EstimatePoint[] {
  return configs.flatMap((c) => {
    const value = num(c.row, column);
    return value === null ? [] : [{ id: c.id, x: c.row[x], series: seriesLabel(series, c.row), value, lo: num(c.row, `${column}_lo`), hi: num(c.row, `${column}_hi`) }];
  });
}

/** Mean of the configurations' estimates per (series, x): the line through the dots. */
function means(points: readonly EstimatePoint[]): { x: unknown; series: string; value: number }[] {
  const groups = new Map<string, { x: unknown; series: string; sum: number; count: number }>();
  for (const p of points) {
    const key = JSON.stringify([p.series, p.x]);
    const g = groups.get(key) ?? { x: p.x, series: p.series, sum: 0, count: 0 };
    g.sum += p.value;
    g.count++;
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ x: g.x, series: g.series, value: g.sum / g.count }));
}

const hasInterval = (p: { lo: number | null; hi: number | null }) => p.lo !== null && p.hi !== null;

/** Marks for pooled rates: band, interval rules, line and dots with a tooltip. */
function rateMarks(points: readonly RatePoint[]): Plot.Markish[] {
  const rated = points.filter((p) => p.value !== null);
  return [
    Plot.areaY(rated, { x: 'x', y1: 'lo', y2: 'hi', fill: 'series', fillOpacity: 0.12 }),
    Plot.ruleX(rated, { x: 'x', y1: 'lo', y2: 'hi', stroke: 'series', strokeOpacity: 0.6 }),
    Plot.lineY(rated, { x: 'x', y: 'value', stroke: 'series' }),
    Plot.dot(rated, { x: 'x', y: 'value', fill: 'series', r: 3, title: (p: RatePoint) => `${p.series}, ${p.x}: ${rateText(p)}` }),
    Plot.ruleY([0]),
  ];
}

function colorOf(series: string | null): Plot.ScaleOptions {
  return { type: 'ordinal', scheme: 'tableau10', legend: series !== null, ...(series === null ? {} : { label: axisLabel(series) }) };
}

function pooledOver(sweep: SweepResult, shown: readonly (string | null)[]): string {
  const rest = sweep.axes.filter((a) => !shown.includes(a));
  return rest.length === 0 ? '' : `, pooled over ${rest.map(axisLabel).join(' and ')}`;
}

export interface SweepFigureOptions extends RenderOptions {
  /** Failure-rate metric of the rate panels (default: transaction failure rate). */
  readonly metric?: RateMetric;
}

/** The sweep's panels (seven, plus a rates panel for a one-configuration sweep). */
export function sweepFigure(sweep: SweepResult, options: SweepFigureOptions = {}): Panel[] {
  const set = new PanelSet(options);
  const metric = options.metric ?? 'txn_failure_rate';
  const metricLabel = metric === 'txn_failure_rate' ? 'transaction failure rate' : 'precondition failures per attempt';
  const unit = metric === 'txn_failure_rate' ? 'write transactions' : 'write attempts';
  const axes = sweep.axes;
  const columns = new Set(sweep.rows.columnNames());
  const configs = sweep.configs;
  const x = axes.includes('writer_rate') ? 'writer_rate' : (axes[0] ?? null);
  const seriesFor = (xAxis: string | null) => (axes.includes('num_writers') && xAxis !== 'num_writers' ? 'num_writers' : null);
  const single = `The sweep has ${configs.length} configuration${configs.length === 1 ? '' : 's'} and no axis varies: see the rates below and the run charts.`;

  const ratePanel = (id: string, title: string, xAxis: string, series: string | null, m: RateMetric, yLabel: string, what: string) => {
    const points = ratePoints(configs, xAxis, series, m);
    const rated = points.filter((p) => p.value !== null);
    if (rated.length === 0) return set.note(id, title, `No ${what} to rate in this sweep.`);
    set.plot(id, {
      title,
      width: WIDTH,
      height: HEIGHT,
      x: { label: axisLabel(xAxis), ...(typeof rated[0]?.x === 'number' ? {} : { type: 'point' }) },
      y: { label: yLabel, tickFormat: '%', grid: true, domain: [0, Math.max(0.01, ...rated.map((p) => p.hi ?? 0))] },
      color: colorOf(series),
      marks: rateMarks(points),
      caption: `Lines: pooled k/n over the configurations at each point${pooledOver(sweep, [xAxis, series])}; shaded and rules: 95 % Wilson interval. ${nRange(rated.map((p) => p.n))} ${what} per point.`,
    });
  };

  // 1. Failure rate vs writer rate, one line per writer count.
  if (axes.includes('writer_rate')) {
    ratePanel('failure-vs-rate', `${cap(metricLabel)} vs writer rate`, 'writer_rate', seriesFor('writer_rate'), metric, metricLabel, unit);
  } else set.note('failure-vs-rate', `${cap(metricLabel)} vs writer rate`, axes.length === 0 ? single : 'The writer rate does not vary in this sweep.');

  // 2. Failure rate vs key overlap.
  if (axes.includes('key_overlap_ratio')) {
    ratePanel('failure-vs-overlap', `${cap(metricLabel)} vs key overlap`, 'key_overlap_ratio', seriesFor('key_overlap_ratio'), metric, metricLabel, unit);
  } else set.note('failure-vs-overlap', `${cap(metricLabel)} vs key overlap`, axes.length === 0 ? single : 'Key overlap does not vary in this sweep.');

  // 3. Heatmap: writers × writer rate (or the first two axes).
  const [hx, hy] = axes.includes('num_writers') && axes.includes('writer_rate') ? ['writer_rate', 'num_writers'] : [axes[0], axes[1]];
  if (hx !== undefined && hy !== undefined) {
    const cells = groupRates(configs, [hy, hx], metric).map((g) => ({ x: g.key[hx], y: g.key[hy], ...g }));
    set.plot('heatmap', {
      title: `${cap(metricLabel)}: ${axisLabel(hy)} × ${axisLabel(hx)}`,
      width: WIDTH,
      height: Math.max(200, 70 * new Set(cells.map((c) => c.y)).size + 60),
      padding: 0.04,
      x: { type: 'band', label: axisLabel(hx) },
      y: { type: 'band', label: axisLabel(hy) },
      color: { type: 'threshold', domain: FAILURE_THRESHOLDS, scheme: 'orrd', legend: true, label: `${metricLabel} (pooled)`, tickFormat: (d: number) => pct(d) },
      marks: [
        Plot.cell(cells, { x: 'x', y: 'y', fill: (c: (typeof cells)[number]) => c.value, title: (c: (typeof cells)[number]) => rateText(c) }),
        Plot.text(cells, {
          x: 'x',
          y: 'y',
          text: (c: (typeof cells)[number]) => (c.value === null ? 'no data' : `${pct(c.value)}\n[${pct(c.lo)}–${pct(c.hi)}]\nn=${c.n}`),
          fontSize: 9,
          lineHeight: 1.1,
          fill: (c: (typeof cells)[number]) => ((c.value ?? 0) >= 0.1 ? 'white' : 'black'),
        }),
      ],
      caption: `Each cell: pooled k/n${pooledOver(sweep, [hx, hy])}, with its 95 % Wilson interval and n (${unit}).`,
    });
  } else set.note('heatmap', `${cap(metricLabel)} heatmap`, axes.length === 0 ? single : `Only ${axisLabel(axes[0]!)} varies: a heatmap needs two axes.`);

  // 4–5. Write TPS and write latency per configuration, with bootstrap intervals over replicas.
  const estimatePanel = (id: string, title: string, cols: readonly { column: string; dash?: string; name: string }[], yLabel: string, log: boolean) => {
    const missing = cols.filter((c) => !columns.has(c.column));
    if (x === null) return set.note(id, title, single);
    if (missing.length > 0) return set.note(id, title, `results.csv has no ${missing.map((m) => m.column).join(', ')} column: rerun the sweep with the current manifest-lab.`);
    const series = seriesFor(x);
    const marks: Plot.Markish[] = [];
    const all: EstimatePoint[] = [];
    for (const c of cols) {
      const pts = estimatePoints(configs, x, series, c.column).filter((p) => !log || p.value > 0);
      all.push(...pts);
      const dash = c.dash === undefined ? {} : { strokeDasharray: c.dash };
      marks.push(
        Plot.ruleX(pts.filter(hasInterval), { x: 'x', y1: 'lo', y2: 'hi', stroke: 'series', strokeOpacity: 0.35, ...dash }),
        Plot.dot(pts, { x: 'x', y: 'value', stroke: 'series', r: 2.5, strokeOpacity: 0.6, title: (p: EstimatePoint) => `${p.id} ${c.name}: ${p.value}` }),
        Plot.lineY(means(pts), { x: 'x', y: 'value', stroke: 'series', ...dash }),
      );
    }
    if (all.length === 0) return set.note(id, title, `No configuration has a ${cols.map((c) => c.column).join(' or ')} value.`);
    const withIv = all.filter(hasInterval).length;
    const flagged = cols.flatMap((c) => configs.filter((cf) => typeof cf.row[`${c.column}_flag`] === 'string'));
    set.plot(id, {
      title,
      width: WIDTH,
      height: HEIGHT,
      x: { label: axisLabel(x), ...(typeof all[0]?.x === 'number' ? {} : { type: 'point' }) },
      y: { label: yLabel, grid: true, ...(log ? { type: 'log' } : { zero: true }) },
      color: colorOf(series),
      marks,
      caption: [
        `Dots: one per configuration; lines: their mean${pooledOver(sweep, [x, series])}; rules: 95 % bootstrap interval over replicas (${withIv} of ${all.length} points have one; a configuration with one replica has none).`,
        cols.length > 1 ? cols.map((c) => `${c.dash === undefined ? 'solid' : 'dashed'}: ${c.name}`).join('; ') : '',
        flagged.length > 0 ? `${flagged.length} value${flagged.length === 1 ? ' is' : 's are'} from fewer than 100 samples (closer to a maximum than a percentile).` : '',
      ]
        .filter((s) => s !== '')
        .join('\n'),
    });
  };
  estimatePanel('tps-vs-rate', `Write TPS vs ${axisLabel(x ?? 'writer_rate')}`, [{ column: 'write_tps', name: 'write TPS' }], 'write TPS (commits/s)', false);
  estimatePanel(
    'latency-vs-rate',
    `Write latency p50 and p99 vs ${axisLabel(x ?? 'writer_rate')}`,
    [
      { column: 'write_p50_ms', name: 'p50' },
      { column: 'write_p99_ms', name: 'p99', dash: '5,3' },
    ],
    'write transaction latency (ms, log)',
    true,
  );

  // 6. Retry success rate.
  if (x === null) set.note('retry-success', 'Retry success rate', single);
  else ratePanel('retry-success', `Retry success rate vs ${axisLabel(x)}`, x, seriesFor(x), 'retry_success_rate', 'retried transactions that committed', 'retried transactions');

  // 7. Reader-rate effect on the failure rate.
  if (axes.includes('reader_rate')) {
    ratePanel('reader-rate', `Reader-rate effect on the ${metricLabel}`, 'reader_rate', seriesFor('reader_rate'), metric, metricLabel, unit);
  } else set.note('reader-rate', `Reader-rate effect on the ${metricLabel}`, axes.length === 0 ? single : 'The reader rate does not vary in this sweep.');

  if (configs.length === 1) configRatesPanel(set, configs[0]!);
  return set.panels;
}

/** A one-configuration sweep (a baseline): its rates side by side. */
function configRatesPanel(set: PanelSet, c: ConfigEntry): void {
  const metrics: { m: RateMetric; label: string; unit: string }[] = [
    { m: 'txn_failure_rate', label: 'transaction failure rate', unit: 'write transactions' },
    { m: 'precondition_failure_rate', label: 'precondition failures / attempt', unit: 'write attempts' },
    { m: 'retry_success_rate', label: 'retry success rate', unit: 'retried transactions' },
  ];
  const data = metrics.map(({ m, label, unit }) => ({ label, unit, ...groupRates([c], [], m)[0]! }));
  set.plot('config-rates', {
    title: `Rates of configuration ${c.id}`,
    width: WIDTH,
    height: 160,
    marginLeft: 190,
    x: { label: 'rate', tickFormat: '%', grid: true, domain: [0, 1] },
    y: { label: null, domain: data.map((d) => d.label) },
    marks: [
      Plot.ruleY(
        data.filter((d) => d.value !== null),
        { y: 'label', x1: 'lo', x2: 'hi', strokeWidth: 2 },
      ),
      Plot.dot(
        data.filter((d) => d.value !== null),
        { y: 'label', x: 'value', fill: 'currentColor', r: 3.5 },
      ),
      Plot.text(data, { y: 'label', frameAnchor: 'right', text: (d: (typeof data)[number]) => `${d.k}/${d.n} ${d.unit}`, dx: -4, textAnchor: 'end' }),
    ],
    caption: `Dots: pooled k/n over ${c.runs.length} run${c.runs.length === 1 ? '' : 's'}; rules: 95 % Wilson interval.`,
  });
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
