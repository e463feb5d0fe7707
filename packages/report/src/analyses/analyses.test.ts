import { table } from 'arquero';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../csv.js';
import { fixtures, sweepNamed } from '../fixtures.test-helper.js';
import { S3_STANDARD_PER_THOUSAND } from '../prices.js';
import { newcombe, wilson } from '../stats.js';
import type { ConfigEntry, Row, SweepResult } from '../types.js';
import { bestWorst } from './best-worst.js';
import { chaosDegradation } from './chaos-degradation.js';
import { costPerMillionCommits } from './cost.js';
import { marginalEffects } from './marginal-effects.js';
import { modelVsMeasured } from './model-vs-measured.js';
import { overlapEffect } from './overlap-effect.js';
import { underThreshold } from './under-threshold.js';

/** A hand-made sweep: each config's axis values and counts. */
function synthetic(axes: string[], configs: { axes: Record<string, number>; txns: number; commits: number; attempts?: number; pf?: number }[]): SweepResult {
  const entries: ConfigEntry[] = configs.map((c, i) => {
    const row: Row = {
      ...c.axes,
      config_id: `c${i}`,
      write_txns: c.txns,
      commits: c.commits,
      write_attempts: c.attempts ?? c.txns,
      precondition_failures: c.pf ?? 0,
      write_tps: 1,
    };
    return { id: `c${i}`, dir: `s/c${i}`, row, summary: { schema: 'manifest-lab/config@1', id: `c${i}`, config: {}, replicas: 1, runs: [], counts: {}, rates: {} }, runs: [] };
  });
  const rows = table(Object.fromEntries(Object.keys(entries[0]!.row).map((k) => [k, entries.map((e) => e.row[k])])));
  return { kind: 'sweep', name: 's', dir: 's', definition: { definition: { name: 's' }, configs: [] }, rows, runs: table({}), axes, configs: entries };
}

describe('marginalEffects', () => {
  it('pools k/n per axis value, as summed by hand from results.csv', async () => {
    const tiny = await sweepNamed('tiny');
    const me = marginalEffects(tiny);
    expect(me.axes.map((a) => a.axis)).toEqual(tiny.axes);
    for (const axis of me.axes) {
      for (const level of axis.levels) {
        const rows = rowsOf(tiny.rows).filter((r) => r[axis.axis] === level.level);
        const n = rows.reduce((a, r) => a + Number(r.write_txns), 0);
        const k = rows.reduce((a, r) => a + Number(r.write_txns) - Number(r.commits), 0);
        expect([level.k, level.n, level.configs]).toEqual([k, n, 4]);
        expect(level.lo).toBeCloseTo(wilson(k, n).lo!, 12);
      }
    }
  });

  it('uses attempts for the per-attempt rate', async () => {
    const tiny = await sweepNamed('tiny');
    const level = marginalEffects(tiny, 'precondition_failure_rate').axes[0]!.levels[0]!;
    const rows = rowsOf(tiny.rows).filter((r) => r.num_writers === level.level);
    expect(level.n).toBe(rows.reduce((a, r) => a + Number(r.write_attempts), 0));
    expect(level.k).toBe(rows.reduce((a, r) => a + Number(r.precondition_failures), 0));
  });

  it('says when an axis visibly moves the rate', () => {
    const s = synthetic(['num_writers'], [
      { axes: { num_writers: 2 }, txns: 400, commits: 396 },
      { axes: { num_writers: 4 }, txns: 400, commits: 300 },
    ]);
    expect(marginalEffects(s).axes[0]!.distinguishable).toBe(true);
  });
});

