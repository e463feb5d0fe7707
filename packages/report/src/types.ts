/**
 * Our own view of the files manifest-lab writes. The report reads them as plain data and never
 * imports the packages that write them, so only the fields it uses are typed here.
 */
import type { ColumnTable } from 'arquero';

/** A CSV cell after parsing: numbers are numbers, empty cells null. */
export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

/** Request kinds the object stores count. */
export type RequestKind = 'GET' | 'HEAD' | 'PUT' | 'CPUT' | 'LIST' | 'DELETE';
export type RequestCounts = Partial<Record<RequestKind, number>> & Record<string, number>;

/** An HDR-derived latency summary, ms. */
export interface LatencySummary {
  readonly count: number;
  readonly mean_ms: number;
  readonly p50_ms: number;
  readonly p90_ms?: number;
  readonly p95_ms?: number;
  readonly p99_ms: number;
  readonly p999_ms?: number;
  readonly max_ms: number;
}

/** One second of a run (`t` from the start of the run, warm-up included). */
export interface SeriesPoint {
  readonly t: number;
  readonly warmup: boolean;
  readonly writes_ok: number;
  readonly write_conflicts: number;
  readonly write_errors: number;
  readonly reads_ok: number;
  readonly read_errors: number;
}

/** A fault window of a chaos plan, seconds from the start of the run. */
export interface FaultWindow {
  readonly label: string;
  readonly start_s: number;
  readonly end_s: number;
  readonly fault?: { readonly kind: string } & Record<string, unknown>;
}

/** `run.json` (schema `manifest-lab/run@2`): the parts the report reads. */
export interface RunDoc {
  readonly schema: string;
  readonly sweep: string;
  readonly id: string;
  readonly config: Record<string, string | number | boolean>;
  readonly seed: number;
  readonly elapsed_ms: number;
  readonly metrics: {
    readonly measured_seconds: number;
    readonly write: {
      readonly tps: number;
      readonly counters: { readonly txns: number; readonly attempts: number; readonly successes: number } & Record<string, unknown>;
      readonly latency: LatencySummary;
      readonly commit_latency?: LatencySummary;
    };
    readonly read: { readonly tps: number; readonly latency: LatencySummary } & Record<string, unknown>;
    readonly phases?: Record<string, LatencySummary>;
    /** Requests inside the measured window, by role — the same window as the commits. */
    readonly requests?: { readonly writers: RequestCounts; readonly readers: RequestCounts };
    /** HdrHistograms in compressed base64, recorded in µs. */
    readonly histograms?: Record<string, string>;
  } & Record<string, unknown>;
  readonly time_series?: readonly SeriesPoint[];
  /** Every request of the run, warm-up included. */
  readonly request_counts?: RequestCounts;
  readonly history?: { readonly file: string; readonly events: number };
  readonly isolation?: { readonly valid: boolean | 'unknown'; readonly anomaly_types: readonly string[] } & Record<string, unknown>;
  readonly chaos?: {
    readonly plan?: { readonly name?: string; readonly windows?: readonly FaultWindow[] };
    readonly fault_counts?: Record<string, Record<string, number>>;
    readonly findings?: Record<string, unknown>;
  };
}

/** `sweep.json`: the definition and each configuration's axis values. */
export interface SweepDoc {
  readonly schema?: string;
  readonly definition: {
    readonly name: string;
    readonly description?: string;
    readonly seed?: number;
    readonly fixed?: Record<string, unknown>;
    readonly axes?: Record<string, readonly unknown[]>;
  } & Record<string, unknown>;
  readonly configs: readonly { readonly id: string; readonly axes: Record<string, unknown>; readonly replicas: number }[];
}

/** A rate as pooled by the runner: `k / n` with its 95 % Wilson interval. */
export interface SummaryRate {
  readonly k: number;
  readonly n: number;
  readonly value: number | null;
  readonly lo: number | null;
  readonly hi: number | null;
}

/** `<config>/summary.json`: a configuration's replicas pooled. */
export interface ConfigSummaryDoc {
  readonly schema: string;
  readonly id: string;
  readonly config: Record<string, string | number | boolean>;
  readonly replicas: number;
  /** Each replica's directory, relative to the config's. */
  readonly runs: readonly string[];
  readonly counts: Record<string, number>;
  readonly rates: Record<string, SummaryRate>;
  readonly conflict_model?: Record<string, number | null>;
  readonly [field: string]: unknown;
}

/** `crash.json`: a real kill -9 between segment PUT and HEAD CAS, and the restart. */
export interface CrashReport {
  readonly schema: string;
  readonly verdict?: string;
  readonly writers?: number;
  readonly lease_ttl_ms?: number;
  readonly commits?: number;
  readonly attempts?: number;
  readonly failures_by_class?: Record<string, number>;
  readonly [field: string]: unknown;
}

export interface RunEntry {
  /** The replica directory's name, e.g. `r000`. */
  readonly id: string;
  /** Relative to the results root, `/`-separated. */
  readonly dir: string;
  readonly run: RunDoc;
  /** Relative to the results root; `verify` when the run has one. */
  readonly files: { readonly run: string; readonly history: string; readonly verify?: string };
}

export interface ConfigEntry {
  readonly id: string;
  readonly dir: string;
  readonly summary: ConfigSummaryDoc;
  /** This configuration's `results.csv` row. */
  readonly row: Row;
  readonly runs: readonly RunEntry[];
}

export interface SweepResult {
  readonly kind: 'sweep';
  readonly name: string;
  readonly dir: string;
  readonly definition: SweepDoc;
  /** `results.csv`, one row per configuration. */
  readonly rows: ColumnTable;
  /** `runs.csv`, one row per replica run. */
  readonly runs: ColumnTable;
  /** Configuration fields that vary across rows (the seed excluded), in column order. */
  readonly axes: readonly string[];
  readonly configs: readonly ConfigEntry[];
}

export interface ChaosResult {
  readonly kind: 'chaos';
  readonly name: string;
  readonly dir: string;
  /** `chaos.csv`, one row per scenario. */
  readonly rows: ColumnTable;
  readonly scenarios: readonly { readonly name: string; readonly sweep: SweepResult }[];
}

export interface HazardsResult {
  readonly kind: 'hazards';
  readonly name: string;
  readonly dir: string;
  /** `hazards.csv`, one row per hazard. */
  readonly rows: ColumnTable;
  readonly hazards: readonly { readonly name: string; readonly sweep: SweepResult }[];
}

export interface CrashResult {
  readonly kind: 'crash';
  readonly name: string;
  readonly dir: string;
  readonly report: CrashReport;
}

/**
 * `manifest-lab boundary` output: per cell, the writer rate at which a failure rate crosses a
 * threshold. Its probes are one-config sweeps below it, loaded as sweeps like any other.
 */
export interface BoundaryResultSet {
  readonly kind: 'boundary';
  readonly name: string;
  readonly dir: string;
  /** `boundary.csv`, one row per cell. */
  readonly rows: ColumnTable;
  /** `probes.csv`, one row per probed rate; `dir` is relative to this directory. */
  readonly probes: ColumnTable;
}

/** A directory the loader saw but could not use, and why (e.g. an unfinished sweep). */
export interface SkippedDir {
  readonly dir: string;
  readonly reason: string;
}

export interface ResultSets {
  readonly root: string;
  readonly sweeps: readonly SweepResult[];
  readonly chaos: readonly ChaosResult[];
  readonly hazards: readonly HazardsResult[];
  readonly crashes: readonly CrashResult[];
  readonly boundaries: readonly BoundaryResultSet[];
  readonly skipped: readonly SkippedDir[];
}
