/**
 * A chaos run's panels: each fault scenario beside the fault-free baseline scenario — failure
 * rates and their change with intervals, throughput, latency, degradation ratios and how often
 * a retry rescued a transaction.
 */
import * as Plot from '@observablehq/plot';
import { chaosDegradation } from '../analyses/chaos-degradation.js';
import { rowsOf } from '../csv.js';
import { num } from '../rates.js';
import type { ChaosResult } from '../types.js';
import { nRange, pct, rateText } from './format.js';
import { type Panel, PanelSet } from './panel.js';
import type { RenderOptions } from './render.js';

const WIDTH = 640;

export function chaosFigure(chaos: ChaosResult, options: RenderOptions = {}): Panel[] {
  const set = new PanelSet(options);
  const deg = chaosDegradation(chaos);
  const scenarios = deg.scenarios.map((s) => s.scenario);
  const height = 60 + 34 * scenarios.length;
  const yScenario = { label: null, domain: scenarios };
  const rows = rowsOf(chaos.rows);
  const columns = new Set(chaos.rows.columnNames());
  if (scenarios.length === 0) {
    set.note('failure-by-scenario', 'Failure rate per scenario', 'chaos.csv has no scenarios.');
    return set.panels;
  }

  // Failure rates, both kinds, with Wilson intervals.
  const rates = deg.scenarios.flatMap((s) => [
    { scenario: s.scenario, metric: 'transactions failed', dy: -5, ...s.txnFailure },
    { scenario: s.scenario, metric: 'precondition failures / attempt', dy: 5, ...s.preconditionFailure },
  ]);
  const rated = rates.filter((r) => r.value !== null);
  const maxRate = Math.max(0.01, ...rated.map((r) => r.hi ?? 0));
  set.plot('failure-by-scenario', {
    title: 'Failure rate per scenario',
    width: WIDTH,
    height,
    marginLeft: 90,
    marginRight: 150,
    x: { label: 'rate', tickFormat: '%', grid: true, domain: [0, maxRate] },
    y: yScenario,
    color: { type: 'ordinal', domain: ['transactions failed', 'precondition failures / attempt'], scheme: 'tableau10', legend: true },
    marks: [
      ...[-5, 5].map((dy) => {
        const these = rated.filter((r) => r.dy === dy);
        return [
          Plot.ruleY(these, { y: 'scenario', x1: 'lo', x2: 'hi', stroke: 'metric', strokeWidth: 2, dy }),
          Plot.dot(these, { y: 'scenario', x: 'value', fill: 'metric', r: 3.5, dy, title: (r: (typeof rates)[number]) => `${r.scenario}, ${r.metric}: ${rateText(r)}` }),
          Plot.text(these, { y: 'scenario', x: () => maxRate, text: (r: (typeof rates)[number]) => `${pct(r.value)}  ${r.k}/${r.n}`, dx: 8, dy, textAnchor: 'start', fill: 'metric' }),
        ];
      }),
    ],
    caption: `Dots: pooled k/n over each scenario's runs; rules: 95 % Wilson interval. ${nRange(deg.scenarios.map((s) => s.txnFailure.n))} write transactions, ${nRange(deg.scenarios.map((s) => s.preconditionFailure.n))} attempts per scenario.`,
  });

  // The change in failure rate against the baseline scenario, with Newcombe's interval.
  const deltas = deg.scenarios.filter((s) => s.scenario !== deg.baseline && s.txnFailureDelta.value !== null);
  if (deg.baseline === null) set.note('failure-delta', 'Change in transaction failure rate', 'No baseline scenario in chaos.csv: nothing to compare against.');
  else if (deltas.length === 0) set.note('failure-delta', 'Change in transaction failure rate', 'No fault scenario has write transactions to compare.');
  else {
    set.plot('failure-delta', {
      title: 'Change in transaction failure rate against the baseline scenario',
      width: WIDTH,
      height: 60 + 34 * deltas.length,
      marginLeft: 90,
      x: { label: 'scenario − baseline (percentage points)', tickFormat: (d: number) => `${(d * 100).toFixed(0)}`, grid: true },
      y: { label: null, domain: deltas.map((d) => d.scenario) },
      marks: [
        Plot.ruleX([0], { stroke: '#888' }),
        Plot.ruleY(deltas, { y: 'scenario', x1: (d: (typeof deltas)[number]) => d.txnFailureDelta.lo, x2: (d: (typeof deltas)[number]) => d.txnFailureDelta.hi, strokeWidth: 2 }),
        Plot.dot(deltas, { y: 'scenario', x: (d: (typeof deltas)[number]) => d.txnFailureDelta.value, fill: 'currentColor', r: 3.5 }),
      ],
      caption: `Rules: 95 % Newcombe hybrid score interval for the difference of two proportions; an interval that crosses 0 shows no detectable change. Baseline ${rateText(deg.scenarios.find((s) => s.scenario === deg.baseline)!.txnFailure)}.`,
    });
  }

  // Throughput and latency per scenario, with their bootstrap intervals over replicas.
  const estimates = (column: string) =>
    rows.flatMap((r) => {
      const value = num(r, column);
      return value === null ? [] : [{ scenario: String(r.scenario), value, lo: num(r, `${column}_lo`), hi: num(r, `${column}_hi`) }];
    });
  const ivNote = (pts: readonly { lo: number | null }[]) =>
    `Rules: 95 % bootstrap interval over a scenario's replicas (${pts.filter((p) => p.lo !== null).length} of ${pts.length} have one; a scenario with one replica has none).`;
  const tps = estimates('write_tps');
  if (tps.length === 0) set.note('tps-by-scenario', 'Write TPS per scenario', 'chaos.csv has no write_tps values.');
  else {
    set.plot('tps-by-scenario', {
      title: 'Write TPS per scenario',
      width: WIDTH,
      height,
      marginLeft: 90,
      x: { label: 'write TPS (commits/s)', grid: true, zero: true },
      y: yScenario,
      marks: [
        Plot.barX(tps, { y: 'scenario', x: 'value', fill: '#4e79a7', fillOpacity: 0.6 }),
        Plot.ruleY(
          tps.filter((t) => t.lo !== null),
          { y: 'scenario', x1: 'lo', x2: 'hi', strokeWidth: 2 },
        ),
        Plot.text(tps, { y: 'scenario', x: 'value', text: (t: (typeof tps)[number]) => t.value.toFixed(3), dx: 4, textAnchor: 'start' }),
      ],
      caption: ivNote(tps),
    });
  }

  const lat = [
    ...estimates('write_p50_ms').map((p) => ({ ...p, percentile: 'p50', dy: -5 })),
    ...estimates('write_p99_ms').map((p) => ({ ...p, percentile: 'p99', dy: 5 })),
  ].filter((p) => p.value > 0);
  if (lat.length === 0) set.note('latency-by-scenario', 'Write latency per scenario', 'chaos.csv has no write latency values.');
  else {
    set.plot('latency-by-scenario', {
      title: 'Write latency p50 and p99 per scenario',
      width: WIDTH,
      height,
      marginLeft: 90,
      x: { label: 'write transaction latency (ms, log)', type: 'log', grid: true },
      y: yScenario,
      color: { type: 'ordinal', domain: ['p50', 'p99'], scheme: 'tableau10', legend: true },
      marks: [-5, 5].flatMap((dy) => {
        const these = lat.filter((p) => p.dy === dy && p.value > 0);
        return [
          Plot.ruleY(
            these.filter((p) => p.lo !== null && p.lo > 0),
            { y: 'scenario', x1: 'lo', x2: 'hi', stroke: 'percentile', strokeWidth: 2, dy },
          ),
          Plot.dot(these, { y: 'scenario', x: 'value', fill: 'percentile', r: 3.5, dy }),
        ];
      }),
      caption: ivNote(lat),
    });
  }

  // Degradation ratios (scenario / baseline) as chaos.csv has them.
  const RATIOS = [
    ['write_tps_ratio', 'write TPS'],
    ['read_tps_ratio', 'read TPS'],
    ['write_p50_ratio', 'write p50'],
    ['write_p99_ratio', 'write p99'],
  ] as const;
  const ratios = rows.flatMap((r) =>
    RATIOS.flatMap(([column, name]) => {
      const value = num(r, column);
      return value === null || value <= 0 ? [] : [{ scenario: String(r.scenario), ratio: name, value }];
    }),
  );
  if (!RATIOS.some(([c]) => columns.has(c))) set.note('degradation', 'Degradation against the baseline scenario', 'chaos.csv has no ratio columns: rerun the chaos command with the current manifest-lab.');
  else if (ratios.length === 0) set.note('degradation', 'Degradation against the baseline scenario', 'No ratio is defined (no baseline scenario, or nothing to divide by).');
  else {
    set.plot('degradation', {
      title: 'Degradation against the baseline scenario',
      width: WIDTH,
      height,
      marginLeft: 90,
      x: { label: 'scenario ÷ baseline (log)', type: 'log', grid: true },
      y: yScenario,
      color: { type: 'ordinal', domain: RATIOS.map(([, n]) => n), scheme: 'tableau10', legend: true },
      symbol: { domain: RATIOS.map(([, n]) => n) },
      marks: [Plot.ruleX([1], { stroke: '#888' }), Plot.dot(ratios, { y: 'scenario', x: 'value', stroke: 'ratio', symbol: 'ratio', r: 4, title: (d: (typeof ratios)[number]) => `${d.scenario} ${d.ratio}: ×${d.value}` })],
      caption: 'Ratios of point estimates (from chaos.csv), so no interval: see the TPS and latency panels for those. 1 = as in the baseline.',
    });
  }

  // Retry effectiveness: of the transactions that retried, how many a retry rescued.
  const retry = deg.scenarios.map((s) => ({ scenario: s.scenario, ...s.retryEffectiveness }));
  const retried = retry.filter((r) => r.value !== null);
  if (retried.length === 0) set.note('retry-effectiveness', 'Retry effectiveness per scenario', 'No transaction retried in any scenario.');
  else {
    set.plot('retry-effectiveness', {
      title: 'Retry effectiveness per scenario',
      width: WIDTH,
      height,
      marginLeft: 90,
      marginRight: 110,
      x: { label: 'retried transactions that committed', tickFormat: '%', grid: true, domain: [0, 1] },
      y: yScenario,
      marks: [
        Plot.ruleY(retried, { y: 'scenario', x1: 'lo', x2: 'hi', strokeWidth: 2 }),
        Plot.dot(retried, { y: 'scenario', x: 'value', fill: 'currentColor', r: 3.5 }),
        Plot.text(retry, { y: 'scenario', x: () => 1, text: (r: (typeof retry)[number]) => (r.n === 0 ? 'no retries' : `${pct(r.value)}  ${r.k}/${r.n}`), dx: 8, textAnchor: 'start' }),
      ],
      caption: 'Dots: rescued k of n retried transactions; rules: 95 % Wilson interval.',
    });
  }
  return set.panels;
}