describe('bestWorst', () => {
  it('ranks by bounds and lists what overlaps the best', () => {
    const s = synthetic(['x'], [
      { axes: { x: 1 }, txns: 3, commits: 3 }, // 0/3: low point, wide interval
      { axes: { x: 2 }, txns: 400, commits: 399 }, // 1/400: the surest low rate
      { axes: { x: 3 }, txns: 400, commits: 300 },
      { axes: { x: 4 }, txns: 0, commits: 0 },
    ]);
    const bw = bestWorst(s, 2);
    // 0/3 has an upper bound of 56 %: even 100/400 (hi 29 %) ranks before it.
    expect(bw.best.map((b) => b.id)).toEqual(['c1', 'c2']);
    expect(bw.worst.map((b) => b.id)).toEqual(['c2', 'c1']);
    expect(bw.indistinguishableFromBest.map((b) => b.id)).toEqual(['c0']);
    expect(bw.unrated).toEqual(['c3']);
    expect(bw.best[0]!.hi).toBeCloseTo(wilson(1, 400).hi!, 12);
  });

  it('on the fixture, best is sorted by upper bound', async () => {
    const bw = bestWorst(await sweepNamed('tiny'), 8);
    const his = bw.best.map((b) => b.hi!);
    expect(his).toEqual([...his].sort((a, b) => a - b));
    expect(bw.best).toHaveLength(8);
  });
});

describe('overlapEffect', () => {
  it('compares matched configurations with Newcombe’s interval', () => {
    const s = synthetic(['num_writers', 'key_overlap_ratio'], [
      { axes: { num_writers: 2, key_overlap_ratio: 0 }, txns: 70, commits: 14 },
      { axes: { num_writers: 2, key_overlap_ratio: 0.5 }, txns: 80, commits: 32 },
      { axes: { num_writers: 2, key_overlap_ratio: 0.9 }, txns: 80, commits: 32 },
      // No high-overlap partner: left out of the matched comparison.
      { axes: { num_writers: 4, key_overlap_ratio: 0 }, txns: 1000, commits: 0 },
    ]);
    const e = overlapEffect(s)!;
    expect(e.matched).toBe(true);
    expect([e.low.overlap, e.low.k, e.low.n, e.high.overlap, e.high.k, e.high.n]).toEqual([0, 56, 70, 0.9, 48, 80]);
    // 48/80 − 56/70 is Newcombe's example negated: [−0.3339, −0.0524].
    expect(e.difference.lo).toBeCloseTo(-0.3339, 4);
    expect(e.difference.hi).toBeCloseTo(-0.0524, 4);
    expect(e.verdict).toBe('higher overlap, lower rate');
    expect(e.levels.map((l) => l.level)).toEqual([0, 0.5, 0.9]);
  });

  it('reports no detectable effect when the interval holds 0, and null without an overlap axis', async () => {
    const tiny = await sweepNamed('tiny');
    const e = overlapEffect(tiny)!;
    const expected = newcombe(e.high, e.low);
    expect(e.difference).toEqual(expected);
    expect(e.verdict).toBe(expected.lo! <= 0 && expected.hi! >= 0 ? 'no detectable effect' : expected.lo! > 0 ? 'higher overlap, higher rate' : 'higher overlap, lower rate');
    expect(e.low.configs + e.high.configs).toBe(8);
    expect(overlapEffect(await sweepNamed('baseline'))).toBeNull();
  });
});

describe('underThreshold', () => {
  it('splits configs into below, maybe and above', () => {
    const s = synthetic(['x'], [
      { axes: { x: 1 }, txns: 1000, commits: 990 }, // 1 %, hi ≈ 1.8 %: below 10 %
      { axes: { x: 2 }, txns: 20, commits: 19 }, // 5 %, hi ≈ 23.6 %: maybe
      { axes: { x: 3 }, txns: 100, commits: 80 }, // 20 %: above
    ]);
    const u = underThreshold(s, 0.1);
    expect([u.below.map((c) => c.id), u.maybe.map((c) => c.id), u.above.map((c) => c.id)]).toEqual([['c0'], ['c1'], ['c2']]);
  });
});

