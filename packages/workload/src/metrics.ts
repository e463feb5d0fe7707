import { ManifestLabError, REQUEST_KINDS, type RequestKind } from '@manifest-lab/manifest-core';
import { LatencyHistogram, type LatencySummary } from './latency-histogram.js';
import { WRITE_OUTCOMES, type WriteOutcome } from './outcomes.js';
import { WRITE_PHASES, type WritePhase } from './phases.js';

/** How an error is counted: by the typed error's kind, or `other`. */
export type ErrorClass = ManifestLabError['kind'] | 'other';

export function errorClass(err: unknown): ErrorClass {
  return err instanceof ManifestLabError ? err.kind : 'other';
}

export interface WriteCounters {
  /** Transactions started (arrivals run), each with up to 1 + max_retry_count attempts. */
  txns: number;
  attempts: number;
  successes: number;
  precondition_failures: number;
  retries: number;
  /** Transactions that needed at least one retry. */
  retried_txns: number;
  /** Retried transactions that eventually committed. */
  retry_successes: number;
  /** Retried transactions that did not commit (conflict on the last retry, or any other failure). */
  retry_failures: number;
  /** Transactions that failed on their first and only attempt (max_retry_count = 0). */
  unretried_failures: number;
  /** Attempts that ended in another error: `info` in the history if it may have committed, else `fail`. */
  errors: number;
  /** How each transaction ended: the classes add up to `txns`. */
  outcomes: Record<WriteOutcome, number>;
  /** Storage requests sent by measured write attempts (session open to session end). */
  attempt_requests: number;
  /** Of those, the requests of attempts that did not commit (conflicts, errors, crashes). */
  wasted_requests: number;
}

/** One group of writers' measured transactions (local vs remote writers, for multi-region). */
export interface WriterGroupCounters {
  writers: number;
  txns: number;
  committed: number;
  attempts: number;
  precondition_failures: number;
  wasted_requests: number;
}

export const WRITER_GROUPS = ['local', 'remote'] as const;
export type WriterGroup = (typeof WRITER_GROUPS)[number];

export interface ReadCounters {
  txns: number;
  successes: number;
  scans: number;
  errors: number;
}

/**
 * What completed inside the measured window [warm-up, duration]: achieved load and TPS count
 * these, so a run that overruns its schedule does not inflate its rates.
 */
export interface WindowCounters {
  /** Write transactions that ended (any outcome) in the window. */
  write_completed: number;
  read_completed: number;
  read_ok: number;
  /** Commits in the window, per writer (for the other writers' commit rate). */
  commits_by_writer: number[];
  /** Measured write attempts, per writer. */
  attempts_by_writer: number[];
  /** Checkpoints the compactor published (each moves HEAD, like a commit). */
  compactions: number;
}

export interface ArrivalCounters {
  /** Arrivals in the schedule (started + dropped). */
  scheduled: number;
  started: number;
  /** Started more than `LATE_THRESHOLD_MS` after their intended time. */
  late: number;
  /** Discarded because the client's backlog was full. */
  dropped: number;
}

export interface SeriesPoint {
  /** Second of the run (by completion time). */
  readonly t: number;
  readonly warmup: boolean;
  writes_ok: number;
  write_conflicts: number;
  write_errors: number;
  reads_ok: number;
  read_errors: number;
}

/** A start later than this after its intended time counts as late. */
export const LATE_THRESHOLD_MS = 5;

export const HISTOGRAMS = ['write_txn', 'commit', 'read_txn', 'start_lag', 'window'] as const;
export type HistogramName = (typeof HISTOGRAMS)[number] | `request_${RequestKind}` | `phase_${WritePhase}`;

/**
 * Everything a run measures. Transactions whose intended start falls in the warm-up are left
 * out of counters and histograms (they stay in the history); requests are measured from the
 * end of the warm-up on.
 */
