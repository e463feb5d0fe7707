import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FaultPlan } from '@manifest-lab/chaos';
import { RealClock } from '@manifest-lab/manifest-core';
import type { Backend } from './backend.js';
import { codeVersion } from './code-version.js';
import { runsCsv, summariesCsv } from './csv.js';
import { writeFileAtomic } from './files.js';
import type { Observation } from './observations.js';
import { type ConfigSummary, poolReplicas } from './pool.js';
import { createProgress, type Progress } from './progress.js';
import { appendRunIndex } from './run-index.js';
import { type RunDocument, readRunDocument } from './run-output.js';
import { readSoakAnalysis } from './soak/soak-output.js';
import { canonicalJson, expandSweep, type SweepDefinition, type SweepPoint } from './sweep-file.js';
import { UserError } from './user-error.js';
import type { WorkerReply, WorkerTask } from './worker.js';

export const RESULTS_CSV = 'results.csv';
export const RUNS_CSV = 'runs.csv';
export const SWEEP_JSON = 'sweep.json';
export const SUMMARY_JSON = 'summary.json';

/** Exit code of an interrupted sweep (128 + SIGINT), as shells report Ctrl-C. */
export const INTERRUPTED_EXIT = 130;

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
  /** Reuse replicas whose `run.json` exists (resume); default true. */
  readonly reuse?: boolean;
  /** Every run also writes `store.jsonl`. */
  readonly dumpStore?: boolean;
  /** Replica 0 of the first configuration writes its spans here. */
  readonly traceFile?: string;
  /** Faults injected into every run (chaos). */
  readonly faultPlan?: FaultPlan;
  /** Real-time chaos: apply the plan's network windows on this Toxiproxy server (API URL) instead of the built-in proxy. */
  readonly toxiproxyUrl?: string;
  /** Aborting stops the sweep: finished runs stay on disk; `runSweep` throws `UserError` (exit 130). */
  readonly signal?: AbortSignal;
  /**
   * Append the configurations' headline lines to `<parent of outDir>/index.jsonl` (default
   * true). Off for probes inside another command's output, and for shards (`merge` appends the
   * merged result once).
   */
  readonly index?: boolean;
  /** Run only this shard's configurations (see `inShard`); `sweep.json` then records the shard. */
  readonly shard?: Shard;
  /** Live observations from every run, in batches (`--metrics-port`). */
  readonly onObservations?: (batch: Observation[]) => void;
  /**
   * The built code every run must come from; default this process's (`codeVersion`). A worker
   * started after `dist/` was rebuilt runs other code, and the sweep stops rather than pool it.
   */
  readonly code?: string;
}

/** Shard `index` (0-based) of `count`: the configurations whose index ≡ `index` (mod `count`). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Whether configuration `pointIndex` (its index in `expandSweep` order) belongs to `shard`. */
export function inShard(pointIndex: number, shard: Shard | undefined): boolean {
  return shard === undefined || pointIndex % shard.count === shard.index;
}

export interface SweepOutcome {
  /** One per configuration, in sweep order: its replicas pooled. */
  readonly summaries: ConfigSummary[];
  /** Every replica run, configuration by configuration. */
  readonly docs: RunDocument[];
  readonly ran: number;
  readonly skipped: number;
  readonly wallMs: number;
}

/** A replica's directory inside its configuration's. */
export function replicaDir(replica: number): string {
  return `r${String(replica).padStart(3, '0')}`;
}

interface PointState {
  readonly point: SweepPoint;
  readonly docs: Map<number, RunDocument>;
  planned: number;
  pending: number;
}

/**
 * Run every configuration of a sweep on a pool of worker threads, each replica with its own
 * seed. With `min_write_attempts`, a configuration whose replicas fall short gets more, in
 * batches sized from what it has so far (so the set of replicas, and the pooled row, do not
 * depend on thread timing). A replica whose `run.json` exists is reused, so an interrupted
 * sweep resumes where it stopped. `results.csv` (one pooled row per configuration), `runs.csv`
 * (one row per replica) and `sweep.json` are written, atomically, once everything has run.
 */
