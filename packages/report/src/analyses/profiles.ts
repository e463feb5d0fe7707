/**
 * Profiles side by side (issue 12): a sweep with `profile` as an axis is split into one sweep
 * per profile, and each gets the same answers — the key-overlap effect with its interval,
 * requests per commit, write p99 — so the profiles compare on identical configurations. Hazard
 * results written per profile (`chaos --scenarios hazards --all-profiles`, or a sweep file's
 * `"hazards"` block: one directory each)
 * become one table: a row per hazard, a column per profile.
 */
import { escape as aqEscape } from 'arquero';
import type { HazardsResult, Row, SweepResult } from '../types.js';
import { type OverlapEffect, overlapEffect } from './overlap-effect.js';

export const PROFILE_AXIS = 'profile';
/** The profile of results that do not name one (written before profiles existed). */
const DEFAULT_PROFILE = 'fusio-0.5';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The sweep restricted to one profile's configurations, `profile` no longer an axis. */
export function sweepOfProfile(sweep: SweepResult, profile: string): SweepResult {
  return {
    ...sweep,
    rows: sweep.rows.filter(aqEscape((d: Row) => d[PROFILE_AXIS] === profile)),
    axes: sweep.axes.filter((a) => a !== PROFILE_AXIS),
    configs: sweep.configs.filter((c) => c.row[PROFILE_AXIS] === profile),
  };
}

export interface ProfileSummary {
  readonly profile: string;
  readonly configs: number;
  /** Write attempts and commits over every configuration (the denominators below). */
  readonly writeAttempts: number;
  readonly commits: number;
  /** The highest − lowest overlap transaction-failure-rate difference, with its interval; null without an overlap axis. */
  readonly overlap: OverlapEffect | null;
  /**
   * The same for the per-attempt conflict rate (precondition failures / attempts): where retries
   * absorb every conflict (`strict-rebase`), the transaction rate is 0 everywhere and only this
   * one shows whether real key overlap drives conflicts.
   */
  readonly overlapPerAttempt: OverlapEffect | null;
  /** Object-store requests per commit, pooled: all requests over all commits. */
  readonly requestsPerCommit: number | null;
  /** Write-transaction p99 latency, ms: the median and the worst over configurations (a p99 does not pool). */
  readonly writeP99MedianMs: number | null;
  readonly writeP99MaxMs: number | null;
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** One summary per profile, in the sweep's order; null when the sweep does not vary `profile`. */
export function profileComparison(sweep: SweepResult): ProfileSummary[] | null {
  if (!sweep.axes.includes(PROFILE_AXIS)) return null;
  const profiles = [...new Set(sweep.configs.map((c) => String(c.row[PROFILE_AXIS])))];
  return profiles.map((profile) => {
    const sub = sweepOfProfile(sweep, profile);
    let requests = 0;
    let commits = 0;
    let attempts = 0;
    const p99s: number[] = [];
    for (const c of sub.configs) {
      const k = num(c.row.commits) ?? 0;
      const rpc = num(c.row.requests_per_commit);
      if (rpc !== null && k > 0) {
        requests += rpc * k;
        commits += k;
      }
      attempts += num(c.row.write_attempts) ?? 0;
      const p99 = num(c.row.write_p99_ms);
      if (p99 !== null) p99s.push(p99);
    }
    return {
      profile,
      configs: sub.configs.length,
      writeAttempts: attempts,
      commits: sub.configs.reduce((a, c) => a + (num(c.row.commits) ?? 0), 0),
      overlap: overlapEffect(sub),
      overlapPerAttempt: overlapEffect(sub, 'precondition_failure_rate'),
      requestsPerCommit: commits > 0 ? requests / commits : null,
      writeP99MedianMs: median(p99s),
      writeP99MaxMs: p99s.length === 0 ? null : Math.max(...p99s),
    };
  });
}

/** The profile a hazards result ran under: its runs' `profile` column. */
export function profileOfHazards(h: HazardsResult): string {
  for (const x of h.hazards) {
    for (const c of x.sweep.configs) {
      const p = c.row[PROFILE_AXIS];
      if (typeof p === 'string' && p !== '') return p;
    }
  }
  return DEFAULT_PROFILE;
}

export interface HazardProfileCell {
  /** Seeds that reproduced the hazard, of seeds run. */
  readonly reproduced: number;
  readonly runs: number;
  readonly anomalyTypes: readonly string[];
  /** The hazards result's directory, for links. */
  readonly dir: string;
}

export interface HazardsByProfile {
  readonly profiles: readonly string[];
  readonly rows: readonly { readonly hazard: string; readonly section: string; readonly cells: Readonly<Record<string, HazardProfileCell>> }[];
}

/**
 * Hazard results side by side, a column per profile; null unless they cover more than one
 * profile. Of several results for one profile, the last (in load order) wins.
 */
export function hazardsByProfile(results: readonly HazardsResult[]): HazardsByProfile | null {
  const byProfile = new Map<string, HazardsResult>();
  for (const h of results) byProfile.set(profileOfHazards(h), h);
  if (byProfile.size < 2) return null;
  const profiles = [...byProfile.keys()];
  const rows = new Map<string, { hazard: string; section: string; cells: Record<string, HazardProfileCell> }>();
  for (const [profile, h] of byProfile) {
    for (const r of h.rows.objects() as Row[]) {
      const hazard = String(r.hazard);
      const row = rows.get(hazard) ?? { hazard, section: String(r.section ?? ''), cells: {} };
      const types = typeof r.anomaly_types === 'string' ? r.anomaly_types.split(' ').filter((t) => t !== '') : [];
      row.cells[profile] = { reproduced: num(r.reproduced) ?? 0, runs: num(r.runs) ?? 0, anomalyTypes: types, dir: h.dir };
      rows.set(hazard, row);
    }
  }
  return { profiles, rows: [...rows.values()] };
}
