/**
 * @manifest-lab/report: manifest-lab result directories as arquero tables, analyses with
 * 95 % intervals, and Observable Plot figures rendered to standalone SVG under jsdom.
 */
export const REPORT_VERSION = '0.1.0';

export { type BestWorst, bestWorst } from './analyses/best-worst.js';
export { type ChaosDegradation, chaosDegradation, type ScenarioDegradation } from './analyses/chaos-degradation.js';
export { type ConfigCost, costPerMillionCommits, type KindCost } from './analyses/cost.js';
export { type AxisEffect, type AxisLevel, type MarginalEffects, marginalEffects } from './analyses/marginal-effects.js';
export { type ModelComparison, type ModelVsMeasured, modelVsMeasured } from './analyses/model-vs-measured.js';
export { OVERLAP_AXIS, type OverlapEffect, type OverlapSide, type OverlapVerdict, overlapEffect } from './analyses/overlap-effect.js';
export {
  type HazardProfileCell,
  type HazardsByProfile,
  hazardsByProfile,
  PROFILE_AXIS,
  type ProfileSummary,
  profileComparison,
  profileOfHazards,
  sweepOfProfile,
} from './analyses/profiles.js';
export { DEFAULT_THRESHOLD, type IsolationGroup, type MissingItem, type Provenance, type Readiness, type ReadinessOptions, readiness, type SweepRole, sweepRole } from './analyses/readiness.js';
export { COMPACTION_FIELDS, type CompactionLevel, type CompactionSection, type CompactionSweep } from './analyses/readiness-compaction.js';
export type { BoundaryCell, BoundaryEnd, EnvelopeCell, EnvelopeConfig, EnvelopeSection, EnvelopeSweep, Verdict } from './analyses/readiness-envelope.js';
export type { Evidence, ResultKind, RunLink } from './analyses/readiness-evidence.js';
export { boundaryEndText, estimateText, FIELD_LABELS, percent, rateText, settingText } from './analyses/readiness-format.js';
export { type CrashFinding, type HazardFinding, type HazardsSection, hazardProfiles } from './analyses/readiness-hazards.js';
export { ISOLATION_NAMES, type MarkdownOptions, NO_QUESTION, RUNS_SHOWN, renderReadinessMarkdown } from './analyses/readiness-markdown.js';
export { MITIGATIONS, type Mitigation } from './analyses/readiness-mitigations.js';
export { headCached, RESEARCH_DEFAULTS, RESEARCH_KNOBS, type ResearchKnobs, type ResearchSweep, researchKnobs } from './analyses/readiness-research.js';
export type { Estimate, RetryMetric, RetryScore, RetrySweep, Standing } from './analyses/readiness-retry.js';
export { SUMMARY_TOPICS, type SummaryItem, type SummaryTopic } from './analyses/readiness-summary.js';
export { type UnderThreshold, underThreshold } from './analyses/under-threshold.js';
export { chaosFigure } from './charts/chaos-figure.js';
export { faultWindows, faultWindowsFromHistory } from './charts/fault-windows.js';
export { decodeHistogram, percentileOf, type SpectrumPoint, spectrum } from './charts/hdr.js';
export type { Panel } from './charts/panel.js';
export { FONT, newDocument, noteSvg, type PlotSpec, type RenderOptions, renderPlot } from './charts/render.js';
export { type RunChartOptions, runCharts, WRITE_PHASES } from './charts/run-charts.js';
export { type SweepFigureOptions, sweepFigure } from './charts/sweep-figure.js';
export { parseCsv, rowsOf } from './csv.js';
export { ReportInputError } from './errors.js';
export { loadResults, RUN_SCHEMA } from './load.js';
export { PRICE_SOURCE, pricePerRequest, S3_STANDARD_PER_THOUSAND } from './prices.js';
export { type ConfigRate, countsOf, type GroupRate, groupRates, RATE_LABELS, RATE_METRICS, type RateMetric, type RateSource, rateOf } from './rates.js';
export { type Interval, newcombe, overlaps, type Proportion, pooled, tQuantile975, wilson, Z95 } from './stats.js';
export type * from './types.js';
