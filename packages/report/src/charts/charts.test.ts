import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as Plot from '@observablehq/plot';
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { FIXTURES, fixtures, sweepNamed } from '../fixtures.test-helper.js';
import type { SweepResult } from '../types.js';
import { chaosFigure } from './chaos-figure.js';
import { faultWindowsFromHistory } from './fault-windows.js';
import { decodeHistogram, percentileOf, spectrum } from './hdr.js';
import type { Panel } from './panel.js';
import { renderPlot } from './render.js';
import { runCharts } from './run-charts.js';
import { sweepFigure } from './sweep-figure.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Parse as strict XML, as a standalone .svg file is read. */
function parse(svg: string): Element {
  const doc = new JSDOM(svg, { contentType: 'image/svg+xml' }).window.document;
  expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
  return doc.documentElement;
}

function expectStandalone(panel: Panel): Element {
  const root = parse(panel.svg);
  expect(root.namespaceURI).toBe(SVG_NS);
  expect(root.tagName).toBe('svg');
  expect(Number(root.getAttribute('width'))).toBeGreaterThan(0);
  expect(Number(root.getAttribute('height'))).toBeGreaterThan(0);
  expect(root.getAttribute('font-family')).toBe('DejaVu Sans');
  expect(root.querySelector('title')?.textContent).toBe(panel.title);
  return root;
}

/** A drawn chart: marks, both axis labels. */
function expectChart(panel: Panel, marks: string[]): Element {
  expect(panel.note).toBeUndefined();
  const root = expectStandalone(panel);
  for (const m of marks) expect(root.querySelectorAll(`g[aria-label="${m}"] > *`).length, `${panel.id}: ${m}`).toBeGreaterThan(0);
  expect(root.querySelector('g[aria-label="x-axis label"]')?.textContent, panel.id).toBeTruthy();
  return root;
}

const byId = (panels: Panel[], id: string) => {
  const p = panels.find((x) => x.id === id);
  if (p === undefined) throw new Error(`no panel ${id} in ${panels.map((x) => x.id).join(', ')}`);
  return p;
};

describe('renderPlot', () => {
  it('makes a standalone SVG with title, notes and a threshold legend, and leaks no globals', () => {
    const svg = renderPlot({
      title: 'A & B <test>',
      caption: 'n = 3',
      color: { type: 'threshold', domain: [0.1, 0.2], scheme: 'orrd', legend: true, label: 'rate' },
      marks: [Plot.cell([{ x: 'a', y: 'b', v: 0.15 }], { x: 'x', y: 'y', fill: 'v' })],
    });
    const root = parse(svg);
    expect(root.querySelector('title')?.textContent).toBe('A & B <test>');
    expect(root.querySelector('desc')?.textContent).toBe('n = 3');
    expect(root.querySelectorAll('svg')).toHaveLength(2); // the legend and the chart
    expect(root.querySelector('[aria-label="color legend"]')).not.toBeNull();
    expect(globalThis.document).toBeUndefined();
  });

  it('refuses a continuous colour legend, which would need canvas', () => {
    expect(() => renderPlot({ title: 't', color: { type: 'linear', legend: true }, marks: [Plot.dot([{ v: 1 }], { x: 'v', fill: 'v' })] })).toThrow(/needs canvas/);
  });
});

describe('sweepFigure', () => {
  it('draws the seven panels of a grid sweep with interval bands', async () => {
    const tiny = await sweepNamed('tiny');
    const panels = sweepFigure(tiny);
    expect(panels.map((p) => p.id)).toEqual(['failure-vs-rate', 'failure-vs-overlap', 'heatmap', 'tps-vs-rate', 'latency-vs-rate', 'retry-success', 'reader-rate']);
    for (const id of ['failure-vs-rate', 'failure-vs-overlap']) {
      const root = expectChart(byId(panels, id), ['area', 'rule', 'line', 'dot']);
      expect(root.querySelector('g[aria-label="y-axis label"]')?.textContent).toMatch(/failure rate/);
      expect(root.querySelector('desc')?.textContent).toMatch(/95 % Wilson interval\. n = \d+/);
    }
    const heat = expectChart(byId(panels, 'heatmap'), ['cell', 'text']);
    expect(heat.querySelectorAll('g[aria-label="cell"] rect')).toHaveLength(4); // 2 writer counts × 2 rates
    expect(heat.querySelector('[aria-label="color legend"]')).not.toBeNull();
    expect(heat.querySelector('g[aria-label="text"]')?.textContent).toMatch(/n=\d+/);
    expectChart(byId(panels, 'tps-vs-rate'), ['dot', 'line']);
    expectChart(byId(panels, 'latency-vs-rate'), ['dot', 'line']);
    // The fixture's reader rate is fixed: a note, still a valid SVG.
    const reader = byId(panels, 'reader-rate');
    expect(reader.note).toMatch(/does not vary/);
    expectStandalone(reader);
    expect(globalThis.document).toBeUndefined();
  });

  it('a one-config sweep gets notes and its rates, not a crash', async () => {
    const panels = sweepFigure(await sweepNamed('baseline'));
    expect(panels.filter((p) => p.note !== undefined)).toHaveLength(7);
    for (const p of panels) expectStandalone(p);
    expectChart(byId(panels, 'config-rates'), ['rule', 'dot']);
  });

  it('a missing column makes a note, not a crash', async () => {
    const tiny = await sweepNamed('tiny');
    const without: SweepResult = { ...tiny, rows: tiny.rows.select(tiny.rows.columnNames().filter((c) => !c.startsWith('write_tps') && !c.startsWith('write_p'))) };
    const panels = sweepFigure(without);
    expect(byId(panels, 'tps-vs-rate').note).toMatch(/no write_tps column/);
    expect(byId(panels, 'latency-vs-rate').note).toMatch(/no write_p50_ms, write_p99_ms column/);
    expect(panels).toHaveLength(7);
  });
});

