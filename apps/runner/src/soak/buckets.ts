/**
 * Per-bucket soak metrics: transactions are counted into the bucket of run time they complete
 * in; a bucket is closed once, with the sampler's census and memory reading, into one row. Only
 * open buckets keep their latencies (exact, to take percentiles), so memory stays bounded by
 * one bucket's transactions whatever the run's length.
 */
import type { StoreCensus } from './census.js';
import type { MemorySample } from './memory.js';

/** One bucket of run time: what completed in it, and the state sampled at its end. */
export interface SoakBucket extends StoreCensus, MemorySample {
  readonly index: number;
  readonly start_s: number;
  /** The bucket's end: `start_s + bucket_s`, or earlier for a last bucket cut short by the run's end. */
  readonly end_s: number;
  /** Whether the bucket lies after the warm-up (only these are analysed). */
  readonly measured: boolean;
  readonly write_txns: number;
  readonly commits: number;
  /** Write transactions that did not commit (any class). */
  readonly write_failures: number;
  readonly write_attempts: number;
  readonly read_txns: number;
  readonly read_errors: number;
  /** Nearest-rank percentiles of the transactions that completed in the bucket; null with none. */
  readonly write_p50_ms: number | null;
  readonly write_p99_ms: number | null;
  readonly read_p50_ms: number | null;
  readonly read_p99_ms: number | null;
  /** Entries in the manifest clients' decoded-object caches at the bucket's end (bounded by their capacity). */
  readonly decoded_segments: number;
  readonly decoded_checkpoints: number;
  /** History events on disk by the bucket's end (the recorder hands them over in batches of `SPILL_BATCH`). */
  readonly history_events: number;
  /** Wall-clock seconds since the run started (virtual runs: how fast the simulation went). */
  readonly wall_s: number;
}

interface OpenBucket {
  writeTxns: number;
  commits: number;
  attempts: number;
  readTxns: number;
  readErrors: number;
  writeMs: number[];
  readMs: number[];
}

export class BucketAccumulator {
  readonly #open = new Map<number, OpenBucket>();

  constructor(readonly bucketMs: number) {
    if (!(bucketMs > 0)) throw new Error(`bucket length must be positive, got ${bucketMs} ms`);
  }

  /** A transaction completed at run time `nowMs` (`outcome` as `WorkloadObserver.transaction` gives it). */
  transaction(role: 'writer' | 'reader', outcome: string, ms: number, attempts: number, nowMs: number): void {
    const b = this.#bucket(Math.floor(nowMs / this.bucketMs));
    if (role === 'writer') {
      b.writeTxns++;
      b.attempts += attempts;
      if (outcome === 'committed') b.commits++;
      b.writeMs.push(ms);
    } else {
      b.readTxns++;
      if (outcome !== 'read_ok') b.readErrors++;
      b.readMs.push(ms);
    }
  }

  /**
   * Close bucket `index` (and forget any before it), ending at `endMs` of run time, with what
   * was sampled at its end.
   */
  close(
    index: number,
    endMs: number,
    warmupMs: number,
    sample: StoreCensus & MemorySample & Pick<SoakBucket, 'decoded_segments' | 'decoded_checkpoints' | 'history_events' | 'wall_s'>,
  ): SoakBucket {
    const b = this.#open.get(index) ?? emptyBucket();
    for (const k of this.#open.keys()) if (k <= index) this.#open.delete(k);
    const startMs = index * this.bucketMs;
    return {
      index,
      start_s: startMs / 1000,
      end_s: Math.min(endMs, startMs + this.bucketMs) / 1000,
      measured: startMs >= warmupMs,
      write_txns: b.writeTxns,
      commits: b.commits,
      write_failures: b.writeTxns - b.commits,
      write_attempts: b.attempts,
      read_txns: b.readTxns,
      read_errors: b.readErrors,
      write_p50_ms: nearestRank(b.writeMs, 0.5),
      write_p99_ms: nearestRank(b.writeMs, 0.99),
      read_p50_ms: nearestRank(b.readMs, 0.5),
      read_p99_ms: nearestRank(b.readMs, 0.99),
      ...sample,
    };
  }

  /** Buckets with transactions not yet closed (bounded: the current one, plus any after the schedule's end). */
  get openBuckets(): number {
    return this.#open.size;
  }

  #bucket(index: number): OpenBucket {
    let b = this.#open.get(index);
    if (b === undefined) {
      b = emptyBucket();
      this.#open.set(index, b);
    }
    return b;
  }
}

function emptyBucket(): OpenBucket {
  return { writeTxns: 0, commits: 0, attempts: 0, readTxns: 0, readErrors: 0, writeMs: [], readMs: [] };
}

/** The ⌈q·n⌉-th smallest value (as HDR histograms rank), rounded to µs; null when empty. */
export function nearestRank(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * values.length - 1e-9));
  return Math.round((values[rank - 1] as number) * 1000) / 1000;
}