export class WorkloadMetrics {
  readonly write: WriteCounters = {
    txns: 0,
    attempts: 0,
    successes: 0,
    precondition_failures: 0,
    retries: 0,
    retried_txns: 0,
    retry_successes: 0,
    retry_failures: 0,
    unretried_failures: 0,
    errors: 0,
    outcomes: Object.fromEntries(WRITE_OUTCOMES.map((o) => [o, 0])) as Record<WriteOutcome, number>,
    attempt_requests: 0,
    wasted_requests: 0,
  };
  /** Measured write transactions by writer group (writers `0 … remote_writers-1` are remote). */
  readonly groups: Record<WriterGroup, WriterGroupCounters> = {
    local: { writers: 0, txns: 0, committed: 0, attempts: 0, precondition_failures: 0, wasted_requests: 0 },
    remote: { writers: 0, txns: 0, committed: 0, attempts: 0, precondition_failures: 0, wasted_requests: 0 },
  };
  /** Which group writer `i` is in (set by a run with remote writers). */
  groupOf: (writer: number) => WriterGroup = () => 'local';
  readonly window: WindowCounters;
  /**
   * For the conflict model, per writer: the snapshot→CAS window, as [start, end] in run time, of
   * each attempt whose window ended inside the measured window — where λ is measured too — and
   * how many of them conflicted.
   */
  readonly windowSpansByWriter: [number, number][][];
  readonly windowConflictsByWriter: number[];
  /** When each writer's commits took effect (HEAD CAS answered), ascending; the compactor's last. */
  readonly headMovesBy: number[][];
  readonly read: ReadCounters = { txns: 0, successes: 0, scans: 0, errors: 0 };
  readonly arrivals: ArrivalCounters = { scheduled: 0, started: 0, late: 0, dropped: 0 };
  readonly errorsByClass: Partial<Record<ErrorClass, number>> = {};
  readonly histograms: Record<HistogramName, LatencyHistogram>;
  readonly #series = new Map<number, SeriesPoint>();

  /** Whether run time `ms` falls in a fault window (set by a run with faults). */
  faultAt: (ms: number) => boolean = () => false;
  /** Measured write transactions by whether they arrived during a fault window. */
  readonly faultCounters = {
    during: { txns: 0, committed: 0, attempts: 0, precondition_failures: 0 },
    outside: { txns: 0, committed: 0, attempts: 0, precondition_failures: 0 },
  };

  constructor(
    readonly warmupMs: number,
    readonly durationMs: number = Number.POSITIVE_INFINITY,
    numWriters = 0,
  ) {
    this.window = {
      write_completed: 0,
      read_completed: 0,
      read_ok: 0,
      commits_by_writer: new Array<number>(numWriters).fill(0),
      attempts_by_writer: new Array<number>(numWriters).fill(0),
      compactions: 0,
    };
    this.windowConflictsByWriter = new Array<number>(numWriters).fill(0);
    this.windowSpansByWriter = Array.from({ length: numWriters }, () => []);
    this.headMovesBy = Array.from({ length: numWriters + 1 }, () => []);
    const entries: [HistogramName, LatencyHistogram][] = [
      ...HISTOGRAMS.map((n): [HistogramName, LatencyHistogram] => [n, new LatencyHistogram()]),
      ...REQUEST_KINDS.map((k): [HistogramName, LatencyHistogram] => [`request_${k}`, new LatencyHistogram()]),
      ...WRITE_PHASES.map((p): [HistogramName, LatencyHistogram] => [`phase_${p}`, new LatencyHistogram()]),
    ];
    this.histograms = Object.fromEntries(entries) as Record<HistogramName, LatencyHistogram>;
  }

  /** Whether something that (was intended to) start at `ms` is measured. */
  measured(ms: number): boolean {
    return ms >= this.warmupMs;
  }

  /** Whether a completion at `ms` falls in the measured window. */
  inWindow(ms: number): boolean {
    return ms >= this.warmupMs && ms <= this.durationMs;
  }

  countError(err: unknown): void {
    const c = errorClass(err);
    this.errorsByClass[c] = (this.errorsByClass[c] ?? 0) + 1;
  }

  /** The per-second bucket a completion at `ms` falls in. */
  at(ms: number): SeriesPoint {
    const t = Math.floor(ms / 1000);
    let p = this.#series.get(t);
    if (p === undefined) {
      p = { t, warmup: !this.measured(t * 1000), writes_ok: 0, write_conflicts: 0, write_errors: 0, reads_ok: 0, read_errors: 0 };
      this.#series.set(t, p);
    }
    return p;
  }

  /** Every second from 0 to the last with activity, empty seconds included. */
  series(): SeriesPoint[] {
    const last = Math.max(-1, ...this.#series.keys());
    return Array.from({ length: last + 1 }, (_, t) => this.at(t * 1000));
  }

  summaries(): Record<HistogramName, LatencySummary> {
    return Object.fromEntries(Object.entries(this.histograms).map(([k, h]) => [k, h.summary()])) as Record<
      HistogramName,
      LatencySummary
    >;
  }

  encodedHistograms(): Record<HistogramName, string> {
    return Object.fromEntries(Object.entries(this.histograms).map(([k, h]) => [k, h.encode()])) as Record<
      HistogramName,
      string
    >;
  }
}
