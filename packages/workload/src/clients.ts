/**
 * The two kinds of client. A writer runs list-append transactions: read each chosen key, append
 * a unique element to its list, commit; on PreconditionFailed it retries in a new session. A
 * reader opens a read session, reads keys (or scans), ends it. Every attempt is recorded in
 * the history; metrics skip the warm-up.
 */
import { type Clock, type Manifest, PreconditionFailedError, ProcessCrashedError, type Random } from '@manifest-lab/manifest-core';
import type { WorkloadConfig } from './config.js';
import type { HistoryRecorder, MicroOp } from './history.js';
import type { KeyPool } from './key-pool.js';
import type { MeteredObjectStore } from './metered-store.js';
import type { WorkloadMetrics } from './metrics.js';
import { classifyWriteFailure, errorMessage, type WriteOutcome } from './outcomes.js';
import type { AttemptPhases } from './phases.js';
import { observeAttempt, type RetryState, retryDelayMs } from './retry-policy.js';
import type { WorkloadObserver } from './run-workload.js';
import type { TraceRecorder } from './trace.js';

/** What a key holds: the list-append list, plus `value_bytes` of padding. */
export interface StoredValue {
  readonly l: number[];
  readonly pad: string;
  readonly [k: string]: number[] | string;
}

/** Shared by every client of a run. */
export interface RunContext {
  readonly config: WorkloadConfig;
  readonly clock: Clock;
  readonly keys: KeyPool;
  readonly metrics: WorkloadMetrics;
  readonly history: HistoryRecorder;
  /** The run's span recorder, when `--trace` asked for one. */
  readonly trace?: TraceRecorder | undefined;
  /** Live observations, when the caller asked for them. */
  readonly observe?: WorkloadObserver | undefined;
  /** A fresh, globally unique list element. */
  nextElement(): number;
  /** A process id no one has used (for a client whose last attempt ended `info`). */
  nextProcess(): number;
  /** A fresh logical write transaction number (retries share theirs). */
  nextTxn(): number;
}

export interface Client {
  /** Replaced when the client's process crashes and restarts. */
  manifest: Manifest<string, StoredValue>;
  readonly random: Random;
  process: number;
  /** This client's trace track. */
  readonly track: number;
  /** The phases of the client's current attempt (its manifest reports into it). */
  readonly phases: AttemptPhases;
  /** What the retry backoff remembers across this client's attempts (reset by a restart). */
  retry: RetryState;
  /** This client's own request meter (it outlives restarts): requests are attributed to attempts by it. */
  readonly meter: MeteredObjectStore;
  /** A new process in the crashed one's place: a fresh manifest, nothing remembered. */
  restart(): void;
}

/**
 * The client's process died (a chaos crash): wait for its replacement to start, then go on as a
 * new process. Arrivals meanwhile queue up (and are dropped past the backlog) as for any busy client.
 */
async function restartAfterCrash(ctx: RunContext, client: Client, err: ProcessCrashedError): Promise<void> {
  await ctx.clock.sleep(Math.max(0, err.restartAtMs - ctx.clock.now()));
  client.restart();
  client.process = ctx.nextProcess();
}

