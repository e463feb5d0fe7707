/**
 * The links behind every readiness claim: which configuration (its summary.json and its runs'
 * run.json), or which result table, a number was read from. Paths are relative to the results
 * root, so each renderer can turn them into its own links (files for Markdown, pages for the site).
 */
import type { ConfigEntry, SweepResult } from '../types.js';

/** One run behind a claim. */
export interface RunLink {
  /** The replica directory's name, e.g. `r000`. */
  readonly id: string;
  /** Its `run.json`, relative to the results root. */
  readonly file: string;
}

/** The kinds of result a table claim can come from. */
export type ResultKind = 'hazards' | 'boundary' | 'chaos' | 'crash' | 'sweep';

export interface Evidence {
  /** A configuration of a sweep, or a whole result's table. */
  readonly kind: 'config' | 'result';
  /** Short text for the link, e.g. a configuration id or `hazards.csv`. */
  readonly label: string;
  /** The file the numbers are read from (summary.json, a CSV, crash.json), results-relative. */
  readonly file: string;
  /** For `config`: the sweep's directory and the configuration id. */
  readonly sweep?: string;
  readonly config?: string;
  /** For `result`: which result it is, and its directory. */
  readonly result?: { readonly kind: ResultKind; readonly dir: string };
  /** The runs that support the claim (all of them; renderers may show the first few). */
  readonly runs: readonly RunLink[];
}

export function configEvidence(sweep: Pick<SweepResult, 'dir'>, entry: ConfigEntry): Evidence {
  return {
    kind: 'config',
    label: entry.id,
    file: join(entry.dir, 'summary.json'),
    sweep: sweep.dir,
    config: entry.id,
    runs: entry.runs.map((r) => ({ id: r.id, file: r.files.run })),
  };
}

export function resultEvidence(kind: ResultKind, dir: string, file: string, runs: readonly RunLink[] = []): Evidence {
  return { kind: 'result', label: file, file: join(dir, file), result: { kind, dir }, runs };
}

/** Every run of a sweep, as links. */
export function sweepRuns(sweep: SweepResult): RunLink[] {
  return sweep.configs.flatMap((c) => c.runs.map((r) => ({ id: `${c.id}/${r.id}`, file: r.files.run })));
}

/** `a/b` from results-relative parts (the root is ``). */
export function join(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}
