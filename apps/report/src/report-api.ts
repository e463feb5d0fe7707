/** The parts of @manifest-lab/report the site uses, in one place. */
export type { ChaosResult, Evidence, HazardsResult, Panel, Readiness, RunDoc, RunLink, SweepResult } from '@manifest-lab/report';
export {
  boundaryEndText,
  chaosDegradation,
  chaosFigure,
  estimateText,
  FIELD_LABELS,
  loadResults,
  newDocument,
  overlapEffect,
  percent,
  ReportInputError,
  rateText,
  readiness,
  runCharts,
  settingText,
  sweepFigure,
  underThreshold,
  wilson,
} from '@manifest-lab/report';
