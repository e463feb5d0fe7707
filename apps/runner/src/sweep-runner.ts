import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { RealClock } from '@manifest-lab/manifest-core';
import { toCsv } from './csv.js';
import { writeFileAtomic } from './files.js';
import type { Backend } from './backend.js';
import { createProgress } from './progress.js';
import { type RunDocument, readRunDocument } from './run-output.js';
import { canonicalJson, expandSweep, type SweepDefinition, type SweepPoint } from './sweep-file.js';
import type { WorkerReply, WorkerTask } from './worker.js';

export const RESULTS_CSV = 'results.csv';
export const SWEEP_JSON = 'sweep.json';

export interface SweepOptions {
  readonly definition: SweepDefinition;
  /** Where the sweep file came from, for messages. */
  readonly source: string;
  readonly outDir: string;
  /** Where the manifests live; default the embedded store. */
  readonly backend?: Backend;
  /** Worker threads; default one per core. */
  readonly concurrency?: number;
  readonly progress?: boolean;
}

export interface SweepOutcome {
  readonly docs: RunDocument[];
  readonly ran: number;
  readonly skipped: number;
  readonly wallMs: number;
}

/**
 * Run every configuration of a sweep on a pool of worker threads. A configuration whose
 * `run.json` already exists is skipped, so an interrupted sweep resumes where it stopped.
 * `results.csv` is written (atomically) once every configuration has a result.
 */
export async function runSweep(opts: SweepOptions): Promise<SweepOutcome> {
  const clock = new RealClock();
  const t0 = clock.now();
  const points = expandSweep(opts.definition, opts.source);
  const docs = new Map<string, RunDocument>();
  const pending: SweepPoint[] = [];
  for (const p of points) {
    const existing = await readRunDocument(join(opts.outDir, p.id));
    if (existing !== null && canonicalJson(existing.config) === canonicalJson(p.config)) docs.set(p.id, existing);
    else pending.push(p);
  }
  const skipped = docs.size;
  const progress = opts.progress === false ? undefined : createProgress(opts.definition.name, points.length);
  for (const p of points) if (docs.has(p.id)) progress?.tick(`${p.id} (done before)`);

  const workers = Math.max(1, Math.min(opts.concurrency ?? availableParallelism(), pending.length));
  let failure: Error | undefined;
  const queue = [...pending];
  await Promise.all(
    pending.length === 0
      ? []
      : Array.from({ length: workers }, async () => {
          const worker = new Worker(new URL('../dist/worker.js', import.meta.url));
          try {
            for (let p = queue.shift(); p !== undefined && failure === undefined; p = queue.shift()) {
              const reply = await runOn(worker, {
                id: p.id,
                dir: join(opts.outDir, p.id),
                sweep: opts.definition.name,
                backend: opts.backend ?? { kind: 'memory' },
                config: p.config,
              });
              if (reply.type === 'error') {
                failure = new Error(`config ${p.id} ${canonicalJson(p.axisValues)} failed: ${reply.message}`);
                if (reply.stack !== undefined) failure.stack = reply.stack;
                break;
              }
              docs.set(p.id, reply.doc);
              progress?.tick(p.id);
            }
          } finally {
            await worker.terminate();
          }
        }),
  );
  progress?.stop();
  if (failure !== undefined) throw failure;

  const ordered = points.map((p) => docs.get(p.id) as RunDocument);
  await writeFileAtomic(join(opts.outDir, RESULTS_CSV), toCsv(ordered));
  await writeFileAtomic(
    join(opts.outDir, SWEEP_JSON),
    `${JSON.stringify({ schema: 'manifest-lab/sweep@1', definition: opts.definition, runs: points.map((p) => ({ id: p.id, axes: p.axisValues })) }, null, 2)}\n`,
  );
  return { docs: ordered, ran: pending.length, skipped, wallMs: clock.now() - t0 };
}

function runOn(worker: Worker, task: WorkerTask): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: WorkerReply) => {
      worker.off('error', onError);
      resolve(reply);
    };
    const onError = (err: Error) => {
      worker.off('message', onMessage);
      reject(err);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.postMessage(task);
  });
}
