/**
 * The HEAD-CAS conflict model against what happened: the model predicts the chance another
 * commit lands inside an attempt's snapshot→CAS window (Poisson in the others' commit rate).
 */
import { axisValues, num, rateOf } from '../rates.js';
import type { Proportion } from '../stats.js';
import type { Cell, SweepResult } from '../types.js';

export interface ModelComparison {
  readonly id: string;
  readonly axes: Readonly<Record<string, Cell>>;
  /** Precondition failures per write attempt, with its Wilson interval. */
  readonly measured: Proportion;
  /** The model's per-attempt conflict probability. */
  readonly model: number | null;
  /** model / measured point estimate; null when nothing conflicted. */
  readonly ratio: number | null;
  /** Does the model fall inside the measured rate's 95 % interval? */
  readonly modelInInterval: boolean | null;
  /** Conflicts over the attempts the model was compared on (windows ending in the measured window). */
  readonly windowMeasured: number | null;
  /** The runner's model / windowMeasured. */
  readonly windowRatio: number | null;
  /** Attempts with another commit inside their window: the model without its Poisson assumption. */
  readonly direct: number | null;
  readonly windows: number | null;
}

export interface ModelVsMeasured {
  readonly configs: readonly ModelComparison[];
  /** Configurations whose model rate lies inside the measured interval, of those comparable. */
  readonly inside: number;
  readonly compared: number;
}

export function modelVsMeasured(sweep: SweepResult): ModelVsMeasured {
  const configs = sweep.configs.map((c): ModelComparison => {
    const measured = rateOf(c, 'precondition_failure_rate');
    const model = num(c.row, 'model_conflict_rate');
    const cm = c.summary?.conflict_model;
    return {
      id: c.id,
      axes: axisValues(sweep, c.row),
      measured,
      model,
      ratio: model === null || measured.value === null || measured.value === 0 ? null : model / measured.value,
      modelInInterval: model === null || measured.lo === null || measured.hi === null ? null : model >= measured.lo && model <= measured.hi,
      windowMeasured: cm?.measured_conflict_rate ?? null,
      windowRatio: num(c.row, 'model_to_measured_ratio'),
      direct: num(c.row, 'direct_conflict_rate'),
      windows: cm?.windows ?? null,
    };
  });
  const comparable = configs.filter((c) => c.modelInInterval !== null);
  return { configs, inside: comparable.filter((c) => c.modelInInterval).length, compared: comparable.length };
}
