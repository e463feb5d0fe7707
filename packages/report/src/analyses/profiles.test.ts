import { table } from 'arquero';
import { describe, expect, it } from 'vitest';
import { fixtures } from '../fixtures.test-helper.js';
import type { ConfigEntry, HazardsResult, Row, SweepResult } from '../types.js';
import { overlapEffect } from './overlap-effect.js';
import { hazardsByProfile, profileComparison, profileOfHazards, sweepOfProfile } from './profiles.js';

/** A hand-made sweep over profile × key overlap. */
function sweep(configs: { profile: string; overlap: number; txns: number; commits: number; rpc: number; p99: number; pf?: number }[]): SweepResult {
  const entries: ConfigEntry[] = configs.map((c, i) => {
    const row: Row = {
      profile: c.profile,
      key_overlap_ratio: c.overlap,
      config_id: `c${i}`,
      write_txns: c.txns,
      commits: c.commits,
      write_attempts: c.txns,
      precondition_failures: c.pf ?? 0,
      requests_per_commit: c.rpc,
      write_p99_ms: c.p99,
    };
    return { id: `c${i}`, dir: `s/c${i}`, row, summary: { schema: 'manifest-lab/config@1', id: `c${i}`, config: {}, replicas: 1, runs: [], counts: {}, rates: {} }, runs: [] };
  });
  const rows = table(Object.fromEntries(Object.keys(entries[0]?.row ?? {}).map((k) => [k, entries.map((e) => e.row[k])])));
  return { kind: 'sweep', name: 's', dir: 's', definition: { definition: { name: 's' }, configs: [] }, rows, runs: table({}), axes: ['profile', 'key_overlap_ratio'], configs: entries };
}

describe('profileComparison', () => {
  const s = sweep([
    { profile: 'fusio-0.5', overlap: 0.1, txns: 100, commits: 80, rpc: 10, p99: 300 },
    { profile: 'fusio-0.5', overlap: 0.4, txns: 100, commits: 78, rpc: 12, p99: 500 },
    { profile: 'strict', overlap: 0.1, txns: 100, commits: 90, rpc: 8, p99: 200 },
    { profile: 'strict', overlap: 0.4, txns: 100, commits: 60, rpc: 9, p99: 250 },
  ]);

  it('splits by profile and answers the overlap question within each', () => {
    const cmp = profileComparison(s);
    expect(cmp?.map((p) => p.profile)).toEqual(['fusio-0.5', 'strict']);
    const strict = cmp?.[1];
    // Each profile's effect is the effect of its own configurations alone.
    expect(strict?.overlap?.difference).toEqual(overlapEffect(sweepOfProfile(s, 'strict'))?.difference);
    expect([strict?.overlap?.low.k, strict?.overlap?.low.n, strict?.overlap?.high.k, strict?.overlap?.high.n]).toEqual([10, 100, 40, 100]);
    expect(strict?.overlap?.verdict).toBe('higher overlap, higher rate');
    expect(cmp?.[0]?.overlap?.verdict).toBe('no detectable effect');
    // Requests pool over commits: (10·80 + 12·78) / 158.
    expect(cmp?.[0]?.requestsPerCommit).toBeCloseTo((10 * 80 + 12 * 78) / 158, 12);
    expect([cmp?.[0]?.writeP99MedianMs, cmp?.[0]?.writeP99MaxMs]).toEqual([400, 500]);
    expect([strict?.configs, strict?.commits, strict?.writeAttempts]).toEqual([2, 150, 200]);
    expect(sweepOfProfile(s, 'strict').rows.numRows()).toBe(2);
  });

  it('answers the overlap question per attempt too: retries can hide conflicts from the transaction rate', () => {
    // Every transaction commits (retries absorb the conflicts), but conflicts per attempt rise with overlap.
    const rebase = sweep([
      { profile: 'strict-rebase', overlap: 0.1, txns: 400, commits: 400, rpc: 5, p99: 100, pf: 2 },
      { profile: 'strict-rebase', overlap: 0.4, txns: 400, commits: 400, rpc: 5, p99: 100, pf: 30 },
    ]);
    const [only] = profileComparison(rebase) ?? [];
    expect(only?.overlap?.verdict).toBe('no detectable effect');
    expect([only?.overlapPerAttempt?.low.k, only?.overlapPerAttempt?.high.k, only?.overlapPerAttempt?.high.n]).toEqual([2, 30, 400]);
    expect(only?.overlapPerAttempt?.verdict).toBe('higher overlap, higher rate');
  });

  it('is null for a sweep without a profile axis', () => {
    expect(profileComparison({ ...s, axes: ['key_overlap_ratio'] })).toBeNull();
  });
});

describe('hazardsByProfile', () => {
  it('puts hazard results of different profiles side by side, and nothing for one profile', async () => {
    const fusio = (await fixtures()).hazards[0] as HazardsResult;
    expect(profileOfHazards(fusio)).toBe('fusio-0.5');
    expect(hazardsByProfile([fusio])).toBeNull();
    // The same result relabelled as a strict run that reproduced nothing.
    const strict: HazardsResult = {
      ...fusio,
      dir: 'hazards-strict',
      rows: fusio.rows.derive({ reproduced: () => 0, anomaly_types: () => '' }),
      hazards: fusio.hazards.map((h) => ({ ...h, sweep: { ...h.sweep, configs: h.sweep.configs.map((c) => ({ ...c, row: { ...c.row, profile: 'strict' } })) } })),
    };
    const side = hazardsByProfile([fusio, strict]);
    expect(side?.profiles).toEqual(['fusio-0.5', 'strict']);
    expect(side?.rows.map((r) => r.hazard)).toEqual(['two-compactors']);
    const row = side?.rows[0];
    expect(row?.section).toBe('6.5');
    expect(row?.cells['fusio-0.5']).toMatchObject({ reproduced: 2, runs: 2, dir: 'hazards' });
    expect(row?.cells['fusio-0.5']?.anomalyTypes).toContain('lost-update');
    expect(row?.cells.strict).toEqual({ reproduced: 0, runs: 2, anomalyTypes: [], dir: 'hazards-strict' });
  });
});
