/**
 * One run's charts: writes and reads per second with the fault windows shaded, the latency
 * percentile spectrum from its HDR histograms, where a write transaction's time goes, and
 * the request mix.
 */
import * as Plot from '@observablehq/plot';
import type { FaultWindow, RunDoc, SeriesPoint } from '../types.js';
import { faultWindows } from './fault-windows.js';
import { decodeHistogram, spectrum } from './hdr.js';
import { type Panel, PanelSet } from './panel.js';
import type { RenderOptions } from './render.js';

const WIDTH = 640;

/** Write phases in the order a transaction goes through them. */
export const WRITE_PHASES = ['queueing', 'backoff', 'recovery', 'snapshot', 'lease', 'reads', 'head_check', 'segment_put', 'head_cas', 'lease_release'] as const;

/** Spectrum series: histogram name → label. */
const SPECTRUM = [
  ['write_txn', 'write transaction'],
  ['commit', 'commit'],
  ['read_txn', 'read transaction'],
] as const;

/** Percentile axis ticks at 0, 50, 90, 99, 99.9, … on x = −log10(1 − p). */
const PERCENTILE_TICKS = [0, 50, 90, 99, 99.9, 99.99, 99.999];
const toX = (p: number) => -Math.log10(1 - p / 100);

export interface RunChartOptions extends RenderOptions {
  /** The run's history.jsonl text: its nemesis entries give the fault windows when run.json has no plan. */
  readonly history?: string;
}

function windowMarks(windows: readonly FaultWindow[], warmupEnd: number | null): Plot.Markish[] {
  return [
    ...(warmupEnd === null ? [] : [Plot.rectX([{ x1: 0, x2: warmupEnd }], { x1: 'x1', x2: 'x2', fill: '#999', fillOpacity: 0.15 })]),
    Plot.rectX(windows, { x1: 'start_s', x2: 'end_s', fill: '#e15759', fillOpacity: 0.12 }),
    Plot.text(windows, { x: (w: FaultWindow) => (w.start_s + w.end_s) / 2, frameAnchor: 'top', text: 'label', dy: 4, fontSize: 8, fill: '#b22' }),
  ];
}