export async function runSweep(opts: SweepOptions): Promise<SweepOutcome> {
  const def = opts.definition;
  const code = opts.code ?? codeVersion();
  const clock = new RealClock();
  const t0 = clock.now();
  const points = expandSweep(def, opts.source).filter((p) => inShard(p.index, opts.shard));
  const states = points.map((point): PointState => ({ point, docs: new Map(), planned: 0, pending: 0 }));
  const queue: { state: PointState; replica: number }[] = [];
  let skipped = 0;
  let ran = 0;
  let progress: Progress | undefined;
  const single = points.length === 1 && def.replicas === 1 && def.min_write_attempts === 0;

  const taskFor = (s: PointState, replica: number): WorkerTask => ({
    id: `${s.point.id}/${replicaDir(replica)}`,
    dir: join(opts.outDir, s.point.id, replicaDir(replica)),
    sweep: def.name,
    backend: opts.backend ?? { kind: 'memory' },
    config: { ...s.point.config, seed: s.point.replicaSeed(replica) },
    ...(opts.dumpStore === true ? { dumpStore: true } : {}),
    ...(opts.faultPlan === undefined ? {} : { faultPlan: opts.faultPlan }),
    ...(opts.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: opts.toxiproxyUrl }),
    ...(opts.traceFile !== undefined && s.point.index === 0 && replica === 0 ? { traceFile: opts.traceFile } : {}),
    ...(single && opts.progress !== false ? { progress: true } : {}),
    ...(opts.onObservations === undefined ? {} : { observe: true }),
    ...(def.soak === undefined ? {} : { soak: def.soak }),
  });

  // While a plan reads finished runs from disk, workers must not take the queue for finished.
  let planning = 0;
  /**
   * Plan replicas [planned, to) of `s`: reuse finished ones, queue the rest. The reads come
   * first; the queueing and counting after them happen in one synchronous step, so no worker
   * can finish one of these replicas (and re-plan `s`) halfway through.
   */
  const plan = async (s: PointState, to: number) => {
    const from = s.planned;
    const reuse = opts.reuse !== false && opts.dumpStore !== true && opts.traceFile === undefined;
    planning++;
    let found: (RunDocument | null)[];
    try {
      found = await Promise.all(
        Array.from({ length: to - from }, async (_, i) => {
          if (!reuse) return null;
          const task = taskFor(s, from + i);
          const existing = await readRunDocument(task.dir);
          if (existing === null || canonicalJson(existing.config) !== canonicalJson(task.config)) return null;
          // A soak run is finished only with its analysis, sampled in the same buckets.
          if (def.soak !== undefined && (await readSoakAnalysis(task.dir))?.bucket_s !== def.soak.bucket_s) return null;
          return existing;
        }),
      );
    } finally {
      planning--;
    }
    for (const [i, existing] of found.entries()) {
      if (existing !== null) {
        s.docs.set(from + i, existing);
        skipped++;
      } else {
        queue.push({ state: s, replica: from + i });
        s.pending++;
      }
    }
    s.planned = to;
  };

  /** After a batch: how many replicas this configuration needs in all. */
  const target = (s: PointState): number => {
    if (def.min_write_attempts === 0) return s.planned;
    const have = [...s.docs.values()].reduce((a, d) => a + d.metrics.write.counters.attempts, 0);
    // A config that made no write attempt at all (no writers, rate 0) never will: stop.
    if (have === 0 || have >= def.min_write_attempts || s.planned >= def.max_replicas) return s.planned;
    const perReplica = have / s.planned;
    const more = Math.ceil((def.min_write_attempts - have) / perReplica);
    return Math.min(def.max_replicas, s.planned + Math.max(1, more));
  };

  // Plan until every configuration's finished replicas are enough (resumed ones included).
  const settle = async (s: PointState) => {
    while (s.pending === 0) {
      const want = target(s);
      if (want === s.planned) return;
      await plan(s, want);
    }
  };
  let interrupted = false;
  let wake: (() => void) | undefined;
  const inFlight = new Set<Worker>();
  const onAbort = () => {
    interrupted = true;
    for (const w of inFlight) void w.terminate();
    wake?.();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted === true) onAbort();
  for (const s of states) {
    if (interrupted) break;
    await plan(s, initialReplicas(def, s.point));
    await settle(s);
  }
  const total = () => states.reduce((a, s) => a + s.planned, 0);
  const showProgress = opts.progress !== false;
  if (showProgress) {
    progress = single
      ? createProgress(def.name, Math.ceil(points[0]?.config.duration_s ?? 0), process.stderr, 's')
      : createProgress(def.name, total(), process.stderr, 'runs');
    if (!single) for (let i = 0; i < skipped; i++) progress.tick('(done before)');
  }

  const concurrency = opts.concurrency ?? availableParallelism();
  // With min_write_attempts, later batches may need every thread even if the first is small.
  const workers = Math.max(1, Math.min(concurrency, def.min_write_attempts > 0 ? Math.max(queue.length, concurrency) : queue.length));
  let failure: Error | undefined;
  const idle = () => planning === 0 && states.every((s) => s.pending === 0);
  const wakeAll = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let shownSeconds = 0;

  await Promise.all(
    queue.length === 0 || interrupted
      ? []
      : Array.from({ length: workers }, async () => {
          const worker = new Worker(new URL('../dist/worker.js', import.meta.url));
          inFlight.add(worker);
          try {
            for (;;) {
              if (failure !== undefined || interrupted) break;
              const next = queue.shift();
              if (next === undefined) {
                if (idle()) break;
                // Another worker's batch may plan more replicas: wait for it.
                await new Promise<void>((resolve) => {
                  const prev = wake;
                  wake = () => {
                    prev?.();
                    resolve();
                  };
                });
                continue;
              }
              const { state: s, replica } = next;
              const task = taskFor(s, replica);
              const reply = await runOn(
                worker,
                task,
                (elapsedMs) => {
                  for (; shownSeconds < Math.floor(elapsedMs / 1000); shownSeconds++) progress?.tick(`t=${shownSeconds + 1} s`);
                },
                opts.onObservations,
              );
              if (interrupted || failure !== undefined) break;
              if (reply.type === 'error') {
                failure = new Error(`config ${s.point.id} ${canonicalJson(s.point.axisValues)} replica ${replica} failed: ${reply.message}`);
                if (reply.stack !== undefined) failure.stack = reply.stack;
                break;
              }
              if (reply.type !== 'done') continue;
              if (reply.doc.versions.code !== code) {
                failure = new UserError(
                  `The built code changed while sweep ${def.name} ran: it started with code ${code}, but a worker thread ran ${reply.doc.versions.code} (dist/ was rebuilt during the sweep — by \`pnpm build\`, or a type-check that emits). Results of two builds must not be pooled, so nothing was summarised. Rerun the same command once the build is done: runs made by that build are kept, the others are redone.`,
                );
                break;
              }
              ran++;
              s.docs.set(replica, reply.doc);
              s.pending--;
              if (!single) progress?.tick(task.id);
              if (s.pending === 0) {
                const before = s.planned;
                await settle(s);
                if (s.planned > before && !single) progress?.setTotal(total());
              }
              wakeAll();
            }
          } catch (err) {
            // A worker that died (e.g. out of memory): stop the others, fail the sweep.
            if (!interrupted && failure === undefined) failure = err instanceof Error ? err : new Error(String(err));
            for (const w of inFlight) if (w !== worker) void w.terminate();
          } finally {
            inFlight.delete(worker);
            await worker.terminate();
            wakeAll();
          }
        }),
  );
  opts.signal?.removeEventListener('abort', onAbort);
  progress?.stop();
  if (interrupted) {
    throw new UserError(
      `interrupted: ${ran + skipped} of ${total()} runs of sweep ${def.name} are saved in ${opts.outDir}; rerun the same command to resume.`,
      INTERRUPTED_EXIT,
    );
  }
  if (failure !== undefined) throw failure;

  const { summaries, docs } = await writeSweepResults(
    opts.outDir,
    def,
    states.map((s) => ({ point: s.point, docs: s.docs })),
    opts.shard,
  );
  if (opts.index !== false && opts.shard === undefined) await appendRunIndex(opts.outDir, summaries);
  return { summaries, docs, ran, skipped, wallMs: clock.now() - t0 };
}

