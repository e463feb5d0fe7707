import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RequestCounts } from '@manifest-lab/manifest-core';
import {
  historyToJsonl,
  type SeriesPoint,
  type WorkloadConfig,
  type WorkloadMetricsReport,
  type WorkloadRun,
} from '@manifest-lab/workload';
import type { ChaosRecord } from './chaos-record.js';
import { writeFileAtomic } from './files.js';
import type { IsolationSummary, VerifyDocument } from './isolation.js';
import { codeVersion } from './code-version.js';
import { VERSION } from './version.js';

export const RUN_FILE = 'run.json';
export const HISTORY_FILE = 'history.jsonl';
export const VERIFY_FILE = 'verify.json';

/** `run.json`: the source of truth for one run. Byte-identical for the same seed, config and code. */
export interface RunDocument {
  readonly schema: 'manifest-lab/run@2';
  /** The sweep this run belongs to, or `baseline`. */
  readonly sweep: string;
  readonly id: string;
  readonly config: WorkloadConfig;
  readonly seed: number;
  /** `code`: a hash of the built code that ran (see `codeVersion`). */
  readonly versions: { readonly 'manifest-lab': string; readonly node: string; readonly code: string };
  readonly backend: string;
  readonly prefix: string;
  /** Time the run covered, ms (virtual in simulation). */
  readonly elapsed_ms: number;
  readonly metrics: WorkloadMetricsReport;
  readonly time_series: readonly SeriesPoint[];
  /** Every request of the run, warm-up included. */
  readonly request_counts: RequestCounts;
  readonly history: { readonly file: string; readonly events: number };
  /** The isolation check of this run's history (details in verify.json). */
  readonly isolation: IsolationSummary;
  /** Chaos runs: the fault plan, what each nemesis did, and what the run shows (lost, doubled, blocked work). */
  readonly chaos?: ChaosRecord;
}

export function runDocument(
  run: WorkloadRun,
  meta: { sweep: string; id: string; backend: string },
  isolation: IsolationSummary,
  chaos?: ChaosRecord,
): RunDocument {
  return {
    schema: 'manifest-lab/run@2',
    sweep: meta.sweep,
    id: meta.id,
    config: run.config,
    seed: run.config.seed,
    versions: { 'manifest-lab': VERSION, node: process.version, code: codeVersion() },
    backend: meta.backend,
    prefix: run.prefix,
    elapsed_ms: Math.round(run.elapsedMs * 1000) / 1000,
    metrics: run.metrics,
    time_series: run.timeSeries,
    request_counts: run.requestCounts,
    history: { file: HISTORY_FILE, events: run.history.length },
    isolation,
    ...(chaos === undefined ? {} : { chaos }),
  };
}

/** Write the history and its check, then `run.json` — last, so its presence marks a finished run. */
export async function writeRunOutput(dir: string, run: WorkloadRun, doc: RunDocument, check: VerifyDocument): Promise<void> {
  await writeFileAtomic(join(dir, HISTORY_FILE), historyToJsonl(run.history));
  await writeFileAtomic(join(dir, VERIFY_FILE), `${JSON.stringify(check, null, 2)}\n`);
  await writeFileAtomic(join(dir, RUN_FILE), `${JSON.stringify(doc, null, 2)}\n`);
}

/** The finished run in `dir`, or null if there is none (or it is unreadable, so it reruns). */
export async function readRunDocument(dir: string): Promise<RunDocument | null> {
  try {
    const doc = JSON.parse(await readFile(join(dir, RUN_FILE), 'utf8')) as RunDocument;
    // A run made by other code is stale: it reruns.
    return doc.schema === 'manifest-lab/run@2' && doc.isolation !== undefined && doc.versions?.code === codeVersion() ? doc : null;
  } catch {
    return null;
  }
}
