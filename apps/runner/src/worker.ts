/** A sweep worker thread: runs one replica of one configuration at a time and writes its files. */
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { chaosEnvironment, type FaultPlan } from '@manifest-lab/chaos';
import { dumpObjects, MemoryObjectStore } from '@manifest-lab/manifest-core';
import { runWorkload, type WorkloadConfig, type WorkloadObserver } from '@manifest-lab/workload';
import { type Backend, closeStore, openBackend } from './backend.js';
import { chaosEnvironmentParts, chaosRecord } from './chaos-record.js';
import { codeVersion } from './code-version.js';
import { writeFileAtomic } from './files.js';
import { verifyRun } from './isolation.js';
import { bufferedObserver, type Observation } from './observations.js';
import { startRealTimeFaults } from './real-faults.js';
import { type RunDocument, runDocument, writeRunOutput } from './run-output.js';
import { type SoakRun, type SoakSettings, startSoakRun } from './soak/soak-run.js';
import { STORE_DUMP_FILE, writeStoreDump } from './store-dump.js';

export interface WorkerTask {
  /** The run's id: `<config id>/<replica dir>`. */
  readonly id: string;
  readonly dir: string;
  readonly sweep: string;
  readonly backend: Backend;
  readonly config: WorkloadConfig;
  /** Also write every stored object to `store.jsonl`. */
  readonly dumpStore?: boolean;
  /** Write the run's spans (Chrome Trace Event JSON) to this file. */
  readonly traceFile?: string;
  /** Report each second of run time. */
  readonly progress?: boolean;
  /** Faults to inject into every client's store (chaos runs). */
  readonly faultPlan?: FaultPlan;
  /** Real-time chaos: the Toxiproxy server (API URL) that applies the network windows. */
  readonly toxiproxyUrl?: string;
  /** Post live observations (`--metrics-port`), in batches at least once a second of run time. */
  readonly observe?: boolean;
  /** A soak run: history spilled to disk as it is recorded, buckets sampled, `soak.csv` / `soak.json` written. */
  readonly soak?: SoakSettings;
}

export type WorkerReply =
  | { readonly type: 'done'; readonly id: string; readonly doc: RunDocument }
  | { readonly type: 'progress'; readonly id: string; readonly elapsedMs: number; readonly durationMs: number }
  | { readonly type: 'observe'; readonly id: string; readonly batch: Observation[] }
  | { readonly type: 'error'; readonly id: string; readonly message: string; readonly stack?: string };

if (parentPort === null) throw new Error('worker.js must run as a worker thread');
const port = parentPort;
// Fingerprint the built code now, as this thread loads it: every run.json it writes names it,
// and the sweep refuses a worker whose code is not the sweep's (a rebuild mid-sweep).
codeVersion();