describe('modelVsMeasured', () => {
  it('compares the model to the per-attempt rate and its interval', async () => {
    const tiny = await sweepNamed('tiny');
    const m = modelVsMeasured(tiny);
    expect(m.configs).toHaveLength(8);
    for (const c of m.configs) {
      const row = tiny.configs.find((x) => x.id === c.id)!.row;
      expect(c.measured).toEqual(wilson(Number(row.precondition_failures), Number(row.write_attempts)));
      expect(c.model).toBe(row.model_conflict_rate);
      if (c.model !== null && c.measured.value) expect(c.ratio).toBeCloseTo(c.model / c.measured.value, 12);
      if (c.modelInInterval !== null) expect(c.modelInInterval).toBe(c.model! >= c.measured.lo! && c.model! <= c.measured.hi!);
    }
    expect(m.compared).toBe(m.configs.filter((c) => c.modelInInterval !== null).length);
  });
});

describe('chaosDegradation', () => {
  it('reads chaos.csv and compares each scenario with the baseline', async () => {
    const chaos = (await fixtures()).chaos[0]!;
    const d = chaosDegradation(chaos);
    const rows = rowsOf(chaos.rows);
    expect(d.scenarios.map((s) => s.scenario)).toEqual(['baseline', 'latency-200', 'blocking']);
    const base = d.scenarios[0]!;
    expect(base.txnFailureDelta.value).toBe(0);
    for (const [i, s] of d.scenarios.entries()) {
      const row = rows[i]!;
      expect([s.txnFailure.k, s.txnFailure.n]).toEqual([Number(row.write_txns) - Number(row.commits), row.write_txns]);
      expect(s.writeTpsRatio).toBe(row.write_tps_ratio);
      expect(s.txnFailureDelta).toEqual(newcombe(s.txnFailure, base.txnFailure));
      expect(s.retryEffectiveness.n).toBe(row.retried_txns);
      if (s.retryEffectiveness.value !== null) expect(s.retryEffectiveness.value).toBeCloseTo(Number(row.retry_effectiveness), 5);
    }
  });
});

describe('costPerMillionCommits', () => {
  it('pools requests over runs and prices them', async () => {
    const config = (await sweepNamed('baseline')).configs[0]!;
    const cost = costPerMillionCommits(config);
    const runs = config.runs.map((r) => r.run);
    const commits = runs.reduce((a, r) => a + r.metrics.write.counters.successes, 0);
    const writerCput = runs.reduce((a, r) => a + (r.metrics.requests!.writers.CPUT ?? 0), 0);
    const allGet = runs.reduce((a, r) => a + (r.metrics.requests!.writers.GET ?? 0) + (r.metrics.requests!.readers.GET ?? 0), 0);
    expect(cost.source).toBe('metrics.requests');
    expect(cost.commits).toBe(commits);
    expect(cost.kinds.find((k) => k.kind === 'CPUT')!.writers).toBeCloseTo(writerCput / commits, 12);
    expect(cost.kinds.find((k) => k.kind === 'GET')!.dollarsPerMillion).toBeCloseTo((allGet / commits) * (0.0004 / 1000) * 1e6, 9);
    expect(cost.kinds.find((k) => k.kind === 'DELETE')!.dollarsPerMillion).toBe(0);
    const writerDollars = runs
      .flatMap((r) => Object.entries(r.metrics.requests!.writers))
      .reduce((a, [k, v]) => a + v * (S3_STANDARD_PER_THOUSAND[k as 'GET'] / 1000), 0);
    expect(cost.dollarsPerMillionCommits!.writers).toBeCloseTo((writerDollars / commits) * 1e6, 9);
    expect(cost.requestsPerCommit!.writers! + cost.requestsPerCommit!.readers!).toBeCloseTo(cost.requestsPerCommit!.all, 9);
    // The runner's own writer requests per commit agrees.
    expect(cost.requestsPerCommit!.writers).toBeCloseTo(Number(config.row.requests_per_commit), 4);
  });

  it('gives one entry per configuration of a sweep', async () => {
    const tiny = await sweepNamed('tiny');
    expect(costPerMillionCommits(tiny).map((c) => c.id)).toEqual(tiny.configs.map((c) => c.id));
  });
});