function overTime(
  set: PanelSet,
  id: string,
  title: string,
  series: readonly SeriesPoint[],
  kinds: readonly (readonly [keyof SeriesPoint, string])[],
  windows: readonly FaultWindow[],
  yLabel: string,
): void {
  const data = series.flatMap((p) => kinds.map(([k, name]) => ({ t: p.t, kind: name, count: Number(p[k]) })));
  const warm = series.filter((p) => p.warmup);
  const warmupEnd = warm.length === 0 ? null : Math.max(...warm.map((p) => p.t)) + 1;
  const totals = kinds.map(([k, name]) => `${series.filter((p) => !p.warmup).reduce((a, p) => a + Number(p[k]), 0)} ${name}`).join(', ');
  set.plot(id, {
    title,
    width: WIDTH,
    height: 260,
    x: { label: 'time since the run started (s)', domain: [0, Math.max(...series.map((p) => p.t)) + 1] },
    y: { label: yLabel, grid: true, zero: true },
    color: { type: 'ordinal', domain: kinds.map(([, n]) => n), range: ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2'], legend: true },
    marks: [...windowMarks(windows, warmupEnd), Plot.lineY(data, { x: 't', y: 'count', stroke: 'kind', curve: 'step-after' })],
    caption: [
      `Counts per second. Measured window (after the ${warmupEnd ?? 0} s warm-up, shaded grey): ${totals}.`,
      windows.length === 0 ? 'No fault windows.' : `Shaded red: fault windows — ${windows.map((w) => `${w.label} ${w.start_s}–${w.end_s} s`).join('; ')}.`,
    ].join('\n'),
  });
}

export function runCharts(run: RunDoc, options: RunChartOptions = {}): Panel[] {
  const set = new PanelSet(options);
  const windows = faultWindows(run, options.history);
  const series = run.time_series ?? [];

  // 1–2. Throughput and failures over time.
  if (series.length === 0) {
    set.note('writes-over-time', 'Writes per second', 'run.json has no time_series.');
    set.note('reads-over-time', 'Reads per second', 'run.json has no time_series.');
  } else {
    overTime(
      set,
      'writes-over-time',
      'Writes per second: commits and failures',
      series,
      [
        ['writes_ok', 'committed'],
        ['write_conflicts', 'conflicts'],
        ['write_errors', 'other errors'],
      ],
      windows,
      'write attempts per second',
    );
    overTime(
      set,
      'reads-over-time',
      'Reads per second',
      series,
      [
        ['reads_ok', 'reads'],
        ['read_errors', 'read errors'],
      ],
      windows,
      'read transactions per second',
    );
  }

  // 3. Latency percentile spectrum from the HDR histograms.
  const hist = run.metrics.histograms ?? {};
  const curves = SPECTRUM.flatMap(([name, label]) => {
    const encoded = hist[name];
    if (encoded === undefined) return [];
    const buckets = decodeHistogram(encoded);
    const n = buckets.reduce((a, [, c]) => a + c, 0);
    return n === 0 ? [] : [{ label: `${label} (n = ${n})`, n, points: spectrum(buckets) }];
  });
  if (curves.length === 0) set.note('latency-spectrum', 'Latency percentile spectrum', 'run.json has no non-empty latency histograms.');
  else {
    const data = curves.flatMap((c) => c.points.map((p) => ({ series: c.label, x: toX(p.percentile), ms: p.ms })));
    const maxX = Math.max(...data.map((d) => d.x));
    const ticks = PERCENTILE_TICKS.filter((p) => toX(p) <= maxX + 0.5);
    set.plot('latency-spectrum', {
      title: 'Latency percentile spectrum',
      width: WIDTH,
      height: 320,
      x: { label: 'percentile', ticks: ticks.map(toX), tickFormat: (x: number) => `${ticks[ticks.findIndex((p) => Math.abs(toX(p) - x) < 1e-9)]}%`, grid: true },
      y: { label: 'latency (ms, log)', type: 'log', grid: true },
      color: { type: 'ordinal', scheme: 'tableau10', legend: true },
      marks: [Plot.lineY(data, { x: 'x', y: 'ms', stroke: 'series', curve: 'step-after' })],
      caption: `From the run's HDR histograms (3 significant digits, measured window only); each bucket at the percentile rank of its middle sample, so the maximum sits just below 100. The tail beyond 1/n is not resolved: n = ${curves.map((c) => c.n).join(', ')}.`,
    });
  }

  // 4. Where a write transaction's time goes.
  const phases = run.metrics.phases;
  const txns = run.metrics.write.latency.count;
  if (phases === undefined || txns === 0) {
    set.note('write-phases', 'Write latency by phase', phases === undefined ? 'run.json has no phase timings.' : 'The run measured no write transaction.');
  } else {
    const parts = WRITE_PHASES.filter((p) => phases[p] !== undefined && phases[p]!.count > 0).map((p) => ({
      phase: p,
      ms: (phases[p]!.mean_ms * phases[p]!.count) / txns,
    }));
    const mean = run.metrics.write.latency.mean_ms;
    set.plot('write-phases', {
      title: 'Write latency by phase (mean per transaction)',
      width: WIDTH,
      height: 150,
      marginLeft: 20,
      x: { label: 'ms per write transaction', grid: true },
      y: { axis: null },
      color: { type: 'ordinal', domain: parts.map((p) => p.phase), scheme: 'tableau10', legend: true },
      marks: [
        Plot.barX(parts, { x: 'ms', y: () => 'phases', fill: 'phase', title: (p: (typeof parts)[number]) => `${p.phase}: ${p.ms.toFixed(1)} ms` }),
        Plot.ruleX([mean], { stroke: 'black', strokeWidth: 2, strokeDasharray: '3,2' }),
      ],
      caption: `Each phase: its mean × how often it ran ÷ ${txns} write transactions, stacked in the order a transaction runs them (retries repeat phases). Dashed: the mean write latency, ${mean.toFixed(1)} ms, from the intended start; the gap is time outside any timed phase.`,
    });
  }

  // 5. Request mix.
  const req = run.metrics.requests;
  const mix =
    req === undefined
      ? Object.entries(run.request_counts ?? {}).map(([kind, count]) => ({ kind, role: 'all', count }))
      : [
          ...Object.entries(req.writers).map(([kind, count]) => ({ kind, role: 'writers', count })),
          ...Object.entries(req.readers).map(([kind, count]) => ({ kind, role: 'readers', count })),
        ];
  const shown = mix.filter((m) => m.count > 0);
  if (shown.length === 0) set.note('request-mix', 'Request mix', 'run.json counts no requests.');
  else {
    const commits = run.metrics.write.counters.successes;
    const total = shown.reduce((a, m) => a + m.count, 0);
    const kinds = [...new Set(shown.map((m) => m.kind))];
    set.plot('request-mix', {
      title: 'Request mix by kind',
      width: WIDTH,
      height: 60 + 26 * kinds.length,
      marginLeft: 60,
      x: { label: 'requests', grid: true },
      y: { label: null, domain: kinds },
      color: { type: 'ordinal', domain: [...new Set(shown.map((m) => m.role))], range: ['#4e79a7', '#f28e2b', '#76b7b2'], legend: true },
      marks: [Plot.barX(shown, { y: 'kind', x: 'count', fill: 'role', title: (m: (typeof shown)[number]) => `${m.role} ${m.kind}: ${m.count}` })],
      caption:
        req === undefined
          ? `All ${total} requests of the run (warm-up included; run.json does not split them by role).`
          : `${total} requests in the measured window, by role; ${commits} commits${commits > 0 ? ` (${(total / commits).toFixed(1)} requests per commit, readers included)` : ''}. CPUT is a conditional PUT.`,
    });
  }
  return set.panels;
}