port.on('message', async (task: WorkerTask) => {
  try {
    // Real time: network windows on a fault proxy in front of S3, cpu windows burned for real.
    const real =
      task.config.time === 'real' && task.faultPlan !== undefined
        ? await startRealTimeFaults(task.faultPlan, task.backend, { toxiproxyUrl: task.toxiproxyUrl, seed: task.config.seed })
        : undefined;
    let store: ReturnType<typeof openBackend>;
    try {
      store = openBackend(real?.backend ?? task.backend);
    } catch (err) {
      await real?.stop().catch(() => undefined); // the error that matters is the one above
      throw err;
    }
    // An embedded store holds one run only: a fixed prefix keeps a run's bytes the same wherever
    // its replica sits (so a seed replays byte for byte). Shared stores get one prefix per run.
    const prefix = task.backend.kind === 'memory' ? 'run' : `${task.backend.prefix}/${task.id}`;
    // Every chaos run (a fault plan, even an empty one) reads its final state for the findings.
    const chaos = task.faultPlan === undefined ? undefined : chaosEnvironment(real?.storePlan ?? task.faultPlan);
    const live = task.observe === true ? bufferedObserver((batch) => port.postMessage({ type: 'observe', id: task.id, batch } satisfies WorkerReply)) : undefined;
    const progress = task.progress === true;
    let soak: SoakRun | undefined;
    let verified: Awaited<ReturnType<typeof verifyRun>>;
    let run: Awaited<ReturnType<typeof runWorkload>>;
    // Everything after the store is opened sits in this try: a long-lived worker must close the
    // store (an S3 client's sockets) and stop the fault proxy whatever throws, the soak's set-up too.
    try {
      if (task.soak !== undefined && chaos !== undefined) throw new Error('a soak run takes no fault plan');
      soak = task.soak === undefined ? undefined : startSoakRun({ dir: task.dir, backend: task.backend, prefix, config: task.config, soak: task.soak });
      const observe = bothObservers(live?.observer, soak?.env.observe);
      run = await runWorkload(task.config, {
        prefix,
        ...(store === undefined ? {} : { store }),
        ...(task.traceFile === undefined ? {} : { trace: true }),
        ...(chaos === undefined ? {} : { ...chaosEnvironmentParts(chaos), readFinalState: true }),
        ...(real === undefined ? {} : { faultWindows: real.faultWindows }),
        ...(soak === undefined ? {} : { historySink: soak.env.historySink, wrapStore: soak.env.wrapStore, background: soak.env.background, manifestFactory: soak.env.manifestFactory }),
        ...(observe === undefined ? {} : { observe }),
        ...(progress || live !== undefined
          ? {
              onProgress: (elapsedMs, durationMs) => {
                live?.flush();
                if (progress) port.postMessage({ type: 'progress', id: task.id, elapsedMs, durationMs } satisfies WorkerReply);
              },
            }
          : {}),
      });
      live?.flush();
      // A soak's history was spilled as it was recorded: read it back to verify and write it.
      if (soak !== undefined) run = { ...run, history: (await soak.finish()).history };
      await real?.calm(); // the checks read the store back without faults
      verified = await verifyRun(run);
      if (task.dumpStore === true) {
        const objects = run.store instanceof MemoryObjectStore ? run.store.dump() : await dumpObjects(run.store, `${run.prefix}/`);
        await writeStoreDump(join(task.dir, STORE_DUMP_FILE), objects);
      }
    } catch (err) {
      soak?.abandon();
      throw err;
    } finally {
      live?.flush();
      closeStore(store);
      await real?.stop();
    }
    if (task.traceFile !== undefined && run.trace !== undefined) {
      await writeFileAtomic(task.traceFile, run.trace.toJson({ run: task.id, seed: task.config.seed, time: task.config.time }));
    }
    const { document, summary } = verified;
    const chaosSection =
      chaos === undefined || task.faultPlan === undefined
        ? undefined
        : chaosRecord(
            task.faultPlan,
            chaos,
            run,
            document,
            verified.objectKeys,
            real === undefined
              ? undefined
              : {
                  cpu_burns: real.cpuBurns(),
                  ...(real.proxyCounts() === undefined ? {} : { proxy: { ...real.proxyCounts() } }),
                  ...(real.toxiproxy === undefined ? {} : { toxiproxy: real.toxiproxy.events.map((e) => ({ ...e })) }),
                },
          );
    const doc = runDocument(run, { sweep: task.sweep, id: task.id, backend: task.backend.kind }, summary, chaosSection);
    await writeRunOutput(task.dir, run, doc, document);
    port.postMessage({ type: 'done', id: task.id, doc } satisfies WorkerReply);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    port.postMessage({ type: 'error', id: task.id, message: e.message, ...(e.stack ? { stack: e.stack } : {}) } satisfies WorkerReply);
  }
});

/** One observer telling both (either may be absent). */
function bothObservers(a: WorkloadObserver | undefined, b: WorkloadObserver | undefined): WorkloadObserver | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return {
    request: (kind, ms, ok) => {
      a.request?.(kind, ms, ok);
      b.request?.(kind, ms, ok);
    },
    transaction: (role, outcome, ms, attempts) => {
      a.transaction?.(role, outcome, ms, attempts);
      b.transaction?.(role, outcome, ms, attempts);
    },
  };
}