export async function writeTransaction(ctx: RunContext, client: Client, writer: number, intendedMs: number): Promise<void> {
  const { config, clock, metrics, history, trace } = ctx;
  const measured = metrics.measured(intendedMs);
  const w = metrics.write;
  const keys = ctx.keys.writerKeys(writer, config.ops_per_txn, client.random);
  const pad = 'x'.repeat(config.value_bytes);
  const phases = client.phases;
  const txnStart = clock.now();
  const split = metrics.faultAt(intendedMs) ? metrics.faultCounters.during : metrics.faultCounters.outside;
  const group = metrics.groups[metrics.groupOf(writer)];
  const finish = (outcome: WriteOutcome, attempts: number) => {
    const end = clock.now();
    if (measured) {
      w.outcomes[outcome]++;
      split.txns++;
      split.attempts += attempts;
      group.txns++;
      group.attempts += attempts;
      if (outcome === 'committed') {
        split.committed++;
        group.committed++;
      }
      metrics.histograms.write_txn.record(end - intendedMs);
    }
    if (metrics.inWindow(end)) {
      metrics.window.write_completed++;
      if (outcome === 'committed') {
        metrics.window.commits_by_writer[writer] = (metrics.window.commits_by_writer[writer] ?? 0) + 1;
      }
    }
    trace?.span(client.track, 'txn', `write ${outcome}`, txnStart, end, { attempts, intended_ms: intendedMs });
    ctx.observe?.transaction?.('writer', outcome, end - intendedMs, attempts);
  };
  if (measured) {
    w.txns++;
    metrics.histograms.phase_queueing.record(txnStart - intendedMs);
  }
  let backoffMs = 0;
  const txn = ctx.nextTxn();
  for (let retry = 0; ; retry++) {
    if (measured) {
      w.attempts++;
      metrics.window.attempts_by_writer[writer] = (metrics.window.attempts_by_writer[writer] ?? 0) + 1;
      if (retry === 1) w.retried_txns++;
      if (retry > 0) w.retries++;
    }
    phases.reset();
    const sentBefore = client.meter.measuredRequests;
    const elements = keys.map(() => ctx.nextElement());
    history.invoke(
      client.process,
      keys.flatMap((k, i): MicroOp[] => [
        ['r', k, null],
        ['append', k, elements[i] as number],
      ]),
      txn,
    );
    try {
      const session = await client.manifest.sessionWrite();
      const observed: MicroOp[] = [];
      try {
        const readStart = clock.now();
        for (const [i, k] of keys.entries()) {
          const list = (await session.get(k))?.l ?? null;
          const x = elements[i] as number;
          observed.push(['r', k, list], ['append', k, x]);
          session.put(k, { l: [...(list ?? []), x], pad });
        }
        phases.add('reads', clock.now() - readStart);
        trace?.span(client.track, 'phase', 'reads', readStart, clock.now());
        const commitStart = clock.now();
        await session.commit();
        if (measured) metrics.histograms.commit.record(clock.now() - commitStart);
      } finally {
        if (session.isOpen) await session.end();
      }
      if (measured) w.attempt_requests += client.meter.measuredRequests - sentBefore;
      history.complete(client.process, 'ok', observed);
      observeAttempt(client.retry, false);
      metrics.at(clock.now()).writes_ok++;
      metrics.headMovesBy[writer]?.push(phases.checkMidMs ?? clock.now());
      if (measured) {
        recordPhases(metrics, phases, backoffMs, writer, false);
        w.successes++;
        if (retry > 0) w.retry_successes++;
      }
      finish('committed', retry + 1);
      return;
    } catch (err) {
      const cls = classifyWriteFailure(err, { phase: phases.failedPhase, segmentSent: phases.segmentSent });
      if (measured) {
        recordPhases(metrics, phases, backoffMs, writer, err instanceof PreconditionFailedError);
        // Every request of an attempt that did not commit was spent for nothing.
        const spent = client.meter.measuredRequests - sentBefore;
        w.attempt_requests += spent;
        w.wasted_requests += spent;
        group.wasted_requests += spent;
      }
      // Only an outcome that may have taken effect is `info`; its process is then retired.
      const unknown = cls === 'ambiguous' || (cls === 'crashed' && phases.segmentSent);
      history.complete(client.process, unknown ? 'info' : 'fail', undefined, { class: cls, message: errorMessage(err) });
      if (unknown) client.process = ctx.nextProcess();
      if (err instanceof PreconditionFailedError) {
        observeAttempt(client.retry, true);
        metrics.at(clock.now()).write_conflicts++;
        if (measured) {
          w.precondition_failures++;
          split.precondition_failures++;
          group.precondition_failures++;
        }
        if (retry < config.max_retry_count) {
          backoffMs = retryDelay(config, retry + 1, client.random, client.retry);
          const sleepStart = clock.now();
          await clock.sleep(backoffMs);
          trace?.span(client.track, 'phase', 'backoff', sleepStart, clock.now());
          continue;
        }
        if (measured) {
          if (retry > 0) w.retry_failures++;
          else w.unretried_failures++;
        }
        finish('conflict', retry + 1);
        return;
      }
      metrics.at(clock.now()).write_errors++;
      if (measured) {
        w.errors++;
        if (retry > 0) w.retry_failures++;
        metrics.countError(err);
      }
      finish(cls, retry + 1);
      if (err instanceof ProcessCrashedError) await restartAfterCrash(ctx, client, err);
      return;
    }
  }
}

