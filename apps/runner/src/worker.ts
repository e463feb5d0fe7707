/** A sweep worker thread: runs one replica of one configuration at a time and writes its files. */
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { type FaultPlan, FaultyObjectStore, faultWindowRecords } from '@manifest-lab/chaos';
import { type Clock, dumpObjects, MemoryObjectStore, type ObjectStore, type Random } from '@manifest-lab/manifest-core';
import { runWorkload, type WorkloadConfig } from '@manifest-lab/workload';
import { type Backend, closeStore, openBackend } from './backend.js';
import { writeFileAtomic } from './files.js';
import { verifyRun } from './isolation.js';
import { type RunDocument, runDocument, writeRunOutput } from './run-output.js';
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
}

export type WorkerReply =
  | { readonly type: 'done'; readonly id: string; readonly doc: RunDocument }
  | { readonly type: 'progress'; readonly id: string; readonly elapsedMs: number; readonly durationMs: number }
  | { readonly type: 'error'; readonly id: string; readonly message: string; readonly stack?: string };

if (parentPort === null) throw new Error('worker.js must run as a worker thread');
const port = parentPort;

port.on('message', async (task: WorkerTask) => {
  try {
    const store = openBackend(task.backend);
    const prefix = task.backend.kind === 'memory' ? `${task.sweep}/${task.id}` : `${task.backend.prefix}/${task.id}`;
    let verified: Awaited<ReturnType<typeof verifyRun>>;
    let run: Awaited<ReturnType<typeof runWorkload>>;
    try {
      run = await runWorkload(task.config, {
        prefix,
        ...(store === undefined ? {} : { store }),
        ...(task.traceFile === undefined ? {} : { trace: true }),
        ...(task.faultPlan === undefined || task.faultPlan.windows.length === 0
          ? {}
          : {
              wrapClientStore: (s: ObjectStore, client: string, clock: Clock, random: Random) =>
                new FaultyObjectStore(s, task.faultPlan as FaultPlan, client, clock, random),
              faultWindows: faultWindowRecords(task.faultPlan),
            }),
        ...(task.progress === true
          ? { onProgress: (elapsedMs, durationMs) => port.postMessage({ type: 'progress', id: task.id, elapsedMs, durationMs } satisfies WorkerReply) }
          : {}),
      });
      verified = await verifyRun(run);
      if (task.dumpStore === true) {
        const objects = run.store instanceof MemoryObjectStore ? run.store.dump() : await dumpObjects(run.store, `${run.prefix}/`);
        await writeStoreDump(join(task.dir, STORE_DUMP_FILE), objects);
      }
    } finally {
      closeStore(store);
    }
    if (task.traceFile !== undefined && run.trace !== undefined) {
      await writeFileAtomic(task.traceFile, run.trace.toJson({ run: task.id, seed: task.config.seed, time: task.config.time }));
    }
    const { document, summary } = verified;
    const doc = runDocument(run, { sweep: task.sweep, id: task.id, backend: task.backend.kind }, summary);
    await writeRunOutput(task.dir, run, doc, document);
    port.postMessage({ type: 'done', id: task.id, doc } satisfies WorkerReply);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    port.postMessage({ type: 'error', id: task.id, message: e.message, ...(e.stack ? { stack: e.stack } : {}) } satisfies WorkerReply);
  }
});
