/**
 * One soak run inside a sweep worker: the workload environment that spills the history and
 * samples buckets, and, once the run has ended, its history read back for verification and
 * its `soak.csv` / `soak.json`.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type ObjectStore, RealClock } from '@manifest-lab/manifest-core';
import type { HistoryEvent, WorkloadConfig, WorkloadEnvironment, WorkloadObserver } from '@manifest-lab/workload';
import { type Backend, closeStore, openBackend } from '../backend.js';
import { RUN_FILE } from '../run-output.js';
import { analyseSoak, type SoakAnalysis } from './analysis.js';
import type { SoakBucket } from './buckets.js';
import { type CensusReader, censusOf, embeddedReader, listingReader } from './census.js';
import { DecodedCaches } from './decoded-caches.js';
import { openHistorySpill } from './history-spill.js';
import { sampleMemory } from './memory.js';
import { type Sampler, startSampler } from './sampler.js';
import { SOAK_CSV, SOAK_JSON, writeSoakOutput } from './soak-output.js';

/** A sweep file's `soak` block. */
export interface SoakSettings {
  /** Length of a bucket of run time, seconds. */
  readonly bucket_s: number;
}

export const DEFAULT_BUCKET_S = 60;

/** Where the history goes while the run lasts (removed once it is read back). */
export const HISTORY_SPILL_FILE = 'history.spill.jsonl';

export interface SoakRun {
  /** Environment parts for `runWorkload`; `observe` is the sampler's, to combine with any other. */
  readonly env: Pick<WorkloadEnvironment, 'historySink' | 'wrapStore' | 'background' | 'manifestFactory'> & { readonly observe: WorkloadObserver };
  /** After the run: the whole history (for verification), with `soak.csv` and `soak.json` written. */
  finish(): Promise<{ history: HistoryEvent[]; analysis: SoakAnalysis }>;
  /** After a failed run: remove the spill and any `soak.csv` / `soak.json` written, close the census store. */
  abandon(): void;
}

export function startSoakRun(opts: {
  readonly dir: string;
  readonly backend: Backend;
  readonly prefix: string;
  readonly config: WorkloadConfig;
  readonly soak: SoakSettings;
}): SoakRun {
  const { config, prefix } = opts;
  const wall = new RealClock();
  const t0 = wall.now();
  // A run re-done here (another bucket length, or no reuse) writes `soak.csv` / `soak.json` before
  // it is verified and `run.json` last: a stale `run.json` would mark a run that then fails as
  // finished, beside the new analysis. Without one, a failure anywhere leaves the run to redo.
  rmSync(join(opts.dir, RUN_FILE), { force: true });
  // A real backend's census goes through a store of its own, so the run's request counts stay the run's.
  const censusStore = opts.backend.kind === 'memory' ? undefined : openBackend(opts.backend);
  let spill: ReturnType<typeof openHistorySpill>;
  try {
    spill = openHistorySpill(join(opts.dir, HISTORY_SPILL_FILE));
  } catch (err) {
    closeStore(censusStore);
    throw err;
  }
  let runStore: ObjectStore | undefined;
  let sampler: Sampler | undefined;
  const buckets: SoakBucket[] = [];
  const caches = new DecodedCaches();
  return {
    env: {
      historySink: spill.sink,
      manifestFactory: caches.factory,
      // Identity: only remembers the run's store, for a census of the embedded one.
      wrapStore: (store) => {
        runStore = store;
        return store;
      },
      observe: { transaction: (role, outcome, ms, attempts) => sampler?.observer.transaction?.(role, outcome, ms, attempts) },
      background: ({ clock }) => {
        const reader: CensusReader | undefined =
          censusStore === undefined ? (runStore === undefined ? undefined : embeddedReader(runStore)) : listingReader(censusStore);
        if (reader === undefined) throw new Error('soak: the run store cannot be read for a census');
        sampler = startSampler({
          clock,
          bucketMs: opts.soak.bucket_s * 1000,
          durationMs: config.duration_s * 1000,
          warmupMs: config.warmup_s * 1000,
          census: async () => censusOf(prefix, await reader(prefix), clock.wallNow()),
          memory: sampleMemory,
          caches: () => caches.counts(),
          historyEvents: spill.written,
          wallS: () => Math.round(wall.now() - t0) / 1000,
          onBucket: (b) => buckets.push(b),
        });
        return sampler;
      },
    },
    finish: async () => {
      closeStore(censusStore);
      // Before the history is read back: the heap then holds the run's state only.
      const analysis = analyseSoak(buckets, opts.soak.bucket_s, caches.calibrate());
      await writeSoakOutput(opts.dir, buckets, analysis);
      return { history: spill.readBack(), analysis };
    },
    abandon: () => {
      closeStore(censusStore);
      spill.discard();
      for (const file of [SOAK_CSV, SOAK_JSON]) rmSync(join(opts.dir, file), { force: true });
    },
  };
}