/** One measured attempt's phases (and the retry sleep before it) into the phase histograms. */
function recordPhases(metrics: WorkloadMetrics, phases: AttemptPhases, backoffMs: number, writer: number, conflicted: boolean): void {
  if (backoffMs > 0) metrics.histograms.phase_backoff.record(backoffMs);
  for (const [name, ms] of phases.spent) metrics.histograms[`phase_${name}`].record(ms);
  const window = phases.windowMs;
  const end = phases.windowEndMs;
  if (window === undefined || end === undefined) return;
  metrics.histograms.window.record(window);
  // The model compares like with like: attempts whose window ended where λ is measured.
  if (metrics.inWindow(end)) {
    const mid = phases.checkMidMs ?? end;
    metrics.windowSpansByWriter[writer]?.push([mid - window, mid]);
    if (conflicted) metrics.windowConflictsByWriter[writer] = (metrics.windowConflictsByWriter[writer] ?? 0) + 1;
  }
}

/** A read-only transaction changes nothing, so any error is a definite `fail`. */
export async function readTransaction(ctx: RunContext, client: Client, intendedMs: number): Promise<void> {
  const { config, clock, metrics, history } = ctx;
  const measured = metrics.measured(intendedMs);
  const r = metrics.read;
  const scan = client.random.next() < config.reader_scan_ratio;
  const keys = scan ? ctx.keys.all().sort() : ctx.keys.readerKeys(config.ops_per_txn, client.random);
  if (measured) {
    r.txns++;
    if (scan) r.scans++;
  }
  const start = clock.now();
  history.invoke(
    client.process,
    keys.map((k): MicroOp => ['r', k, null]),
  );
  try {
    const session = await client.manifest.sessionRead();
    const observed: MicroOp[] = [];
    try {
      if (scan) {
        const entries = new Map(await session.scan());
        for (const k of keys) observed.push(['r', k, entries.get(k)?.l ?? null]);
      } else {
        for (const k of keys) observed.push(['r', k, (await session.get(k))?.l ?? null]);
      }
    } finally {
      if (session.isOpen) await session.end();
    }
    history.complete(client.process, 'ok', observed);
    metrics.at(clock.now()).reads_ok++;
    if (measured) {
      r.successes++;
      metrics.histograms.read_txn.record(clock.now() - intendedMs);
    }
    if (metrics.inWindow(clock.now())) metrics.window.read_ok++;
    ctx.trace?.span(client.track, 'txn', scan ? 'scan ok' : 'read ok', start, clock.now(), { intended_ms: intendedMs });
    ctx.observe?.transaction?.('reader', 'read_ok', clock.now() - intendedMs, 1);
  } catch (err) {
    history.complete(client.process, 'fail', undefined, { class: 'read_error', message: errorMessage(err) });
    metrics.at(clock.now()).read_errors++;
    if (measured) {
      r.errors++;
      metrics.countError(err);
    }
    ctx.trace?.span(client.track, 'txn', scan ? 'scan failed' : 'read failed', start, clock.now(), { intended_ms: intendedMs });
    ctx.observe?.transaction?.('reader', 'read_error', clock.now() - intendedMs, 1);
    if (err instanceof ProcessCrashedError) await restartAfterCrash(ctx, client, err);
  }
  if (metrics.inWindow(clock.now())) metrics.window.read_completed++;
}

function retryDelay(config: WorkloadConfig, retry: number, random: Random, state: RetryState): number {
  return retryDelayMs(
    {
      backoff: config.retry_backoff,
      baseMs: config.retry_backoff_ms,
      maxMs: config.retry_backoff_max_ms,
    },
    retry,
    random,
    state,
  );
}
