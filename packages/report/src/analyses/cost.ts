/**
 * Requests per commit and what a million commits cost at S3 Standard prices. Requests are
 * taken from each run's `metrics.requests` — the measured window, the same window the commits
 * are counted in — split by role; a run without it falls back to `request_counts`, which
 * covers the whole run (warm-up too) and so overstates the cost a little.
 */
import { pricePerRequest } from '../prices.js';
import type { ConfigEntry, RequestCounts, SweepResult } from '../types.js';

export interface KindCost {
  readonly kind: string;
  /** Requests per commit; `writers` and `readers` are null when the run does not split them. */
  readonly writers: number | null;
  readonly readers: number | null;
  readonly all: number;
  /** Dollars per million commits for all of this kind's requests. */
  readonly dollarsPerMillion: number;
}

export interface ConfigCost {
  readonly id: string;
  readonly runs: number;
  readonly commits: number;
  /** `metrics.requests` (measured window) or `request_counts` (whole run) — see above. */
  readonly source: 'metrics.requests' | 'request_counts';
  readonly kinds: readonly KindCost[];
  /** Requests per commit, all kinds. */
  readonly requestsPerCommit: { readonly writers: number | null; readonly readers: number | null; readonly all: number } | null;
  /** Dollars per million commits: the writers' own requests, the readers' alongside, and both. */
  readonly dollarsPerMillionCommits: { readonly writers: number | null; readonly readers: number | null; readonly all: number } | null;
}

function add(into: Map<string, number>, counts: RequestCounts | undefined): void {
  for (const [k, v] of Object.entries(counts ?? {})) into.set(k, (into.get(k) ?? 0) + v);
}

function configCost(c: ConfigEntry): ConfigCost {
  const split = c.runs.every((r) => r.run.metrics.requests !== undefined);
  const writers = new Map<string, number>();
  const readers = new Map<string, number>();
  const all = new Map<string, number>();
  let commits = 0;
  for (const { run } of c.runs) {
    commits += run.metrics.write.counters.successes;
    if (split) {
      add(writers, run.metrics.requests?.writers);
      add(readers, run.metrics.requests?.readers);
      add(all, run.metrics.requests?.writers);
      add(all, run.metrics.requests?.readers);
    } else add(all, run.request_counts);
  }
  const per = (x: number) => x / commits;
  const kinds: KindCost[] =
    commits === 0
      ? []
      : [...all.keys()].map((kind) => ({
          kind,
          writers: split ? per(writers.get(kind) ?? 0) : null,
          readers: split ? per(readers.get(kind) ?? 0) : null,
          all: per(all.get(kind) ?? 0),
          dollarsPerMillion: per(all.get(kind) ?? 0) * pricePerRequest(kind) * 1e6,
        }));
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const dollars = (m: Map<string, number>) => ([...m].reduce((a, [k, v]) => a + v * pricePerRequest(k), 0) / commits) * 1e6;
  return {
    id: c.id,
    runs: c.runs.length,
    commits,
    source: split ? 'metrics.requests' : 'request_counts',
    kinds,
    requestsPerCommit: commits === 0 ? null : { writers: split ? per(total(writers)) : null, readers: split ? per(total(readers)) : null, all: per(total(all)) },
    dollarsPerMillionCommits:
      commits === 0 ? null : { writers: split ? dollars(writers) : null, readers: split ? dollars(readers) : null, all: dollars(all) },
  };
}

/** Pooled over a configuration's runs; for a sweep, one entry per configuration. */
export function costPerMillionCommits(config: ConfigEntry): ConfigCost;
export function costPerMillionCommits(sweep: SweepResult): ConfigCost[];
export function costPerMillionCommits(x: ConfigEntry | SweepResult): ConfigCost | ConfigCost[] {
  return 'kind' in x && x.kind === 'sweep' ? x.configs.map(configCost) : configCost(x as ConfigEntry);
}
