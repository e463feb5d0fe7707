/**
 * What the pages render: plain data, independent of how it was loaded. `load.ts` fills it from
 * `@manifest-lab/report` (its loaders, analyses and charts); tests fill it by hand.
 */
import type { Readiness } from './report-api.js';

export type Row = Readonly<Record<string, unknown>>;

/** A rendered chart: standalone SVG markup from the report library's renderer. */
export interface Figure {
  readonly id: string;
  readonly title: string;
  readonly svg: string;
  /** Set when the data cannot support the chart: the reason, shown as text instead. */
  readonly note?: string | undefined;
}

export interface RunView {
  readonly id: string;
  /** Absolute paths of the run's files. */
  readonly files: { readonly run: string; readonly history: string; readonly verify?: string | undefined };
  readonly run: Row;
  /** verify.json, when the run has one. */
  readonly verify?: unknown;
}

export interface ConfigView {
  readonly id: string;
  /** Absolute path of the config's directory (holds summary.json). */
  readonly dir: string;
  /** The pooled results.csv row. */
  readonly row: Row;
  /** The config's fields (from its first run), in their order. */
  readonly config: Row;
  readonly runs: readonly RunView[];
  /** Charts of its first run. */
  readonly charts: readonly Figure[];
}

export interface SweepView {
  readonly name: string;
  /** Relative to the results directory, '/'-separated. */
  readonly dir: string;
  /** Absolute path. */
  readonly path: string;
  readonly axes: readonly string[];
  readonly rows: readonly Row[];
  readonly configs: readonly ConfigView[];
  readonly figures: readonly Figure[];
  /** Where it came from: a sweep of its own, a chaos scenario, or a hazard's runs. */
  readonly role: 'sweep' | 'chaos-scenario' | 'hazard';
  /** The chaos or hazards result it belongs to (relative dir), for its breadcrumb. */
  readonly parent?: string;
}

export interface ChaosView {
  readonly name: string;
  readonly dir: string;
  readonly path: string;
  readonly rows: readonly Row[];
  /** Scenario name → its sweep's relative dir. */
  readonly scenarios: readonly { readonly name: string; readonly sweep: string }[];
  readonly figures: readonly Figure[];
  /** Per scenario: its transaction failure rate minus the baseline's, with a 95 % interval. */
  readonly degradation: readonly { readonly scenario: string; readonly value: number | null; readonly lo: number | null; readonly hi: number | null }[];
}

export interface HazardsView {
  readonly name: string;
  readonly dir: string;
  readonly path: string;
  readonly rows: readonly Row[];
  readonly hazards: readonly { readonly name: string; readonly sweep: string }[];
}

export interface CrashView {
  readonly name: string;
  readonly dir: string;
  readonly path: string;
  readonly report: Row;
}

/** A rate with its 95 % interval and sample size. */
export interface Rate {
  readonly k: number;
  readonly n: number;
  readonly value: number | null;
  readonly lo: number | null;
  readonly hi: number | null;
}

/** "Does key overlap matter?", from one sweep that varies key_overlap_ratio. */
export interface OverlapAnswer {
  readonly sweep: string;
  readonly metric: string;
  readonly low: Rate & { readonly overlap: number; readonly configs: number };
  readonly high: Rate & { readonly overlap: number; readonly configs: number };
  /** high − low with its 95 % interval. */
  readonly difference: { readonly value: number | null; readonly lo: number | null; readonly hi: number | null };
  /** Compared only configurations that differ in nothing but overlap. */
  readonly matched: boolean;
  readonly verdict: string;
}

/** "Which configurations keep the failure rate under 10 %?", per sweep. */
export interface ThresholdAnswer {
  readonly sweep: string;
  readonly threshold: number;
  readonly total: number;
  /** Upper 95 % bound below the threshold. */
  readonly below: readonly (Rate & { readonly id: string; readonly label: string })[];
  /** Point estimate below, interval reaching it: more samples would tell. */
  readonly maybe: readonly (Rate & { readonly id: string; readonly label: string })[];
}

/** One sweep that varies `profile`: each profile's answers on the same configurations. */
export interface ProfilesAnswer {
  readonly sweep: string;
  readonly profiles: readonly {
    readonly profile: string;
    readonly configs: number;
    readonly overlap: Omit<OverlapAnswer, 'sweep'> | null;
    /** The same effect on conflicts per attempt (retries can hide it from the transaction rate). */
    readonly overlapPerAttempt: Omit<OverlapAnswer, 'sweep'> | null;
    readonly requestsPerCommit: number | null;
    readonly writeP99MedianMs: number | null;
    readonly writeP99MaxMs: number | null;
  }[];
}

/** Hazard results of several profiles side by side: a row per hazard, a column per profile. */
export interface HazardsByProfileView {
  readonly profiles: readonly string[];
  readonly rows: readonly {
    readonly hazard: string;
    readonly section: string;
    readonly cells: Readonly<Record<string, { readonly reproduced: number; readonly runs: number; readonly anomalyTypes: readonly string[]; readonly dir: string }>>;
  }[];
}

export interface SiteData {
  readonly results: string;
  readonly sweeps: readonly SweepView[];
  readonly chaos: readonly ChaosView[];
  readonly hazards: readonly HazardsView[];
  readonly crashes: readonly CrashView[];
  /** Directories seen but not rendered, and why (e.g. an unfinished sweep). */
  readonly skipped: readonly { readonly dir: string; readonly reason: string }[];
  readonly overlap: readonly OverlapAnswer[];
  /** Sweeps that vary `profile`, answered per profile. */
  readonly profiles?: readonly ProfilesAnswer[];
  /** Present when hazard results cover more than one profile. */
  readonly hazardsByProfile?: HazardsByProfileView | undefined;
  readonly threshold: readonly ThresholdAnswer[];
  /** The production readiness document, when the results hold anything to recommend from. */
  readonly readiness?: Readiness | undefined;
  /** Pairs of sweep dirs to compare side by side. */
  readonly compare: readonly (readonly [string, string])[];
}
