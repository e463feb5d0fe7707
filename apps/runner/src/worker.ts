/** A sweep worker thread: runs one configuration at a time and writes its files. */
import { parentPort } from 'node:worker_threads';
import { runWorkload, type WorkloadConfig } from '@manifest-lab/workload';
import { type Backend, closeStore, openBackend } from './backend.js';
import { verifyRun } from './isolation.js';
import { runDocument, writeRunOutput } from './run-output.js';

export interface WorkerTask {
  readonly id: string;
  readonly dir: string;
  readonly sweep: string;
  readonly backend: Backend;
  readonly config: WorkloadConfig;
}

export type WorkerReply =
  | { readonly type: 'done'; readonly id: string; readonly doc: ReturnType<typeof runDocument> }
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
      run = await runWorkload(task.config, { prefix, ...(store === undefined ? {} : { store }) });
      verified = await verifyRun(run);
    } finally {
      closeStore(store);
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
