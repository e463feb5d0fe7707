/**
 * The two kinds of client. A writer runs list-append transactions: read each chosen key, append
 * a unique element to its list, commit; on PreconditionFailed it retries in a new session. A
 * reader opens a read session, reads keys (or scans), ends it. Every attempt is recorded in
 * the history; metrics skip the warm-up.
 */
import { type Clock, type Manifest, PreconditionFailedError, type Random } from '@manifest-lab/manifest-core';
import type { WorkloadConfig } from './config.js';
import type { HistoryRecorder, MicroOp } from './history.js';
import type { KeyPool } from './key-pool.js';
import type { WorkloadMetrics } from './metrics.js';
import { retryDelayMs } from './retry-policy.js';

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
  /** A fresh, globally unique list element. */
  nextElement(): number;
  /** A process id no one has used (for a client whose last attempt ended `info`). */
  nextProcess(): number;
}

export interface Client {
  readonly manifest: Manifest<string, StoredValue>;
  readonly random: Random;
  process: number;
}

export async function writeTransaction(ctx: RunContext, client: Client, writer: number, intendedMs: number): Promise<void> {
  const { config, clock, metrics, history } = ctx;
  const measured = metrics.measured(intendedMs);
  const w = metrics.write;
  const keys = ctx.keys.writerKeys(writer, config.ops_per_txn, client.random);
  const pad = 'x'.repeat(config.value_bytes);
  if (measured) w.txns++;
  for (let retry = 0; ; retry++) {
    if (measured) {
      w.attempts++;
      if (retry === 1) w.retried_txns++;
      if (retry > 0) w.retries++;
    }
    const elements = keys.map(() => ctx.nextElement());
    history.invoke(
      client.process,
      keys.flatMap((k, i): MicroOp[] => [
        ['r', k, null],
        ['append', k, elements[i] as number],
      ]),
    );
    // Until commit() is called nothing can have been written: an error then is a definite fail.
    let committing = false;
    try {
      const session = await client.manifest.sessionWrite();
      const observed: MicroOp[] = [];
      try {
        for (const [i, k] of keys.entries()) {
          const list = (await session.get(k))?.l ?? null;
          const x = elements[i] as number;
          observed.push(['r', k, list], ['append', k, x]);
          session.put(k, { l: [...(list ?? []), x], pad });
        }
        const commitStart = clock.now();
        committing = true;
        await session.commit();
        if (measured) metrics.histograms.commit.record(clock.now() - commitStart);
      } finally {
        if (session.isOpen) await session.end();
      }
      history.complete(client.process, 'ok', observed);
      metrics.at(clock.now()).writes_ok++;
      if (measured) {
        w.successes++;
        if (retry > 0) w.retry_successes++;
        metrics.histograms.write_txn.record(clock.now() - intendedMs);
      }
      return;
    } catch (err) {
      if (err instanceof PreconditionFailedError) {
        history.complete(client.process, 'fail');
        metrics.at(clock.now()).write_conflicts++;
        if (measured) w.precondition_failures++;
        if (retry < config.max_retry_count) {
          await clock.sleep(retryDelay(config, retry + 1, client.random));
          continue;
        }
        if (measured) {
          if (retry > 0) w.retry_failures++;
          else w.unretried_failures++;
          metrics.histograms.write_txn.record(clock.now() - intendedMs);
        }
        return;
      }
      // During commit anything else is indeterminate: the transaction may or may not have landed.
      if (committing) {
        history.complete(client.process, 'info');
        client.process = ctx.nextProcess();
      } else {
        history.complete(client.process, 'fail');
      }
      metrics.at(clock.now()).write_errors++;
      if (measured) {
        w.errors++;
        metrics.countError(err);
      }
      return;
    }
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
  } catch (err) {
    history.complete(client.process, 'fail');
    metrics.at(clock.now()).read_errors++;
    if (measured) {
      r.errors++;
      metrics.countError(err);
    }
  }
}

function retryDelay(config: WorkloadConfig, retry: number, random: Random): number {
  return retryDelayMs(
    {
      backoff: config.retry_backoff,
      baseMs: config.retry_backoff_ms,
      maxMs: config.retry_backoff_max_ms,
    },
    retry,
    random,
  );
}
