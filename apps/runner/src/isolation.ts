import { dumpObjects, MemoryObjectStore, type ObjectStore, ObjectStoreDecorator } from '@manifest-lab/manifest-core';
import { type CheckResult, checkHistory, checkWhiteBox, type History, pairHistory, type WhiteBoxResult } from '@manifest-lab/verify';
import type { WorkloadRun } from '@manifest-lab/workload';

/** The model a fusio-manifest run is held to: one CAS'd HEAD gives strict serializability. */
export const RUN_MODEL = 'strict-serializable';

/** `verify.json`: the black-box verdict, and the white-box replay when the store could be read. */
export interface VerifyDocument {
  readonly schema: 'manifest-lab/verify@1';
  readonly blackBox: CheckResult;
  readonly whiteBox?: WhiteBoxResult;
}

/** What `run.json` records of the isolation checks (the full results go to verify.json). */
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
  /** The white-box replay of the stored objects, when the backend could be dumped. */
  readonly white_box?: { readonly valid: boolean; readonly anomaly_types: readonly string[]; readonly failed_commits_visible: number };
}

/**
 * Check a finished run: its history against strict serializability, and the objects it left in
 * storage (read back after the run) against its history.
 */
export async function verifyRun(run: WorkloadRun): Promise<{ document: VerifyDocument; summary: IsolationSummary; objectKeys: string[] }> {
  // An embedded store is read directly, under any wrappers: through its API it would wait on
  // simulated latency of a virtual clock that has stopped.
  let inner: ObjectStore = run.store;
  while (inner instanceof ObjectStoreDecorator) inner = inner.inner;
  const objects = inner instanceof MemoryObjectStore ? inner.dump() : await dumpObjects(run.store, `${run.prefix}/`);
  const document = checkBoth(pairHistory(run.history), objects, run.prefix, RUN_MODEL, 'list-append');
  return { document, summary: summarize(document.blackBox, document.whiteBox), objectKeys: objects.map((o) => o.key) };
}

export function verifyDocument(blackBox: CheckResult, whiteBox?: WhiteBoxResult): VerifyDocument {
  return { schema: 'manifest-lab/verify@1', blackBox, ...(whiteBox === undefined ? {} : { whiteBox }) };
}

export function checkBoth(history: History, objects: Parameters<typeof checkWhiteBox>[0] | undefined, prefix: string, model: string, workload: 'list-append' | 'rw-register') {
  const blackBox = checkHistory(history, { workload, model });
  const whiteBox = objects === undefined ? undefined : checkWhiteBox(objects, prefix, history);
  return verifyDocument(blackBox, whiteBox);
}

export function summarize(result: CheckResult, whiteBox?: WhiteBoxResult): IsolationSummary {
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
    ...(whiteBox === undefined
      ? {}
      : { white_box: { valid: whiteBox.valid, anomaly_types: whiteBox.anomalyTypes, failed_commits_visible: whiteBox.stats.failedVisible } }),
  };
}