describe('chaosFigure', () => {
  it('draws each scenario with intervals', async () => {
    const panels = chaosFigure((await fixtures()).chaos[0]!);
    expect(panels.map((p) => p.id)).toEqual(['failure-by-scenario', 'failure-delta', 'tps-by-scenario', 'latency-by-scenario', 'degradation', 'retry-effectiveness']);
    const failure = expectChart(byId(panels, 'failure-by-scenario'), ['rule', 'dot', 'text']);
    expect(failure.querySelectorAll('g[aria-label="dot"] circle')).toHaveLength(6); // 3 scenarios × 2 rates
    expect(failure.querySelectorAll('g[aria-label="rule"] line').length).toBeGreaterThanOrEqual(6);
    expect(failure.querySelectorAll('g[aria-label="y-axis tick label"] text')).toHaveLength(3);
    expectChart(byId(panels, 'failure-delta'), ['rule', 'dot']);
    expectChart(byId(panels, 'tps-by-scenario'), ['bar']);
    expectChart(byId(panels, 'degradation'), ['dot', 'rule']);
    for (const p of panels) expectStandalone(p);
  });
});

describe('runCharts', () => {
  it('shades the fault windows and draws the spectrum, phases and request mix', async () => {
    const blocking = (await fixtures()).chaos[0]!.scenarios.find((s) => s.name === 'blocking')!.sweep.configs[0]!.runs[0]!;
    const panels = runCharts(blocking.run);
    expect(panels.map((p) => p.id)).toEqual(['writes-over-time', 'reads-over-time', 'latency-spectrum', 'write-phases', 'request-mix']);
    const writes = expectChart(byId(panels, 'writes-over-time'), ['line', 'rect']);
    const windows = blocking.run.chaos!.plan!.windows!;
    expect(windows).toHaveLength(3);
    // The warm-up and the three outages.
    expect(writes.querySelectorAll('g[aria-label="rect"] rect')).toHaveLength(4);
    const spectrumPanel = expectChart(byId(panels, 'latency-spectrum'), ['line']);
    expect(spectrumPanel.querySelectorAll('g[aria-label="line"] path').length).toBeGreaterThanOrEqual(2);
    expect(spectrumPanel.querySelector('g[aria-label="x-axis tick label"]')?.textContent).toMatch(/50%.*90%/);
    expectChart(byId(panels, 'write-phases'), ['bar', 'rule']);
    expectChart(byId(panels, 'request-mix'), ['bar']);
    expect(globalThis.document).toBeUndefined();
  });

  it('takes fault windows from the history when run.json has no plan', async () => {
    const run = (await fixtures()).chaos[0]!.scenarios.find((s) => s.name === 'blocking')!.sweep.configs[0]!.runs[0]!;
    const history = await readFile(join(FIXTURES, ...run.files.history.split('/')), 'utf8');
    const fromHistory = faultWindowsFromHistory(history);
    expect(fromHistory.map((w) => [w.label, w.start_s, w.end_s])).toEqual(run.run.chaos!.plan!.windows!.map((w) => [w.label, w.start_s, w.end_s]));
    const { chaos: _chaos, ...plain } = run.run;
    const writes = byId(runCharts(plain, { history }), 'writes-over-time');
    expect(parse(writes.svg).querySelectorAll('g[aria-label="rect"] rect')).toHaveLength(4);
  });

  it('degrades to notes for a run without series, histograms or phases', async () => {
    const run = (await sweepNamed('baseline')).configs[0]!.runs[0]!.run;
    const { histograms: _h, phases: _p, requests: _r, ...metrics } = run.metrics;
    const { time_series: _t, request_counts: _c, ...rest } = run;
    const panels = runCharts({ ...rest, metrics });
    expect(panels.map((p) => p.note === undefined)).toEqual([false, false, false, false, false]);
    for (const p of panels) expectStandalone(p);
  });
});

describe('HDR decoding', () => {
  it('agrees with the percentiles the workload summarised', async () => {
    const run = (await sweepNamed('tiny')).configs[0]!.runs[0]!.run;
    const buckets = decodeHistogram(run.metrics.histograms!.read_txn!);
    const latency = run.metrics.read.latency;
    expect(buckets.reduce((a, [, c]) => a + c, 0)).toBe(latency.count);
    expect(percentileOf(buckets, 50)).toBeCloseTo(latency.p50_ms, 3);
    expect(percentileOf(buckets, 99)).toBeCloseTo(latency.p99_ms, 3);
    expect(percentileOf(buckets, 100)).toBeCloseTo(latency.max_ms, 3);
    const s = spectrum(buckets);
    expect(s.every((p, i) => p.percentile > 0 && p.percentile < 100 && (i === 0 || p.percentile > s[i - 1]!.percentile))).toBe(true);
  });
});
