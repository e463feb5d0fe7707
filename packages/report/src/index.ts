/**
 * @manifest-lab/report: manifest-lab result directories as arquero tables, analyses with
 * 95 % intervals, and Observable Plot figures rendered to standalone SVG under jsdom.
 */
export const REPORT_VERSION = '0.1.0';

export { ReportInputError } from './errors.js';
export { loadResults, RUN_SCHEMA } from './load.js';
export { parseCsv, rowsOf } from './csv.js';
export type * from './types.js';

export { Z95, wilson, newcombe, pooled, overlaps, type Proportion, type Interval } from './stats.js';
export { RATE_METRICS, RATE_LABELS, countsOf, rateOf, groupRates, type RateMetric, type ConfigRate, type GroupRate, type RateSource } from './rates.js';
export { PRICE_SOURCE, S3_STANDARD_PER_THOUSAND, pricePerRequest } from './prices.js';

export { marginalEffects, type MarginalEffects, type AxisEffect, type AxisLevel } from './analyses/marginal-effects.js';
export { bestWorst, type BestWorst } from './analyses/best-worst.js';
export { overlapEffect, OVERLAP_AXIS, type OverlapEffect, type OverlapSide, type OverlapVerdict } from './analyses/overlap-effect.js';
export { underThreshold, type UnderThreshold } from './analyses/under-threshold.js';
export { modelVsMeasured, type ModelVsMeasured, type ModelComparison } from './analyses/model-vs-measured.js';
export { chaosDegradation, type ChaosDegradation, type ScenarioDegradation } from './analyses/chaos-degradation.js';
export { costPerMillionCommits, type ConfigCost, type KindCost } from './analyses/cost.js';

export { renderPlot, noteSvg, newDocument, FONT, type PlotSpec, type RenderOptions } from './charts/render.js';
export type { Panel } from './charts/panel.js';
export { sweepFigure, type SweepFigureOptions } from './charts/sweep-figure.js';
export { chaosFigure } from './charts/chaos-figure.js';
export { runCharts, WRITE_PHASES, type RunChartOptions } from './charts/run-charts.js';
export { faultWindows, faultWindowsFromHistory } from './charts/fault-windows.js';
export { decodeHistogram, spectrum, percentileOf, type SpectrumPoint } from './charts/hdr.js';
