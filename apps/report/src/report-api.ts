/** The parts of @manifest-lab/report the site uses, in one place. */
export type { ChaosResult, HazardsResult, Panel, RunDoc, SweepResult } from '@manifest-lab/report';
export {
  chaosDegradation,
  chaosFigure,
  loadResults,
  newDocument,
  overlapEffect,
  ReportInputError,
  runCharts,
  sweepFigure,
  underThreshold,
  wilson,
} from '@manifest-lab/report';
