import { type CheckResult, checkHistory, pairHistory } from '@manifest-lab/verify';
import type { WorkloadRun } from '@manifest-lab/workload';

/** The model a fusio-manifest run is held to: one CAS'd HEAD gives strict serializability. */
export const RUN_MODEL = 'strict-serializable';

/** What `run.json` records of the isolation check (the full result goes to verify.json). */
export interface IsolationSummary {
  readonly checker: 'list-append';
  readonly model: string;
  readonly valid: true | false | 'unknown';
  readonly anomaly_types: readonly string[];
  readonly not_models: readonly string[];
  /** Up to three explained examples per anomaly type. */
  readonly examples: Readonly<Record<string, readonly string[]>>;
  readonly txns: number;
  readonly edges: number;
}

/** Check a finished run's history against strict serializability. */
export function verifyRun(run: WorkloadRun): { result: CheckResult; summary: IsolationSummary } {
  const result = checkHistory(pairHistory(run.history), { workload: 'list-append', model: RUN_MODEL });
  return { result, summary: summarize(result) };
}

export function summarize(result: CheckResult): IsolationSummary {
  return {
    checker: 'list-append',
    model: result.model,
    valid: result.valid,
    anomaly_types: result.anomalyTypes,
    not_models: result.notModels,
    examples: Object.fromEntries(
      Object.entries(result.anomalies).map(([t, list]) => [t, list.slice(0, 3).map((a) => a.explanation)]),
    ),
    txns: result.stats.txns,
    edges: result.stats.edges,
  };
}