/** `sweep.json` of a shard: the unsharded document plus this marker, which `merge` checks. */
export interface ShardMarker extends Shard {
  /** How many configurations the whole sweep has. */
  readonly configs: number;
  /** `codeVersion()` of the code that ran the shard. */
  readonly code: string;
}

/**
 * Pool each configuration's replicas and write its `summary.json`, then `runs.csv`,
 * `results.csv` and `sweep.json` — the end of a sweep, shared by `runSweep` and `merge` so a
 * merged result set is byte-identical to an unsharded one. `points` are in sweep order.
 */
export async function writeSweepResults(
  outDir: string,
  def: SweepDefinition,
  points: readonly { readonly point: SweepPoint; readonly docs: ReadonlyMap<number, RunDocument> }[],
  shard?: Shard,
): Promise<{ summaries: ConfigSummary[]; docs: RunDocument[] }> {
  const summaries: ConfigSummary[] = [];
  const docs: RunDocument[] = [];
  for (const s of points) {
    const replicas = [...s.docs.keys()].sort((a, b) => a - b);
    const runDocs = replicas.map((r) => s.docs.get(r) as RunDocument);
    const summary = poolReplicas(def.name, s.point.id, replicas.map(replicaDir), runDocs);
    await writeFileAtomic(join(outDir, s.point.id, SUMMARY_JSON), `${JSON.stringify(summary, null, 2)}\n`);
    summaries.push(summary);
    docs.push(...runDocs);
  }
  await writeFileAtomic(join(outDir, RUNS_CSV), runsCsv(docs));
  await writeFileAtomic(join(outDir, RESULTS_CSV), summariesCsv(summaries));
  const marker: ShardMarker | undefined =
    shard === undefined ? undefined : { ...shard, configs: expandSweep(def).length, code: codeVersion() };
  await writeFileAtomic(
    join(outDir, SWEEP_JSON),
    `${JSON.stringify(
      {
        schema: 'manifest-lab/sweep@2',
        definition: def,
        ...(marker === undefined ? {} : { shard: marker }),
        configs: points.map((s) => ({ id: s.point.id, axes: s.point.axisValues, replicas: s.docs.size })),
      },
      null,
      2,
    )}\n`,
  );
  return { summaries, docs };
}

/**
 * The first batch of replicas: with `min_write_attempts`, as many as the offered write load
 * (arrivals only, no retries) needs to reach it, so most configurations need no second batch.
 */
export function initialReplicas(def: SweepDefinition, point: SweepPoint): number {
  if (def.min_write_attempts === 0) return def.replicas;
  const c = point.config;
  const offered = c.num_writers * c.writer_rate * (c.duration_s - c.warmup_s);
  const needed = offered > 0 ? Math.ceil(def.min_write_attempts / offered) : def.replicas;
  return Math.min(def.max_replicas, Math.max(def.replicas, needed));
}

function runOn(worker: Worker, task: WorkerTask, onProgress: (elapsedMs: number) => void, onObservations?: (batch: Observation[]) => void): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: WorkerReply) => {
      if (reply.type === 'progress') {
        onProgress(reply.elapsedMs);
        return;
      }
      if (reply.type === 'observe') {
        onObservations?.(reply.batch);
        return;
      }
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      resolve(reply);
    };
    const onError = (err: Error) => {
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      reject(err);
    };
    const onExit = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      resolve({ type: 'error', id: task.id, message: 'worker stopped' });
    };
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
    worker.postMessage(task);
  });
}
